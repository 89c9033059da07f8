#pragma once
// The key documentation for a terminal (`timelined check-config --keys`). DescribeKeys() in
// config.h renders one line per key for tools and the README; this wraps it for people.
#include <cstddef>
#include <string>

namespace timelined::config {

// Per key, "section.key  type  default" and then the description on indented lines; every
// line at most `width` columns (at least 24; a word longer than a line is split).
std::string DescribeKeys(size_t width);

}  // namespace timelined::config
