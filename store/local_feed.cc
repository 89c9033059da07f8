#include "store/local_feed.h"

#include <utility>

namespace timelined::store {

void LocalFeed::Publish(std::vector<Event> events, PublishCallback done) {
  const size_t accepted = events.size();
  store_.Submit(std::move(events), [accepted, done = std::move(done)](Result<WriteResult> r) {
    if (!r) {
      done(std::unexpected(std::move(r.error())));
      return;
    }
    done(PublishResult{accepted, r->inserted, r->duplicates});
  });
}

}  // namespace timelined::store
