#include "connectors/common/workload.h"

#include <algorithm>

namespace timelined::connectors {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsGeneratedNameChar(char c) {
  constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  return kAlphabet.find(c) != std::string_view::npos;
}

// Splits `name` at its last '-': {prefix, suffix}; suffix empty when there is none or the
// prefix would be empty.
std::pair<std::string_view, std::string_view> SplitLast(std::string_view name) {
  const size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return {name, {}};
  return {name.substr(0, dash), name.substr(dash + 1)};
}

bool IsHash(std::string_view s) {
  return s.size() >= 6 && s.size() <= 10 && std::all_of(s.begin(), s.end(), IsLowerAlnum);
}

bool IsPodSuffix(std::string_view s) {
  return s.size() == 5 && std::all_of(s.begin(), s.end(), IsLowerAlnum);
}

bool IsGeneratedSuffix(std::string_view s) {
  return s.size() == 5 && std::all_of(s.begin(), s.end(), IsGeneratedNameChar);
}

bool IsOrdinal(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string PodWorkload(std::string_view name) {
  const auto [rest, suffix] = SplitLast(name);
  if (suffix.empty()) return std::string(name);
  if (IsPodSuffix(suffix)) {
    const auto [base, hash] = SplitLast(rest);
    if (!hash.empty() && IsHash(hash)) return std::string(base);
  }
  if (IsOrdinal(suffix) || IsGeneratedSuffix(suffix)) return std::string(rest);
  return std::string(name);
}

}  // namespace

std::string DeriveWorkload(std::string_view kind, std::string_view name) {
  if (kind == "Pod") return PodWorkload(name);
  if (kind == "ReplicaSet") {
    const auto [base, hash] = SplitLast(name);
    if (!hash.empty() && IsHash(hash)) return std::string(base);
  }
  return std::string(name);
}

}  // namespace timelined::connectors
