#pragma once
// Reads test fixtures from tests/fixtures (TIMELINED_FIXTURES is set by CMake).
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace timelined::connectors::testing {

// The bytes of tests/fixtures/<relative>; "" when missing (the test then fails on it).
inline std::string ReadFixture(std::string_view relative) {
  std::ifstream in(std::string(TIMELINED_FIXTURES) + "/" + std::string(relative), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace timelined::connectors::testing
