#pragma once
// The Kubernetes source: POST /ingest/kubernetes (scope ingest; `kubectl get events -o json`
// or `-w -o json` output, source label "kubernetes") and, with [kubernetes] enabled, the
// in-process watcher (KubeWatch: its metrics, its state on /readyz, started once the
// listener is up). Runs wherever there is a feed.
#include "daemon/http/types.h"
#include "daemon/ingest/pipeline.h"
#include "daemon/sources/source.h"

namespace timelined::daemon {

// POST /ingest/kubernetes. The body may be gzip (at most `max_decompressed_bytes` inflated).
void HandleIngestKubernetes(IngestPipeline& ingest, size_t max_decompressed_bytes,
                            const Clock& clock, http::Request& req, http::Respond respond);

// Null without an IngestPipeline (the store role); an error when the watcher is enabled but
// its credentials do not resolve (KubeWatch::Create).
Result<std::unique_ptr<Source>> MakeKubernetesSource(const config::Config& config,
                                                     const SourceContext& context);

}  // namespace timelined::daemon
