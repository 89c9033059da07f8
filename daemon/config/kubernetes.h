#pragma once
// [kubernetes]: the in-daemon watcher: credentials (in-cluster or kubeconfig), namespace, selectors
// (issue 4). The struct is a member of config::Config; its keys are declared in kubernetes.cc
// (KubernetesKeys) and cross-checked by ValidateKubernetes.

namespace timelined::config {

struct KubernetesConfig {};

}  // namespace timelined::config
