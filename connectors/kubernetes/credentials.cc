#include "connectors/kubernetes/credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "connectors/common/url.h"
#include "connectors/kubernetes/mini_yaml.h"

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The `field` object of the entry of list `list_key` whose name is `name`.
const json* Named(const json& doc, const char* list_key, const std::string& name,
                  const char* field) {
  if (!doc.is_object() || !doc.contains(list_key) || !doc[list_key].is_array()) return nullptr;
  for (const json& entry : doc[list_key]) {
    if (Str(entry, "name") == name && entry.contains(field) && entry[field].is_object()) {
      return &entry[field];
    }
  }
  return nullptr;
}

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  std::string out(base_dir);
  if (out.back() != '/') out.push_back('/');
  return out + path;
}

// Decodes `j[key]` (base64) into *out when present.
Result<void> DecodeField(const json& j, const char* key, std::string* out) {
  const std::string b64 = Str(j, key);
  if (b64.empty()) return {};
  auto decoded = Base64Decode(b64);
  if (!decoded) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_kubeconfig",
                     std::string(key) + " is not valid base64");
  }
  *out = std::move(*decoded);
  return {};
}

Result<void> ReadCluster(const json& cluster, std::string_view base_dir, KubeCredentials* c) {
  c->server = Str(cluster, "server");
  if (c->server.empty()) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_kubeconfig", "cluster has no server");
  }
  c->ca_file = Resolve(base_dir, Str(cluster, "certificate-authority"));
  if (auto r = DecodeField(cluster, "certificate-authority-data", &c->ca_data); !r) return r;
  if (cluster.contains("insecure-skip-tls-verify")) {
    const json& v = cluster["insecure-skip-tls-verify"];
    c->insecure_skip_verify =
        v.is_boolean() ? v.get<bool>() : Str(cluster, "insecure-skip-tls-verify") == "true";
  }
  return {};
}

Result<void> ReadUser(const json& user, std::string_view base_dir, KubeCredentials* c) {
  if (user.contains("exec") || user.contains("auth-provider")) {
    return MakeError(ErrorCode::kInvalidInput, "unsupported_auth",
                     "exec and auth-provider credentials are not supported; use a token, "
                     "tokenFile or client certificate");
  }
  c->bearer_token = Str(user, "token");
  c->token_file = Resolve(base_dir, Str(user, "tokenFile"));
  c->client_cert_file = Resolve(base_dir, Str(user, "client-certificate"));
  c->client_key_file = Resolve(base_dir, Str(user, "client-key"));
  if (auto r = DecodeField(user, "client-certificate-data", &c->client_cert_data); !r) return r;
  return DecodeField(user, "client-key-data", &c->client_key_data);
}

int Base64Value(char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+' || ch == '-') return 62;
  if (ch == '/' || ch == '_') return 63;
  return -1;
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "file_not_found", "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return MakeError(ErrorCode::kUnavailable, "file_unreadable", "cannot read " + path);
  return ss.str();
}

Result<std::string> Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char ch : in) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
    if (ch == '=') {
      ++pad;
      continue;
    }
    const int v = Base64Value(ch);
    if (v < 0 || pad > 0) return MakeError(ErrorCode::kInvalidInput, "invalid_base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (pad > 2 || bits >= 6) return MakeError(ErrorCode::kInvalidInput, "invalid_base64");
  return out;
}

Result<KubeCredentials> InClusterCredentials(std::string_view root) {
  const std::string host = Env("KUBERNETES_SERVICE_HOST");
  const std::string port = Env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return MakeError(ErrorCode::kNotFound, "not_in_cluster",
                     "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  const std::string dir = std::string(root) + std::string(kServiceAccountDir);
  KubeCredentials c;
  const bool ipv6 = host.find(':') != std::string::npos;
  c.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  c.token_file = dir + "/token";
  c.ca_file = dir + "/ca.crt";
  if (auto ns = ReadFile(dir + "/namespace")) c.namespace_name = Trim(*ns);
  if (auto token = CurrentToken(c); !token) return std::unexpected(token.error());
  return c;
}

Result<KubeCredentials> KubeconfigCredentialsFromText(std::string_view yaml,
                                                      std::string_view base_dir,
                                                      const std::string& context) {
  auto doc = ParseMiniYaml(yaml);
  if (!doc) return std::unexpected(doc.error());
  const std::string name = context.empty() ? Str(*doc, "current-context") : context;
  if (name.empty()) return MakeError(ErrorCode::kNotFound, "no_context", "no current-context");
  const json* ctx = Named(*doc, "contexts", name, "context");
  if (ctx == nullptr) return MakeError(ErrorCode::kNotFound, "no_context", "context " + name);
  const json* cluster = Named(*doc, "clusters", Str(*ctx, "cluster"), "cluster");
  if (cluster == nullptr) {
    return MakeError(ErrorCode::kNotFound, "no_cluster", "cluster " + Str(*ctx, "cluster"));
  }
  KubeCredentials c;
  c.namespace_name = Str(*ctx, "namespace");
  if (auto r = ReadCluster(*cluster, base_dir, &c); !r) return std::unexpected(r.error());
  const std::string user_name = Str(*ctx, "user");
  if (!user_name.empty()) {
    const json* user = Named(*doc, "users", user_name, "user");
    if (user == nullptr) return MakeError(ErrorCode::kNotFound, "no_user", "user " + user_name);
    if (auto r = ReadUser(*user, base_dir, &c); !r) return std::unexpected(r.error());
  }
  return c;
}

Result<KubeCredentials> KubeconfigCredentials(const std::string& path, const std::string& context) {
  auto text = ReadFile(path);
  if (!text) return std::unexpected(text.error());
  const size_t slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? "." : path.substr(0, slash);
  return KubeconfigCredentialsFromText(*text, base.empty() ? "/" : base, context);
}

std::string DefaultKubeconfigPath() {
  std::string env = Env("KUBECONFIG");
  if (!env.empty()) return env.substr(0, env.find(':'));
  return Env("HOME") + "/.kube/config";
}

Result<std::string> CurrentToken(const KubeCredentials& creds) {
  if (creds.token_file.empty()) return creds.bearer_token;
  auto text = ReadFile(creds.token_file);
  if (!text) {
    return MakeError(ErrorCode::kUnavailable, "token_unreadable",
                     "cannot read token file " + creds.token_file);
  }
  return Trim(*text);
}

std::string ServerUrl::UrlOf(std::string_view target) const {
  const bool v6 = host.find(':') != std::string::npos;
  return (tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" + port + base_path +
         std::string(target);
}

Result<ServerUrl> ParseServerUrl(std::string_view url) {
  auto bad = [](std::string detail) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_server_url", std::move(detail));
  };
  auto parsed = ParseUrl(url);
  if (!parsed) return bad(parsed.error().detail);
  if (parsed->target.find('?') != std::string::npos || url.find('#') != std::string_view::npos) {
    return bad("a server URL has no query or fragment");
  }
  std::string_view path = parsed->target;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return ServerUrl{parsed->scheme == "https", parsed->host, parsed->port, std::string(path)};
}

Result<std::unique_ptr<BeastHttpClient>> MakeApiClient(const KubeCredentials& creds,
                                                       HttpClientOptions options) {
  if (auto url = ParseServerUrl(creds.server); !url) return std::unexpected(url.error());
  options.verify_peer = !creds.insecure_skip_verify;
  if (options.verify_peer) {
    // The cluster's own CA replaces the system store (as kubectl does), rather than joining it.
    options.ca_pem = creds.ca_data;
    options.ca_file = creds.ca_data.empty() ? creds.ca_file : "";
    options.system_cas = options.ca_pem.empty() && options.ca_file.empty();
  }
  options.client_cert_pem = creds.client_cert_data;
  options.client_cert_file = creds.client_cert_file;
  options.client_key_pem = creds.client_key_data;
  options.client_key_file = creds.client_key_file;
  auto client = BeastHttpClient::Create(std::move(options));
  if (!client) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_tls_config", client.error().detail);
  }
  return std::move(*client);
}

}  // namespace timelined::connectors::kubernetes
