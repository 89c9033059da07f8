#include "connectors/kubernetes/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "connectors/common/url.h"
#include "connectors/kubernetes/mini_yaml.h"
#include "tests/unit/connectors/kubernetes/fixture_util.h"

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;
using testing::ReadFixture;

TEST(MiniYaml, KubectlStyleDocument) {
  const std::string text = R"(# comment
a: 1
b: "two # not a comment"
c: 'it''s'
list:
- x
- name: n1
  inner:
    k: v
- - nested
empty: {}
none:
flag: true
url: https://h:6443/p
)";
  auto doc = ParseMiniYaml(text);
  ASSERT_TRUE(doc.has_value()) << doc.error().detail;
  const json expected = {{"a", "1"},
                         {"b", "two # not a comment"},
                         {"c", "it's"},
                         {"list", {"x", {{"name", "n1"}, {"inner", {{"k", "v"}}}}, {"nested"}}},
                         {"empty", json::object()},
                         {"none", nullptr},
                         {"flag", true},
                         {"url", "https://h:6443/p"}};
  EXPECT_EQ(*doc, expected);
}

TEST(MiniYaml, RejectsUnsupportedConstructsWithLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"a: |\n  block\n", "line 1: "},
      {"a: 1\nb: &anchor x\n", "line 2: "},
      {"a: 1\n  b: 2\n", "line 2: "},
      {"just a scalar line\n", "line 1: "},
  };
  for (const auto& [text, prefix] : cases) {
    auto doc = ParseMiniYaml(text);
    ASSERT_FALSE(doc.has_value()) << text;
    EXPECT_TRUE(doc.error().detail.starts_with(prefix)) << doc.error().detail;
  }
}

TEST(MiniYaml, JsonKubeconfig) {
  auto doc = ParseMiniYaml(R"({"current-context": "x", "contexts": []})");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["current-context"], "x");
}

TEST(KubeconfigCredentials, CurrentContextWithTokenAndCaData) {
  auto c = KubeconfigCredentials(testing::FixturePath("kubernetes/kubeconfig.yaml"));
  ASSERT_TRUE(c.has_value()) << c.error().detail;
  EXPECT_EQ(c->server, "https://10.0.0.1:6443");
  EXPECT_EQ(c->bearer_token, "not-a-real-token");
  EXPECT_EQ(c->ca_data, "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(c->namespace_name, "payments");
  EXPECT_FALSE(c->insecure_skip_verify);
}

TEST(KubeconfigCredentials, NamedContextResolvesRelativePaths) {
  const std::string text = ReadFixture("kubernetes/kubeconfig.yaml");
  auto c = KubeconfigCredentialsFromText(text, "/etc/kube", "staging-ctx");
  ASSERT_TRUE(c.has_value()) << c.error().detail;
  EXPECT_EQ(c->server, "https://staging.example.internal:443/k8s/clusters/c-1");
  EXPECT_EQ(c->ca_file, "/etc/kube/ca/staging-ca.crt");
  EXPECT_EQ(c->client_cert_file, "/etc/kube/certs/client.crt");
  EXPECT_EQ(c->client_key_file, "/abs/client.key");
  EXPECT_TRUE(c->bearer_token.empty());
}

TEST(KubeconfigCredentials, Errors) {
  const std::string text = ReadFixture("kubernetes/kubeconfig.yaml");
  auto exec = KubeconfigCredentialsFromText(text, "/", "exec-ctx");
  ASSERT_FALSE(exec.has_value());
  EXPECT_EQ(exec.error().message, "unsupported_auth");
  auto missing = KubeconfigCredentialsFromText(text, "/", "nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto no_file = KubeconfigCredentials("/nonexistent/kubeconfig");
  ASSERT_FALSE(no_file.has_value());
  EXPECT_EQ(no_file.error().code, ErrorCode::kNotFound);
  auto bad_b64 = KubeconfigCredentialsFromText(
      "current-context: c\ncontexts:\n- name: c\n  context:\n    cluster: k\nclusters:\n- name: k\n"
      "  cluster:\n    server: https://x\n    certificate-authority-data: '!!!'\n",
      "/", "");
  ASSERT_FALSE(bad_b64.has_value());
  EXPECT_EQ(bad_b64.error().code, ErrorCode::kInvalidInput);
}

class InClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("timelined-incluster-" + std::to_string(::getpid()));
    dir_ = root_ / std::string(kServiceAccountDir).substr(1);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "token") << "token-v1\n";
    std::ofstream(dir_ / "ca.crt") << "pem";
    std::ofstream(dir_ / "namespace") << "observability";
  }
  void TearDown() override {
    std::filesystem::remove_all(root_);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
  }
  std::filesystem::path root_, dir_;
};

TEST_F(InClusterTest, ReadsEnvAndServiceAccountFiles) {
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto c = InClusterCredentials(root_.string());
  ASSERT_TRUE(c.has_value()) << c.error().detail;
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->token_file, (dir_ / "token").string());
  EXPECT_EQ(c->ca_file, (dir_ / "ca.crt").string());
  EXPECT_EQ(c->namespace_name, "observability");
  EXPECT_EQ(CurrentToken(*c).value_or(""), "token-v1");
  // Rotation: the file is re-read, not cached here.
  std::ofstream(dir_ / "token") << "token-v2";
  EXPECT_EQ(CurrentToken(*c).value_or(""), "token-v2");
}

TEST_F(InClusterTest, Ipv6HostIsBracketed) {
  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
  auto c = InClusterCredentials(root_.string());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->server, "https://[fd00::1]:6443");
}

TEST_F(InClusterTest, NotInClusterAndUnreadableToken) {
  unsetenv("KUBERNETES_SERVICE_HOST");
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto none = InClusterCredentials(root_.string());
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().message, "not_in_cluster");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  std::filesystem::remove(dir_ / "token");
  auto no_token = InClusterCredentials(root_.string());
  ASSERT_FALSE(no_token.has_value());
  EXPECT_EQ(no_token.error().code, ErrorCode::kUnavailable);
}

TEST(Base64, DecodeTable) {
  const std::pair<const char*, const char*> ok[] = {
      {"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zm9v\nYmFy", "foobar"}};
  for (const auto& [in, out] : ok) EXPECT_EQ(Base64Decode(in).value_or("<err>"), out) << in;
  for (const char* bad : {"Z", "Zm9v!", "Zg==Zg", "Zg==="}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

TEST(ServerUrl, ParseTable) {
  struct Case {
    const char* url;
    bool tls;
    const char* host;
    const char* port;
    const char* base;
  };
  const Case cases[] = {
      {"https://10.0.0.1:6443", true, "10.0.0.1", "6443", ""},
      {"https://k8s.example.com", true, "k8s.example.com", "443", ""},
      {"http://127.0.0.1:8001/", false, "127.0.0.1", "8001", ""},
      {"https://[fd00::1]:6443/k8s/clusters/c-1/", true, "fd00::1", "6443", "/k8s/clusters/c-1"},
  };
  for (const Case& c : cases) {
    auto u = ParseServerUrl(c.url);
    ASSERT_TRUE(u.has_value()) << c.url;
    EXPECT_EQ(u->tls, c.tls);
    EXPECT_EQ(u->host, c.host);
    EXPECT_EQ(u->port, c.port);
    EXPECT_EQ(u->base_path, c.base);
  }
  for (const char* bad : {"ftp://x", "https://", "https://h:port", "https://u@h", "https://[::1"}) {
    EXPECT_FALSE(ParseServerUrl(bad).has_value()) << bad;
  }
}

TEST(UrlEncode, EncodesSelectors) {
  EXPECT_EQ(UrlEncode("type=Warning,reason!=Pulled"), "type%3DWarning%2Creason%21%3DPulled");
  EXPECT_EQ(UrlEncode("a-b_c.d~e"), "a-b_c.d~e");
}

}  // namespace
}  // namespace timelined::connectors::kubernetes
