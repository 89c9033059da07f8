#pragma once
// Fixture helpers for the Kubernetes and logs connector tests.
#include <fstream>
#include <sstream>
#include <string>

namespace timelined::connectors::testing {

inline std::string FixturePath(const std::string& rel) {
  return std::string(TIMELINED_FIXTURES) + "/" + rel;
}

// The file's bytes, or "" when it cannot be read (tests then fail on their assertions).
inline std::string ReadFixture(const std::string& rel) {
  std::ifstream in(FixturePath(rel), std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace timelined::connectors::testing
