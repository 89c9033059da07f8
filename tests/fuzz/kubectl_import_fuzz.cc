// kubectl output (List, watch entries, single Events, back to back) -> ParseKubectlJson
// (connectors/kubernetes/kubectl_import.h): POST /ingest/kubernetes and `timelined import`.
#include "connectors/kubernetes/kubectl_import.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = timelined::connectors::kubernetes::ParseKubectlJson(timelined::fuzz::AsText(data, size),
                                                               timelined::fuzz::kReceivedAt);
  (void)r;
  return 0;
}
