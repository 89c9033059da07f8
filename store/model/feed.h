#pragma once
// The Feed: where connectors hand their events. Implementations: LocalFeed (straight into
// the store writer, the embedded default) and KafkaFeed (produce to Kafka).
//
// Durability rule: the completion is called with success only once every event of the
// batch is durable (SQLite committed, or Kafka delivery report received). Until then the
// caller must not acknowledge its sender. A failure means none of the events may be assumed
// durable; the sender should retry (events are idempotent by ID).
#include <functional>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"

namespace timelined {

struct PublishResult {
  size_t accepted = 0;    // events in the batch
  size_t inserted = 0;    // new in the store (local feed only; Kafka cannot know)
  size_t duplicates = 0;  // already stored (local feed only)
};

using PublishCallback = std::function<void(Result<PublishResult>)>;

class Feed {
 public:
  virtual ~Feed() = default;
  // Takes ownership of `events` (already validated and redacted). `done` is called exactly
  // once, on an internal thread: it must not block and must not call Publish re-entrantly.
  virtual void Publish(std::vector<Event> events, PublishCallback done) = 0;
  // True when the feed can currently make events durable (for /readyz).
  virtual bool Ready() const = 0;
};

// Blocks until the batch is durable or failed. For command-line tools and tests.
Result<PublishResult> PublishAndWait(Feed& feed, std::vector<Event> events);

}  // namespace timelined
