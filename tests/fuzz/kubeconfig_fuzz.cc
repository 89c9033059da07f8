// kubeconfig text -> ParseMiniYaml and KubeconfigCredentialsFromText
// (connectors/kubernetes/mini_yaml.h, credentials.h). Relative paths resolve against a
// directory that does not exist; nothing is read from or written to disk by the parse.
#include "connectors/kubernetes/credentials.h"
#include "connectors/kubernetes/mini_yaml.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::kubernetes;
  const auto text = timelined::fuzz::AsText(data, size);
  (void)ParseMiniYaml(text);
  (void)KubeconfigCredentialsFromText(text, "/nonexistent-fuzz-dir");
  (void)KubeconfigCredentialsFromText(text, "/nonexistent-fuzz-dir", "prod");
  return 0;
}
