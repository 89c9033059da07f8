#pragma once
// The key-table engine behind config.cc (after fluent-bit's config_map and redpanda's
// property registry): every key is declared once as a KeySpec — dotted name, type, bounds,
// description, a setter into the target struct and a renderer of its default — and
// ApplyTable walks a parsed TOML table against those specs. Any key without a spec is an
// error naming it; so is a wrong type or a value out of bounds. Errors are kInvalidInput
// with message "invalid_config" and a detail naming the origin (file), the key and the line.
//
// Secret-bearing keys (KeyType::kSecret) accept three forms — `X` inline, `X_env` (the
// name of an environment variable) or `X_file` (a path; trailing newlines trimmed) —
// exactly one of them, resolved by ResolveSecret. Errors never contain the secret.
//
// Startup code only: toml++ may throw, and the callers parse inside try/catch.
#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/model/error.h"

namespace timelined::config::keys {

enum class KeyType { kString, kInt, kSize, kBool, kStringList, kSecret, kTableArray, kStringMap };
const char* KeyTypeName(KeyType t);
// The TOML type of `n` as named in errors: "string", "integer", "float", "boolean",
// "table", "array", "date", "time", "date-time".
const char* NodeTypeName(const toml::node& n);
// "10485760 (10 MiB)" for exact KiB/MiB/GiB multiples, else "1000".
std::string FormatBytes(int64_t n);

// Where a key is, for error messages.
struct Where {
  std::string_view origin;  // the file path, or "<string>"
  std::string key;          // display name with array indices: "auth.tokens[0].scopes"
  uint32_t line = 0;        // 1-based; 0 when unknown
};
// kInvalidInput "invalid_config", detail "key 'K' in ORIGIN (line N): PROBLEM".
std::unexpected<Error> KeyError(const Where& where, std::string_view problem);
// Same shape, for a message that names the key itself: "unknown key 'K' in ORIGIN (line N)".
std::unexpected<Error> ConfigError(const Where& where, std::string_view message);

// Resolves secret `key` of `table` from exactly one of `key` (inline; refused when
// !allow_inline), `key_env` (an environment variable name) or `key_file` (a path; trailing
// "\r\n" trimmed). Returns nullopt when none of the three is present. Errors — more than
// one form, a wrong type, an unset variable, an unreadable or empty file, an empty secret —
// name the key and the variable or path, never the secret. `where.key` is the display name
// of `key`.
Result<std::optional<std::string>> ResolveSecret(const toml::table& table, std::string_view key,
                                                 const Where& where, bool allow_inline = true);
// Overwrites a secret's bytes (in a way the compiler keeps) and clears it.
void WipeSecret(std::string& s);

// One documented key, for DescribeKeys.
struct KeyDoc {
  std::string name;
  std::string type;
  std::string default_value;
  std::string description;
};

template <typename T>
struct KeySpec {
  std::string name;  // dotted, relative to the table walked: "server.listen"
  KeyType type = KeyType::kString;
  std::string bounds;  // for docs: "1..64", "trace|debug|info", ""
  std::string description;
  bool required = false;
  bool allow_inline = true;  // kSecret: whether `X` itself may hold the secret
  // Type-checks and bounds-checks `node`, then stores it (every type but kSecret).
  std::function<Result<void>(T&, const toml::node&, const Where&)> apply;
  // Stores a resolved secret (kSecret). The engine wipes its copy afterwards.
  std::function<void(T&, const std::string&)> set_secret;
  // Renders the value held by a default-constructed T (the default column).
  std::function<std::string(T&)> show;
  // kTableArray: the documentation of the element keys.
  std::function<std::vector<KeyDoc>()> children;
};

template <typename T>
Result<void> ApplyTable(const toml::table& table, const std::vector<KeySpec<T>>& specs, T& out,
                        std::string_view origin, std::string_view display_prefix = {});
template <typename T>
std::vector<KeyDoc> Describe(const std::vector<KeySpec<T>>& specs, std::string_view prefix = {});

// ---- Spec factories. `field` is a callable T& -> member&. --------------------------------

// A string; `allowed` makes it an enum; `check` returns a problem text, or "" when fine.
template <typename T, typename F>
KeySpec<T> StringKey(std::string name, F field, std::string description,
                     std::vector<std::string> allowed = {},
                     std::function<std::string(std::string_view)> check = {},
                     bool required = false);
// An integer in [min, max], stored into an int or size_t member, or a std::chrono::duration
// member in that duration's unit (a `_ms` key into std::chrono::milliseconds). kSize
// documents it as bytes.
template <typename T, typename F>
KeySpec<T> IntKey(std::string name, F field, int64_t min, int64_t max, std::string description,
                  KeyType type = KeyType::kInt);
template <typename T, typename F>
KeySpec<T> SizeKey(std::string name, F field, int64_t min, int64_t max, std::string description) {
  return IntKey<T>(std::move(name), std::move(field), min, max, std::move(description),
                   KeyType::kSize);
}
template <typename T, typename F>
KeySpec<T> BoolKey(std::string name, F field, std::string description);
// A secret: `X`, `X_env` or `X_file`. `set` receives the resolved value.
template <typename T>
KeySpec<T> SecretKey(std::string name, std::function<void(T&, const std::string&)> set,
                     std::string description, bool allow_inline = true, bool required = false);
// An array of strings, each among `allowed` (when non-empty).
template <typename T>
KeySpec<T> StringListKey(std::string name,
                         std::function<void(T&, const std::vector<std::string>&)> set,
                         std::vector<std::string> allowed, std::string description,
                         bool required = false, bool non_empty = false);
// A free-form table of `"any.key" = value` pairs (strings, integers and booleans, kept
// as their text), e.g. `[kafka.properties]` passed through to a library. Keys are not
// declared; `check_entry(key, value)` may refuse one (a problem text, or "" when fine).
template <typename T>
KeySpec<T> StringMapKey(
    std::string name, std::function<void(T&, const std::map<std::string, std::string>&)> set,
    std::string description,
    std::function<std::string(std::string_view, std::string_view)> check_entry = {});
// An array of tables (`[[name]]`): each element is walked against `element_specs` into a
// fresh E, then handed to `add` (which may reject it, e.g. a cross-field rule).
template <typename T, typename E>
KeySpec<T> TableArrayKey(std::string name, std::string description,
                         std::vector<KeySpec<E>> element_specs,
                         std::function<Result<void>(T&, E&&, const Where&)> add);

// ---- Implementation ---------------------------------------------------------------------

namespace internal {

inline uint32_t LineOf(const toml::node& n) { return n.source().begin.line; }
std::string JoinAllowed(const std::vector<std::string>& allowed, std::string_view sep);
std::string Quote(std::string_view s);
// "" when fine, else "expected integer, got string" / "must be between 1 and 64".
std::string CheckInt(const toml::node& node, int64_t min, int64_t max, KeyType type,
                     int64_t* value);
// "" when fine, else the problem: type, enum membership, check().
std::string CheckString(const toml::node& node, const std::vector<std::string>& allowed,
                        const std::function<std::string(std::string_view)>& check);
// "" when fine, else the problem; fills `values`.
std::string CheckStringList(const toml::node& node, const std::vector<std::string>& allowed,
                            bool non_empty, std::vector<std::string>* values);

template <typename T>
const KeySpec<T>* Find(const std::vector<KeySpec<T>>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

template <typename T>
bool IsSection(const std::vector<KeySpec<T>>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name.size() > name.size() && s.name.starts_with(name) && s.name[name.size()] == '.') {
      return true;
    }
  }
  return false;
}

// The secret spec `rel` names through its `_env` / `_file` form, or nullptr.
template <typename T>
const KeySpec<T>* FindSecretForm(const std::vector<KeySpec<T>>& specs, std::string_view rel) {
  for (std::string_view suffix : {"_env", "_file"}) {
    if (rel.ends_with(suffix)) {
      const KeySpec<T>* s = Find(specs, rel.substr(0, rel.size() - suffix.size()));
      if (s != nullptr && s->type == KeyType::kSecret) {
        return s;
      }
    }
  }
  return nullptr;
}

template <typename T>
class Walker {
 public:
  Walker(const std::vector<KeySpec<T>>& specs, T& out, std::string_view origin,
         std::string_view display_prefix)
      : specs_(specs), out_(out), origin_(origin), display_prefix_(display_prefix) {}

  Result<void> Run(const toml::table& root) {
    if (auto r = Walk(root, ""); !r) {
      return r;
    }
    for (const auto& s : specs_) {
      if (s.required && !seen_.contains(s.name)) {
        Where w{origin_, display_prefix_ + s.name, LineOf(root)};
        return ConfigError(w, "missing required key " + Quote(w.key));
      }
    }
    return {};
  }

 private:
  Result<void> Walk(const toml::table& table, const std::string& rel_prefix) {
    for (auto&& [k, node] : table) {
      const std::string rel = rel_prefix + std::string(k.str());
      Where w{origin_, display_prefix_ + rel, LineOf(node)};
      // A quoted key containing '.' is one key, not a path: never a declared name.
      const bool plain = k.str().find('.') == std::string_view::npos;
      const KeySpec<T>* spec = plain ? Find(specs_, rel) : nullptr;
      bool secret_form = false;
      if (spec == nullptr && plain) {
        spec = FindSecretForm(specs_, rel);
        secret_form = spec != nullptr;
      }
      if (spec != nullptr && (secret_form || spec->type == KeyType::kSecret)) {
        if (auto r = ApplySecret(*spec, table, rel_prefix, w); !r) {
          return r;
        }
      } else if (spec != nullptr) {
        if (auto r = spec->apply(out_, node, w); !r) {
          return r;
        }
        seen_.insert(spec->name);
      } else if (plain && IsSection(specs_, rel)) {
        const toml::table* sub = node.as_table();
        if (sub == nullptr) {
          return KeyError(w, std::string("expected table, got ") + NodeTypeName(node));
        }
        if (auto r = Walk(*sub, rel + "."); !r) {
          return r;
        }
      } else {
        return ConfigError(w, "unknown key " + Quote(w.key));
      }
    }
    return {};
  }

  Result<void> ApplySecret(const KeySpec<T>& spec, const toml::table& table,
                           const std::string& rel_prefix, Where w) {
    if (seen_.contains(spec.name)) {
      return {};  // resolved from a sibling form already
    }
    seen_.insert(spec.name);
    std::string_view leaf = std::string_view(spec.name).substr(rel_prefix.size());
    w.key = display_prefix_ + spec.name;
    auto secret = ResolveSecret(table, leaf, w, spec.allow_inline);
    if (!secret) {
      return std::unexpected(std::move(secret.error()));
    }
    if (secret->has_value()) {
      spec.set_secret(out_, **secret);
      WipeSecret(**secret);
    }
    return {};
  }

  const std::vector<KeySpec<T>>& specs_;
  T& out_;
  std::string_view origin_;
  std::string display_prefix_;
  std::set<std::string> seen_;
};

template <typename F, typename T>
using FieldType = std::remove_reference_t<std::invoke_result_t<F&, T&>>;

template <typename X>
inline constexpr bool kIsDuration = false;
template <typename R, typename P>
inline constexpr bool kIsDuration<std::chrono::duration<R, P>> = true;

}  // namespace internal

template <typename T>
Result<void> ApplyTable(const toml::table& table, const std::vector<KeySpec<T>>& specs, T& out,
                        std::string_view origin, std::string_view display_prefix) {
  return internal::Walker<T>(specs, out, origin, display_prefix).Run(table);
}

template <typename T>
std::vector<KeyDoc> Describe(const std::vector<KeySpec<T>>& specs, std::string_view prefix) {
  std::vector<KeyDoc> docs;
  T defaults{};
  for (const auto& s : specs) {
    if (s.type == KeyType::kTableArray) {
      docs.push_back({std::string(prefix) + s.name, "table array", "[]", s.description});
      for (KeyDoc d : s.children()) {
        d.name = std::string(prefix) + s.name + "[]." + d.name;
        docs.push_back(std::move(d));
      }
      continue;
    }
    std::string name = std::string(prefix) + s.name;
    if (s.type == KeyType::kSecret) {
      if (s.allow_inline) name.append(" | ").append(s.name);
      name.append("_env | ").append(s.name).append("_file");
    }
    std::string description = s.description;
    if (!s.bounds.empty()) {
      description += " [" + s.bounds + "]";
    }
    docs.push_back({std::move(name), KeyTypeName(s.type),
                    s.required ? "required" : s.show(defaults), std::move(description)});
  }
  return docs;
}

template <typename T, typename F>
KeySpec<T> StringKey(std::string name, F field, std::string description,
                     std::vector<std::string> allowed,
                     std::function<std::string(std::string_view)> check, bool required) {
  KeySpec<T> s;
  s.name = std::move(name);
  s.type = KeyType::kString;
  s.bounds = internal::JoinAllowed(allowed, "|");
  s.description = std::move(description);
  s.required = required;
  s.apply = [field, allowed = std::move(allowed), check = std::move(check)](
                T& t, const toml::node& node, const Where& w) -> Result<void> {
    if (std::string problem = internal::CheckString(node, allowed, check); !problem.empty()) {
      return KeyError(w, problem);
    }
    field(t) = node.as_string()->get();
    return {};
  };
  s.show = [field](T& t) { return internal::Quote(field(t)); };
  return s;
}

template <typename T, typename F>
KeySpec<T> IntKey(std::string name, F field, int64_t min, int64_t max, std::string description,
                  KeyType type) {
  KeySpec<T> s;
  s.name = std::move(name);
  s.type = type;
  s.bounds = type == KeyType::kSize ? FormatBytes(min) + ".." + FormatBytes(max)
                                    : std::to_string(min) + ".." + std::to_string(max);
  s.description = std::move(description);
  s.apply = [field, min, max, type](T& t, const toml::node& node, const Where& w) -> Result<void> {
    int64_t v = 0;
    if (std::string problem = internal::CheckInt(node, min, max, type, &v); !problem.empty()) {
      return KeyError(w, problem);
    }
    field(t) = internal::FieldType<F, T>(v);  // an integer, or a duration in its own unit
    return {};
  };
  s.show = [field, type](T& t) {
    int64_t v = 0;
    if constexpr (internal::kIsDuration<internal::FieldType<F, T>>) {
      v = static_cast<int64_t>(field(t).count());
    } else {
      v = static_cast<int64_t>(field(t));
    }
    return type == KeyType::kSize ? FormatBytes(v) : std::to_string(v);
  };
  return s;
}

template <typename T, typename F>
KeySpec<T> BoolKey(std::string name, F field, std::string description) {
  KeySpec<T> s;
  s.name = std::move(name);
  s.type = KeyType::kBool;
  s.description = std::move(description);
  s.apply = [field](T& t, const toml::node& node, const Where& w) -> Result<void> {
    const auto* b = node.as_boolean();
    if (b == nullptr) {
      return KeyError(w, std::string("expected boolean, got ") + NodeTypeName(node));
    }
    field(t) = b->get();
    return {};
  };
  s.show = [field](T& t) { return std::string(field(t) ? "true" : "false"); };
  return s;
}

template <typename T>
KeySpec<T> SecretKey(std::string name, std::function<void(T&, const std::string&)> set,
                     std::string description, bool allow_inline, bool required) {
  KeySpec<T> s;
  s.name = std::move(name);
  s.type = KeyType::kSecret;
  s.description = std::move(description);
  s.required = required;
  s.allow_inline = allow_inline;
  s.set_secret = std::move(set);
  s.show = [](T&) { return std::string("unset"); };
  return s;
}

template <typename T>
KeySpec<T> StringListKey(std::string name,
                         std::function<void(T&, const std::vector<std::string>&)> set,
                         std::vector<std::string> allowed, std::string description, bool required,
                         bool non_empty) {
  KeySpec<T> s;
  s.name = std::move(name);
  s.type = KeyType::kStringList;
  s.bounds = allowed.empty() ? "" : "each of " + internal::JoinAllowed(allowed, "|");
  s.description = std::move(description);
  s.required = required;
  s.apply = [set = std::move(set), allowed = std::move(allowed), non_empty](
                T& t, const toml::node& node, const Where& w) -> Result<void> {
    std::vector<std::string> values;
    std::string problem = internal::CheckStringList(node, allowed, non_empty, &values);
    if (!problem.empty()) {
      return KeyError(w, problem);
    }
    set(t, values);
    return {};
  };
  s.show = [](T&) { return std::string("[]"); };
  return s;
}

template <typename T>
KeySpec<T> StringMapKey(
    std::string name, std::function<void(T&, const std::map<std::string, std::string>&)> set,
    std::string description,
    std::function<std::string(std::string_view, std::string_view)> check_entry) {
  KeySpec<T> s;
  s.name = std::move(name);
  s.type = KeyType::kStringMap;
  s.description = std::move(description);
  s.apply = [set = std::move(set), check_entry = std::move(check_entry)](
                T& t, const toml::node& node, const Where& w) -> Result<void> {
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      return KeyError(w, std::string("expected table, got ") + NodeTypeName(node));
    }
    std::map<std::string, std::string> values;
    for (auto&& [k, v] : *table) {
      Where ew{w.origin, w.key + "." + internal::Quote(k.str()), internal::LineOf(v)};
      std::string text;
      if (const auto* str = v.as_string()) {
        text = str->get();
      } else if (const auto* i = v.as_integer()) {
        text = std::to_string(i->get());
      } else if (const auto* b = v.as_boolean()) {
        text = b->get() ? "true" : "false";
      } else {
        return KeyError(ew, std::string("expected string, integer or boolean, got ") +
                                NodeTypeName(v) + " (quote dotted names: \"a.b\" = ...)");
      }
      if (check_entry) {
        if (std::string problem = check_entry(k.str(), text); !problem.empty()) {
          return KeyError(ew, problem);
        }
      }
      values[std::string(k.str())] = std::move(text);
    }
    set(t, values);
    return {};
  };
  s.show = [](T&) { return std::string("{}"); };
  return s;
}

template <typename T, typename E>
KeySpec<T> TableArrayKey(std::string name, std::string description,
                         std::vector<KeySpec<E>> element_specs,
                         std::function<Result<void>(T&, E&&, const Where&)> add) {
  KeySpec<T> s;
  s.name = std::move(name);
  s.type = KeyType::kTableArray;
  s.description = std::move(description);
  s.children = [element_specs] { return Describe(element_specs); };
  s.apply = [element_specs = std::move(element_specs), add = std::move(add)](
                T& t, const toml::node& node, const Where& w) -> Result<void> {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return KeyError(w, std::string("expected array of tables, got ") + NodeTypeName(node));
    }
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      Where ew{w.origin, w.key + "[" + std::to_string(i) + "]", internal::LineOf(element)};
      const toml::table* table = element.as_table();
      if (table == nullptr) {
        return KeyError(ew, std::string("expected table, got ") + NodeTypeName(element));
      }
      E e{};
      if (auto r = ApplyTable(*table, element_specs, e, w.origin, ew.key + "."); !r) {
        return r;
      }
      if (auto r = add(t, std::move(e), ew); !r) {
        return r;
      }
    }
    return {};
  };
  s.show = [](T&) { return std::string("[]"); };
  return s;
}

}  // namespace timelined::config::keys
