#pragma once
// Workload derivation: which controller-level name a Kubernetes object belongs to, so that
// events about pod `payments-7d9f8b6c4-x2k9p`, its ReplicaSet and its Deployment share the
// scope `k8s/<namespace>/payments`. Pure functions on names only (no API lookups), so the
// result can be wrong for hand-named pods that happen to look generated; the rules are
// deliberately conservative.
//
//   kind         name                          workload
//   Pod          <name>-<6-10 [a-z0-9]>-<5 [a-z0-9]>   <name>     (Deployment pod; CronJob pod)
//   Pod          <name>-<ordinal>                <name>     (StatefulSet pod: db-0 -> db)
//   Pod          <name>-<5 of bcdfghjklmnpqrstvwxz2456789>  <name>  (DaemonSet / Job pod)
//   Pod          anything else                 the pod name
//   ReplicaSet   <name>-<6-10 [a-z0-9]>          <name>
//   any other    name                          name      (Deployment, StatefulSet, DaemonSet,
//                                                          Job, Node, Service, HPA, ...)
// The 5-character DaemonSet/Job suffix is only stripped when it uses Kubernetes' generated-
// name alphabet (no vowels, no 0/1/3), so `nginx-proxy` stays `nginx-proxy`.
#include <string>
#include <string_view>

namespace timelined::connectors {

std::string DeriveWorkload(std::string_view kind, std::string_view name);

}  // namespace timelined::connectors
