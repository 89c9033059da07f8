#pragma once
// How the Kubernetes watcher reaches and authenticates to the API server.
//
// Sources:
//   InClusterCredentials()   KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT and the
//                            ServiceAccount files under <root>/var/run/secrets/kubernetes.io/
//                            serviceaccount/{token,ca.crt,namespace}
//   KubeconfigCredentials()  a kubeconfig file (current-context or a named context):
//                            clusters[].cluster.{server, certificate-authority[-data],
//                            insecure-skip-tls-verify}, users[].user.{token, tokenFile,
//                            client-certificate[-data], client-key[-data]}. Relative paths are
//                            resolved against the kubeconfig's directory; *-data fields are
//                            base64-decoded into memory (never written to disk). exec and
//                            auth-provider users are rejected (kInvalidInput,
//                            "unsupported_auth").
//   MakeApiClient()          the shared HTTP client (connectors/common/http_client.h) set
//                            up with these credentials' CA, client certificate and checks
// These functions read files and the environment once; they are not used on a hot path.
// Nothing here logs, and error details never contain token or key material.
#include <memory>
#include <string>
#include <string_view>

#include "connectors/common/http_client.h"
#include "store/model/error.h"

namespace timelined::connectors::kubernetes {

struct KubeCredentials {
  std::string server;                 // "https://host:port[/path-prefix]"; http:// allowed (tests)
  std::string bearer_token;           // static token, or "" when token_file is used
  std::string token_file;             // re-read every 60 s and on 401 (projected SA tokens rotate)
  std::string ca_file;                // PEM CA bundle path
  std::string ca_data;                // PEM CA bundle in memory
  std::string client_cert_file;       // PEM client certificate (chain) path
  std::string client_key_file;        // PEM private key path
  std::string client_cert_data;       // PEM client certificate in memory
  std::string client_key_data;        // PEM private key in memory
  bool insecure_skip_verify = false;  // off by default; never on for in-cluster
  std::string namespace_name;         // the context's / pod's namespace, informational
};

inline constexpr std::string_view kServiceAccountDir =
    "/var/run/secrets/kubernetes.io/serviceaccount";

// `root` prefixes the ServiceAccount directory (tests point it at a temp dir).
// Errors: kNotFound "not_in_cluster" when either env var is missing; kUnavailable
// "token_unreadable" when the token file cannot be read.
Result<KubeCredentials> InClusterCredentials(std::string_view root = "");

// `context` empty = current-context. Errors: kNotFound (file, context, cluster or user
// missing), kInvalidInput (bad YAML, bad base64, unsupported auth).
Result<KubeCredentials> KubeconfigCredentials(const std::string& path,
                                              const std::string& context = "");
// The pure part of KubeconfigCredentials: `base_dir` resolves relative file paths.
Result<KubeCredentials> KubeconfigCredentialsFromText(std::string_view yaml,
                                                      std::string_view base_dir,
                                                      const std::string& context = "");
// $KUBECONFIG (first entry) or $HOME/.kube/config.
std::string DefaultKubeconfigPath();

// The bearer token to send now: the token file's content (trimmed) when token_file is set,
// else bearer_token. Errors: kUnavailable "token_unreadable".
Result<std::string> CurrentToken(const KubeCredentials& creds);

// KubeCredentials::server split and checked (connectors::ParseUrl underneath).
struct ServerUrl {
  bool tls = true;
  std::string host;       // without brackets
  std::string port;       // "443" / "80" when absent
  std::string base_path;  // "" or "/prefix" (no trailing slash)

  // The absolute URL of `target` ("/api/v1/events?…") on this server, below base_path.
  std::string UrlOf(std::string_view target) const;
};

// "https://host[:port][/prefix]" or "http://…"; IPv6 hosts in brackets; no user info, query
// or fragment. Errors: kInvalidInput "invalid_server_url".
Result<ServerUrl> ParseServerUrl(std::string_view url);

// A client for the API server: `options` (timeouts, proxy: nullopt = HTTPS_PROXY / NO_PROXY
// from the environment, loopback always direct) with the TLS fields set from `creds`. The CA
// (ca_data, else ca_file) is then the only trust anchor, else the system store; nothing is
// verified with insecure_skip_verify; the client certificate and key (data, else file) are
// presented for mTLS. Peer and host name checks, SNI and TLS >= 1.2 as BeastHttpClient does.
// Errors: kInvalidInput "invalid_server_url", "invalid_tls_config" (unreadable CA, client
// certificate or key; the detail names which).
Result<std::unique_ptr<BeastHttpClient>> MakeApiClient(const KubeCredentials& creds,
                                                       HttpClientOptions options = {});

// RFC 4648 base64 (whitespace ignored). nullopt-like error on bad input.
Result<std::string> Base64Decode(std::string_view in);

// Reads a whole file. kNotFound / kUnavailable on failure; the detail names the path.
Result<std::string> ReadFile(const std::string& path);

}  // namespace timelined::connectors::kubernetes
