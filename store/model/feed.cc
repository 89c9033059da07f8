#include "store/model/feed.h"

#include <future>

namespace timelined {

Result<PublishResult> PublishAndWait(Feed& feed, std::vector<Event> events) {
  auto promise = std::make_shared<std::promise<Result<PublishResult>>>();
  auto future = promise->get_future();
  feed.Publish(std::move(events),
               [promise](Result<PublishResult> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace timelined
