#pragma once
// BuildDraft: the summarizer's top-level entry point for the daemon.
//
//   pass 1  CorrelateEach (kBySource: no copies) -> TimelineBuilder -> Timeline
//           (Slack authors' `slack.user` events are looked up by ID in the reader)
//   pass 2  CorrelateEach again (kByTime, keeping only cited events and only their
//           identity fields): a "Source events" entry per cited event, in time order,
//           then the cited `slack.user` events, and each one's (id, raw_sha256) for the
//           input digest
//   render  Markdown (digest patched into the header) and JSON
//
// Two streaming passes keep memory independent of the events' size: only packed IDs and
// the output text are held. If the store changes between the passes (a cited event is
// gone) the build fails with kUnavailable and can be retried. Identical events, incident,
// config, meta and `now` give byte-identical markdown and json.
//
// Thread-safety: none needed; the function is pure apart from reading `reader`.
#include <string>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/reader.h"
#include "summarizer/config.h"
#include "summarizer/correlate.h"
#include "summarizer/render.h"
#include "summarizer/timeline.h"

namespace timelined::summarizer {

struct Draft {
  DraftMeta meta;  // input_digest, config_hash and (if empty) generator filled in
  std::string markdown;
  std::string json;
  std::vector<std::string> cited_ids;  // sorted, unique
  size_t correlated_count = 0;
  Timeline timeline;
};

// `meta_in` supplies incident_id (defaults to incident.id), version, trigger, stale and
// generated_at. `now` is the end of the window of an open incident (see correlate.h).
Result<Draft> BuildDraft(const Incident& incident, const SummarizerConfig& config,
                         const EventReader& reader, const DraftMeta& meta_in, Nanos now);

}  // namespace timelined::summarizer
