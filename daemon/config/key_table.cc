#include "daemon/config/key_table.h"

#include <openssl/crypto.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace timelined::config::keys {
namespace {

// A secret file larger than this is certainly the wrong file; refusing it keeps a typo
// (`token_file = "/var/log/syslog"`) from being read into memory and hashed.
constexpr size_t kMaxSecretFileBytes = size_t{64} << 10;

std::string LineSuffix(const Where& w) {
  return w.line > 0 ? " (line " + std::to_string(w.line) + ")" : std::string();
}

std::unexpected<Error> InvalidConfig(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_config", std::move(detail));
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads at most kMaxSecretFileBytes of `path`; on failure returns the problem text.
std::string ReadSecretFile(const std::string& path, std::string* out) {
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    return "cannot read " + internal::Quote(path) + ": " + std::strerror(errno);
  }
  std::string data(kMaxSecretFileBytes + 1, '\0');
  size_t n = std::fread(data.data(), 1, data.size(), f.get());
  if (std::ferror(f.get()) != 0) {
    int err = errno;
    WipeSecret(data);
    return "cannot read " + internal::Quote(path) + ": " + std::strerror(err);
  }
  if (n > kMaxSecretFileBytes) {
    WipeSecret(data);
    return "file " + internal::Quote(path) + " is larger than " +
           std::to_string(kMaxSecretFileBytes) + " bytes";
  }
  while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r')) {
    --n;
  }
  out->assign(data.data(), n);
  WipeSecret(data);
  return {};
}

}  // namespace

const char* KeyTypeName(KeyType t) {
  switch (t) {
    case KeyType::kString:
      return "string";
    case KeyType::kInt:
      return "int";
    case KeyType::kSize:
      return "size";
    case KeyType::kBool:
      return "bool";
    case KeyType::kStringList:
      return "string list";
    case KeyType::kSecret:
      return "secret";
    case KeyType::kTableArray:
      return "table array";
    case KeyType::kStringMap:
      return "table";
  }
  return "?";
}

const char* NodeTypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
  }
  return "?";
}

std::string FormatBytes(int64_t n) {
  struct Unit {
    int64_t size;
    const char* name;
  };
  for (Unit u : {Unit{int64_t{1} << 30, "GiB"}, Unit{int64_t{1} << 20, "MiB"},
                 Unit{int64_t{1} << 10, "KiB"}}) {
    if (n > 0 && n % u.size == 0) {
      return std::to_string(n) + " (" + std::to_string(n / u.size) + " " + u.name + ")";
    }
  }
  return std::to_string(n);
}

std::unexpected<Error> KeyError(const Where& where, std::string_view problem) {
  return InvalidConfig("key " + internal::Quote(where.key) + " in " + std::string(where.origin) +
                       LineSuffix(where) + ": " + std::string(problem));
}

std::unexpected<Error> ConfigError(const Where& where, std::string_view message) {
  return InvalidConfig(std::string(message) + " in " + std::string(where.origin) +
                       LineSuffix(where));
}

void WipeSecret(std::string& s) {
  if (!s.empty()) {
    OPENSSL_cleanse(s.data(), s.size());
  }
  s.clear();
}

Result<std::optional<std::string>> ResolveSecret(const toml::table& table, std::string_view key,
                                                 const Where& where, bool allow_inline) {
  const std::string env_key = std::string(key) + "_env";
  const std::string file_key = std::string(key) + "_file";
  const toml::node* inline_node = table.get(key);
  const toml::node* env_node = table.get(env_key);
  const toml::node* file_node = table.get(file_key);
  const std::string forms = allow_inline ? std::string(key) + ", " + env_key + " or " + file_key
                                         : env_key + " or " + file_key;
  if ((inline_node != nullptr) + (env_node != nullptr) + (file_node != nullptr) > 1) {
    return KeyError(where, "give only one of " + forms);
  }
  std::string secret;
  if (inline_node != nullptr) {
    Where w{where.origin, where.key, internal::LineOf(*inline_node)};
    if (!allow_inline) {
      return KeyError(w, "a plaintext secret is not accepted inline; use " + forms);
    }
    if (!inline_node->is_string()) {
      return KeyError(w, std::string("expected string, got ") + NodeTypeName(*inline_node));
    }
    secret = inline_node->as_string()->get();
  } else if (env_node != nullptr) {
    Where w{where.origin, std::string(where.key) + "_env", internal::LineOf(*env_node)};
    if (!env_node->is_string() || env_node->as_string()->get().empty()) {
      return KeyError(w, std::string("expected the name of an environment variable, got ") +
                             NodeTypeName(*env_node));
    }
    const std::string& var = env_node->as_string()->get();
    const char* value = std::getenv(var.c_str());
    if (value == nullptr) {
      return KeyError(w, "environment variable " + internal::Quote(var) + " is not set");
    }
    secret = value;
    if (secret.empty()) {
      return KeyError(w, "environment variable " + internal::Quote(var) + " is empty");
    }
  } else if (file_node != nullptr) {
    Where w{where.origin, std::string(where.key) + "_file", internal::LineOf(*file_node)};
    if (!file_node->is_string() || file_node->as_string()->get().empty()) {
      return KeyError(w, std::string("expected a file path, got ") + NodeTypeName(*file_node));
    }
    const std::string& path = file_node->as_string()->get();
    if (std::string problem = ReadSecretFile(path, &secret); !problem.empty()) {
      return KeyError(w, problem);
    }
    if (secret.empty()) {
      return KeyError(w, "file " + internal::Quote(path) + " is empty");
    }
  } else {
    return std::optional<std::string>();
  }
  if (secret.empty()) {
    return KeyError(where, "the secret is empty");
  }
  return std::optional<std::string>(std::move(secret));
}

namespace internal {

std::string JoinAllowed(const std::vector<std::string>& allowed, std::string_view sep) {
  std::string out;
  for (const auto& a : allowed) {
    if (!out.empty()) {
      out += sep;
    }
    out += a;
  }
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    // Keep a hostile value from forging log lines or terminal escapes.
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  return out + "'";
}

std::string CheckInt(const toml::node& node, int64_t min, int64_t max, KeyType type,
                     int64_t* value) {
  const auto* i = node.as_integer();
  if (i == nullptr) {
    return std::string(type == KeyType::kSize ? "expected integer (bytes), got "
                                              : "expected integer, got ") +
           NodeTypeName(node);
  }
  *value = i->get();
  if (*value < min || *value > max) {
    auto show = [type](int64_t v) {
      return type == KeyType::kSize ? FormatBytes(v) : std::to_string(v);
    };
    return "value " + std::to_string(*value) + " is out of bounds: must be between " + show(min) +
           " and " + show(max);
  }
  return {};
}

std::string CheckString(const toml::node& node, const std::vector<std::string>& allowed,
                        const std::function<std::string(std::string_view)>& check) {
  const auto* s = node.as_string();
  if (s == nullptr) {
    return std::string("expected string, got ") + NodeTypeName(node);
  }
  if (!allowed.empty()) {
    bool ok = false;
    for (const auto& a : allowed) {
      ok = ok || a == s->get();
    }
    if (!ok) {
      return "value " + Quote(s->get()) + " is not one of " + JoinAllowed(allowed, ", ");
    }
  }
  return check ? check(s->get()) : std::string();
}

std::string CheckStringList(const toml::node& node, const std::vector<std::string>& allowed,
                            bool non_empty, std::vector<std::string>* values) {
  const auto* array = node.as_array();
  if (array == nullptr) {
    return std::string("expected array of strings, got ") + NodeTypeName(node);
  }
  if (non_empty && array->empty()) {
    return "must not be empty";
  }
  for (const toml::node& element : *array) {
    std::string problem = CheckString(element, allowed, {});
    if (!problem.empty()) {
      return problem;
    }
    values->push_back(element.as_string()->get());
  }
  return {};
}

}  // namespace internal
}  // namespace timelined::config::keys
