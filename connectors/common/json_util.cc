#include "connectors/common/json_util.h"

#include <charconv>

namespace timelined::connectors {

using nlohmann::json;

const json* Member(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

const json* ObjectMember(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_object() ? m : nullptr;
}

const json* ArrayMember(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_array() ? m : nullptr;
}

std::string StringMember(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_string() ? m->get<std::string>() : std::string();
}

std::string StringMember(const json& j, std::string_view key, std::string_view key2) {
  const json* m = ObjectMember(j, key);
  return m == nullptr ? std::string() : StringMember(*m, key2);
}

std::optional<int64_t> IntMember(const json& j, std::string_view key) {
  const json* m = Member(j, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_number_integer()) return m->get<int64_t>();
  if (!m->is_string()) return std::nullopt;
  const std::string& s = m->get_ref<const std::string&>();
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

bool BoolMember(const json& j, std::string_view key, bool fallback) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_boolean() ? m->get<bool>() : fallback;
}

}  // namespace timelined::connectors
