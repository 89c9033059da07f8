#pragma once
// Small non-throwing accessors over nlohmann::json for parsers of untrusted payloads, and
// text helpers shared by the connectors. Pure functions, thread-safe.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace timelined::connectors {

// j[key] when j is an object holding that member, else nullptr.
const nlohmann::json* Member(const nlohmann::json& j, std::string_view key);
// j[key] when it is an object (resp. array), else nullptr.
const nlohmann::json* ObjectMember(const nlohmann::json& j, std::string_view key);
const nlohmann::json* ArrayMember(const nlohmann::json& j, std::string_view key);
// j[key] when it is a string, else "".
std::string StringMember(const nlohmann::json& j, std::string_view key);
// j[key][key2] when both exist and the leaf is a string, else "".
std::string StringMember(const nlohmann::json& j, std::string_view key, std::string_view key2);
// j[key] when it is an integer (or a string of decimal digits), else nullopt.
std::optional<int64_t> IntMember(const nlohmann::json& j, std::string_view key);
// j[key] when it is a boolean, else `fallback`.
bool BoolMember(const nlohmann::json& j, std::string_view key, bool fallback);

}  // namespace timelined::connectors
