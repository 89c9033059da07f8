#include "connectors/common/headers.h"

namespace timelined::connectors {

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Headers MakeHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> items) {
  Headers headers;
  for (const auto& [name, value] : items) headers[ToLowerAscii(name)] = std::string(value);
  return headers;
}

std::string_view HeaderValue(const Headers& headers, std::string_view name) {
  auto it = headers.find(ToLowerAscii(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view TrimAscii(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace timelined::connectors
