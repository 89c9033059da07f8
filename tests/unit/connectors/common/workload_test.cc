#include "connectors/common/workload.h"

#include <gtest/gtest.h>

namespace timelined::connectors {
namespace {

TEST(KubernetesWorkload, DerivationTable) {
  struct Case {
    const char* kind;
    const char* name;
    const char* workload;
  };
  const Case cases[] = {
      {"Pod", "payments-7d9f8b6c4-x2k9p", "payments"},           // Deployment pod
      {"Pod", "payments-api-5f7d8c9b6d-abcde", "payments-api"},  // dashes in the name
      {"Pod", "legacy-3837843521-z9x8w", "legacy"},              // old numeric RS hash
      {"Pod", "backup-28471230-qwxyz", "backup"},                // CronJob pod
      {"Pod", "db-0", "db"},                                     // StatefulSet pod
      {"Pod", "kafka-broker-12", "kafka-broker"},
      {"Pod", "fluent-bit-x7k2p", "fluent-bit"},  // DaemonSet pod
      {"Pod", "nginx-proxy", "nginx-proxy"},      // vowels: not generated
      {"Pod", "debug-shell", "debug-shell"},
      {"Pod", "standalone", "standalone"},
      {"Pod", "web-01", "web-01"},  // not an ordinal
      {"Pod", "-0", "-0"},
      {"ReplicaSet", "payments-7d9f8b6c4", "payments"},
      {"ReplicaSet", "payments", "payments"},
      {"Deployment", "payments-7d9f8b6c4", "payments-7d9f8b6c4"},
      {"StatefulSet", "db", "db"},
      {"DaemonSet", "fluent-bit", "fluent-bit"},
      {"Job", "backup-28471230", "backup-28471230"},
      {"Node", "worker-3", "worker-3"},
      {"", "", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DeriveWorkload(c.kind, c.name), c.workload) << c.kind << "/" << c.name;
  }
}

}  // namespace
}  // namespace timelined::connectors
