#pragma once
// DraftStore: what the drafts service and the draft routes need of the store — reading
// evidence (EventReader) and the versioned drafts of an incident — and nothing else, so the
// daemon's draft code depends on this, not on SqliteEventStore (which implements it).
//
// Drafts (store/drafts.cc): one row per generation; versions of an incident are 1, 2, 3, ...
// without gaps. Drafts are written on the store's own drafts connection (not the event
// writer's queue), each write one short transaction; reads use the reader pool. All methods
// are safe from any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/model/error.h"
#include "store/model/reader.h"

namespace timelined::store {

// SaveDraft lost a race for the version number: build again with the next one.
inline constexpr Reason kDraftVersionTaken{"draft_version_taken", ErrorCode::kUnavailable};

struct StoredDraft {
  std::string incident_id;
  int version = 0;
  std::string trigger;  // auto_close | regenerate | api
  std::string generator;
  std::string config_hash;
  std::string input_digest;
  std::string markdown;    // as generated (stale = false); see the daemon for the stale header
  std::string json;        // empty in ListDrafts
  int64_t created_at = 0;  // ns since the epoch
  bool stale = false;
};

class DraftStore : public EventReader {
 public:
  // Inserts `d` as the incident's next version: in one IMMEDIATE transaction it checks that
  // d.version == latest + 1 (1 for the first) and fails with kDraftVersionTaken (detail
  // naming the expected version) otherwise, so two generators racing never overwrite each
  // other; the loser rebuilds with the next number. kInvalidInput for an empty incident_id
  // or a version < 1.
  virtual Result<void> SaveDraft(const StoredDraft& d) = 0;
  // The version's draft (version 0 = the latest), or nullopt when there is none.
  virtual Result<std::optional<StoredDraft>> GetDraft(const std::string& incident_id,
                                                      int version) const = 0;
  // Every version of the incident, oldest first, without markdown and json.
  virtual Result<std::vector<StoredDraft>> ListDrafts(const std::string& incident_id) const = 0;
  // The latest version number, 0 when the incident has no draft.
  virtual Result<int> LatestDraftVersion(const std::string& incident_id) const = 0;
  // Marks every not-yet-stale version of the incident stale; returns how many changed.
  virtual Result<int> MarkDraftsStale(const std::string& incident_id) = 0;
  // Incidents having at least one draft that is not stale, sorted.
  virtual Result<std::vector<std::string>> IncidentsWithFreshDrafts() const = 0;
  // The last event seq whose transaction has committed: a draft built after reading this
  // has seen every event up to it (the stale check compares inserted events' seq with it).
  virtual int64_t CommittedSeq() const = 0;
};

}  // namespace timelined::store
