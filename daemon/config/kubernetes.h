#pragma once
// [kubernetes]: the in-daemon watcher of Kubernetes Events (issue 4): credentials
// (in-cluster ServiceAccount or a kubeconfig context), namespace, selectors, API group,
// TLS verification and back-off bounds. The struct is a member of config::Config; its keys
// are declared in kubernetes.cc (KubernetesKeys) and cross-checked by ValidateKubernetes.
// daemon/kube_watch.{h,cc} turns it into a connectors::kubernetes::Watcher.
#include <string>

namespace timelined::config {

struct KubernetesConfig {
  bool enabled = false;                    // start the watcher in `timelined serve`
  std::string credentials = "in_cluster";  // in_cluster | kubeconfig
  std::string kubeconfig;                  // "" = $KUBECONFIG (first entry) or ~/.kube/config
  std::string context;                     // "" = current-context
  std::string namespace_name;              // "" = all namespaces (needs a ClusterRole)
  std::string label_selector;
  std::string field_selector;             // e.g. "type=Warning"
  std::string api = "core/v1";            // core/v1 | events.k8s.io/v1
  bool insecure_skip_tls_verify = false;  // testing only; refused with in_cluster
  int watch_timeout_seconds = 300;        // server-side timeoutSeconds of each watch
  int backoff_base_ms = 500;
  int backoff_cap_ms = 30'000;
};

}  // namespace timelined::config
