// [kubernetes]: defaults, accepted values and the cross-field checks of ValidateKubernetes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/config/config.h"

namespace timelined::config {
namespace {

using ::testing::HasSubstr;

std::string Error(std::string_view text) {
  auto c = ParseConfig(text);
  if (c) {
    ADD_FAILURE() << "parsed: " << text;
    return {};
  }
  return c.error().detail;
}

TEST(KubernetesConfig, DefaultsAreOffInClusterCoreV1) {
  Config c = DefaultConfig();
  EXPECT_FALSE(c.kubernetes.enabled);
  EXPECT_EQ(c.kubernetes.credentials, "in_cluster");
  EXPECT_EQ(c.kubernetes.api, "core/v1");
  EXPECT_FALSE(c.kubernetes.insecure_skip_tls_verify);
  EXPECT_EQ(c.kubernetes.namespace_name, "");
}

TEST(KubernetesConfig, ReadsEveryKey) {
  auto c = ParseConfig(R"([kubernetes]
enabled = true
credentials = "kubeconfig"
kubeconfig = "/etc/kube/config"
context = "prod-eu"
namespace = "payments"
label_selector = "team=payments"
field_selector = "type=Warning"
api = "events.k8s.io/v1"
insecure_skip_tls_verify = true
watch_timeout_seconds = 60
backoff_base_ms = 100
backoff_cap_ms = 1000
)");
  ASSERT_TRUE(c.has_value()) << c.error().detail;
  const KubernetesConfig& k = c->kubernetes;
  EXPECT_TRUE(k.enabled);
  EXPECT_EQ(k.credentials, "kubeconfig");
  EXPECT_EQ(k.kubeconfig, "/etc/kube/config");
  EXPECT_EQ(k.context, "prod-eu");
  EXPECT_EQ(k.namespace_name, "payments");
  EXPECT_EQ(k.label_selector, "team=payments");
  EXPECT_EQ(k.field_selector, "type=Warning");
  EXPECT_EQ(k.api, "events.k8s.io/v1");
  EXPECT_TRUE(k.insecure_skip_tls_verify);
  EXPECT_EQ(k.watch_timeout_seconds, 60);
  EXPECT_EQ(k.backoff_base_ms, 100);
  EXPECT_EQ(k.backoff_cap_ms, 1000);
}

TEST(KubernetesConfig, RejectsBadValuesNamingTheKey) {
  EXPECT_THAT(Error("[kubernetes]\ncredentials = \"exec\"\n"), HasSubstr("kubernetes.credentials"));
  EXPECT_THAT(Error("[kubernetes]\napi = \"apps/v1\"\n"), HasSubstr("kubernetes.api"));
  EXPECT_THAT(Error("[kubernetes]\nnamespace = \"Prod_EU\"\n"), HasSubstr("kubernetes.namespace"));
  EXPECT_THAT(Error("[kubernetes]\nwatch_timeout_seconds = 1\n"),
              HasSubstr("kubernetes.watch_timeout_seconds"));
  EXPECT_THAT(Error("[kubernetes]\nbackoff_base_ms = 5000\nbackoff_cap_ms = 1000\n"),
              HasSubstr("backoff_cap_ms"));
  EXPECT_THAT(Error("[kubernetes]\nlabel_selector = \"a=b\\n\"\n"),
              HasSubstr("kubernetes.label_selector"));
  EXPECT_THAT(Error("[kubernetes]\nwatch_everything = true\n"),
              HasSubstr("kubernetes.watch_everything"));
}

TEST(KubernetesConfig, InsecureAndKubeconfigKeysNeedKubeconfigCredentials) {
  EXPECT_THAT(Error("[kubernetes]\ninsecure_skip_tls_verify = true\n"), HasSubstr("in_cluster"));
  EXPECT_THAT(Error("[kubernetes]\nkubeconfig = \"/k\"\n"),
              HasSubstr("credentials = \"kubeconfig\""));
}

}  // namespace
}  // namespace timelined::config
