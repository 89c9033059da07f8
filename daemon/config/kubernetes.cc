#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {
namespace {

std::unexpected<Error> Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_config", std::move(detail));
}

// Selectors and the namespace go into a query string / path (URL-encoded by the watcher);
// control characters are never meaningful there and would only hide mistakes.
std::string CheckPrintable(std::string_view s) {
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
      return "must not hold control characters";
  }
  return "";
}

// A namespace is a DNS-1123 label.
std::string CheckNamespace(std::string_view s) {
  if (s.empty()) return "";
  bool ok = s.size() <= 63 && s.front() != '-' && s.back() != '-';
  for (char ch : s) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-');
  return ok ? "" : "expected a DNS-1123 label (a-z 0-9 -, at most 63), or \"\" for all namespaces";
}

}  // namespace

std::vector<keys::KeySpec<Config>> KubernetesKeys() {
  using C = Config;
  using K = KubernetesConfig;
  auto f = [](auto member) { return Field(&C::kubernetes, member); };
  return {
      keys::BoolKey<C>("kubernetes.enabled", f(&K::enabled),
                       "Run the Kubernetes Events watcher (list, then watch, resume, 410 -> "
                       "relist) inside `timelined serve`."),
      keys::StringKey<C>("kubernetes.credentials", f(&K::credentials),
                         "in_cluster: the pod's ServiceAccount token and CA; kubeconfig: a "
                         "kubeconfig context (token, tokenFile or client certificate).",
                         {"in_cluster", "kubeconfig"}),
      keys::StringKey<C>("kubernetes.kubeconfig", f(&K::kubeconfig),
                         "kubeconfig file for credentials = \"kubeconfig\"; \"\" = $KUBECONFIG "
                         "(first entry) or ~/.kube/config."),
      keys::StringKey<C>("kubernetes.context", f(&K::context),
                         "kubeconfig context; \"\" = its current-context.", {}, CheckPrintable),
      keys::StringKey<C>("kubernetes.namespace", f(&K::namespace_name),
                         "Watch one namespace (a Role suffices); \"\" = all namespaces (needs a "
                         "ClusterRole).",
                         {}, CheckNamespace),
      keys::StringKey<C>("kubernetes.label_selector", f(&K::label_selector),
                         "labelSelector for LIST and WATCH, e.g. \"team=payments\".", {},
                         CheckPrintable),
      keys::StringKey<C>("kubernetes.field_selector", f(&K::field_selector),
                         "fieldSelector for LIST and WATCH, e.g. \"type=Warning\" (core/v1 "
                         "field names).",
                         {}, CheckPrintable),
      keys::StringKey<C>("kubernetes.api", f(&K::api),
                         "Which view of Events to watch: /api/v1 or /apis/events.k8s.io/v1.",
                         {"core/v1", "events.k8s.io/v1"}),
      keys::BoolKey<C>("kubernetes.insecure_skip_tls_verify", f(&K::insecure_skip_tls_verify),
                       "FOR TESTING ONLY: do not verify the API server's certificate. Refused "
                       "with in_cluster credentials."),
      keys::IntKey<C>("kubernetes.watch_timeout_seconds", f(&K::watch_timeout_seconds), 10, 3600,
                      "timeoutSeconds of each WATCH; the server then ends it cleanly and the "
                      "watcher resumes from the last resourceVersion."),
      keys::IntKey<C>("kubernetes.backoff_base_ms", f(&K::backoff_base_ms), 10, 60'000,
                      "First retry delay after a failure (doubles per failure, with jitter)."),
      keys::IntKey<C>("kubernetes.backoff_cap_ms", f(&K::backoff_cap_ms), 100, 600'000,
                      "Longest retry delay; at least backoff_base_ms."),
  };
}

Result<void> ValidateKubernetes(const Config& c) {
  const KubernetesConfig& k = c.kubernetes;
  if (k.backoff_cap_ms < k.backoff_base_ms) {
    return Invalid("kubernetes.backoff_cap_ms (" + std::to_string(k.backoff_cap_ms) +
                   ") must be at least kubernetes.backoff_base_ms (" +
                   std::to_string(k.backoff_base_ms) + ")");
  }
  if (k.credentials == "in_cluster") {
    if (k.insecure_skip_tls_verify) {
      return Invalid(
          "kubernetes.insecure_skip_tls_verify is refused with credentials = \"in_cluster\": the "
          "ServiceAccount CA is always available in a pod");
    }
    if (!k.kubeconfig.empty() || !k.context.empty()) {
      return Invalid(
          "kubernetes.kubeconfig / kubernetes.context are set but credentials = \"in_cluster\"; "
          "set credentials = \"kubeconfig\" to use them");
    }
  }
  return {};
}

}  // namespace timelined::config
