#include "store/kafka_consumer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "store/kafka_client.h"
#include "store/kafka_codec.h"
#include "store/log.h"

namespace timelined::store {
namespace {

using Clock = std::chrono::steady_clock;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

struct OffsetRange {
  int64_t first = 0;
  int64_t last = 0;
};
using Ranges = std::map<TopicPartition, OffsetRange>;

// A batch handed to the store writer, waiting for its transaction.
struct InFlightBatch {
  Ranges ranges;
  size_t events = 0;
  std::future<Result<WriteResult>> written;  // valid when events > 0
};

// Batches in flight at once: while the writer commits one, the consumer thread decodes
// the next. Offsets are still committed strictly in order, each after its transaction.
constexpr size_t kPipelineDepth = 2;

constexpr auto kBackoffStart = std::chrono::milliseconds(100);

}  // namespace

struct StoreConsumer::Impl {
  Impl(const KafkaOptions& o, SqliteEventStore& s) : options(o), store(s) {}

  KafkaOptions options;
  SqliteEventStore& store;
  KafkaHandle consumer;
  KafkaHandle dlq;
  KafkaTopic dlq_topic;

  std::thread thread;
  std::mutex mu;  // guards started/stopped and the backoff wait
  std::condition_variable cv;
  bool started = false;
  bool stopped = false;
  std::atomic<bool> stop{false};

  // The batch being collected; consumer thread only (rebalance and delivery callbacks run
  // there too, inside consumer_poll / flush).
  std::vector<Event> events;
  Ranges ranges;
  size_t collected = 0;
  std::deque<InFlightBatch> in_flight;  // oldest first
  uintptr_t generation = 1;             // tags DLQ messages with their batch
  size_t dlq_pending = 0;
  bool dlq_failed = false;
  std::map<TopicPartition, int64_t> committed;  // next offset, per assigned partition
  Clock::time_point next_lag_refresh{};

  std::atomic<uint64_t> batches_committed{0}, events_stored{0}, events_inserted{0},
      events_duplicate{0}, dlq_messages{0}, store_failures{0}, dlq_failures{0}, commit_failures{0},
      consumer_errors{0}, rebalances{0};
  std::atomic<bool> broker_up{false};  // from librdkafka's statistics, every second
  mutable std::mutex lag_mu;
  std::vector<PartitionLag> lags;  // guarded by lag_mu

  void Run();
  void Collect();
  void Handle(const rd_kafka_message_t* m);
  void ProduceToDlq(const rd_kafka_message_t* m, const Error& error);
  bool SubmitPending();
  bool CompleteOldest();
  bool Drain();
  void Abandon();
  void Commit(const Ranges& batch);
  void ResetPending();
  void RefreshLag();
  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  void OnDlqDelivery(const rd_kafka_message_t* m);
  bool WaitBackoff(std::chrono::milliseconds d);
};

namespace {

void RebalanceCallback(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                       void* opaque) {
  static_cast<StoreConsumer::Impl*>(opaque)->OnRebalance(err, parts);
}

void DlqDeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  static_cast<StoreConsumer::Impl*>(opaque)->OnDlqDelivery(m);
}

void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void*) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal_reason[512];
    const rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, fatal_reason, sizeof(fatal_reason));
    Log().error("[kafka={}] fatal error {}: {}", rd_kafka_name(rk), rd_kafka_err2name(orig),
                fatal_reason);
    return;
  }
  // librdkafka recovers from the others by itself and has logged them already.
  const auto level =
      err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ? spdlog::level::warn : spdlog::level::debug;
  Log().log(level, "[kafka={}] {}: {}", rd_kafka_name(rk),
            rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
}

int StatsCallback(rd_kafka_t*, char* json, size_t len, void* opaque) {
  static_cast<StoreConsumer::Impl*>(opaque)->broker_up.store(StatsShowBrokerUp(json, len));
  return 0;  // librdkafka frees json
}

std::string_view Bytes(const void* p, size_t n) {
  return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
}

}  // namespace

void StoreConsumer::Impl::Run() {
  auto backoff = kBackoffStart;
  const auto backoff_max = std::chrono::milliseconds(options.consumer_retry_backoff_max_ms);
  while (!stop.load()) {
    Collect();
    const bool idle = collected == 0;
    bool ok = idle || SubmitPending();
    // Keep at most kPipelineDepth batches in flight; when idle, finish them all.
    while (ok && !in_flight.empty() && (idle || in_flight.size() >= kPipelineDepth))
      ok = CompleteOldest();
    if (ok) {
      backoff = kBackoffStart;
    } else {
      Abandon();
      WaitBackoff(backoff);
      backoff = std::min(backoff * 2, backoff_max);
    }
    rd_kafka_poll(dlq.get(), 0);  // DLQ producer errors and stale delivery reports
    if (Clock::now() >= next_lag_refresh) RefreshLag();
  }
  if (!Drain()) Abandon();
  // Leaving the group revokes the assignment through OnRebalance (nothing is pending here).
  if (rd_kafka_resp_err_t err = rd_kafka_consumer_close(consumer.get()))
    Log().warn("[kafka=consumer] close: {}", rd_kafka_err2str(err));
  rd_kafka_flush(dlq.get(), options.delivery_timeout_ms);
  std::lock_guard lock(lag_mu);
  lags.clear();
}

void StoreConsumer::Impl::Collect() {
  int timeout_ms = options.consumer_poll_timeout_ms;
  while (collected < options.consumer_batch_size && !stop.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), timeout_ms);
    if (m == nullptr) return;
    Handle(m);
    rd_kafka_message_destroy(m);
    // Take what is already fetched; do not wait for more once the batch has begun.
    timeout_ms = 0;
  }
}

void StoreConsumer::Impl::Handle(const rd_kafka_message_t* m) {
  if (m->err) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    consumer_errors.fetch_add(1, std::memory_order_relaxed);
    Log().warn("[kafka=consumer] {}: {}", rd_kafka_err2name(m->err), rd_kafka_message_errstr(m));
    return;
  }
  TopicPartition tp{rd_kafka_topic_name(m->rkt), m->partition};
  auto [it, inserted] = ranges.try_emplace(std::move(tp), OffsetRange{m->offset, m->offset});
  if (!inserted) {
    it->second.first = std::min(it->second.first, m->offset);
    it->second.last = std::max(it->second.last, m->offset);
  }
  ++collected;
  auto event = DecodeEvent(Bytes(m->payload, m->len));
  if (event) {
    events.push_back(std::move(*event));
  } else {
    ProduceToDlq(m, event.error());
  }
}

void StoreConsumer::Impl::ProduceToDlq(const rd_kafka_message_t* m, const Error& error) {
  const std::string reason = error.message + ": " + error.detail;
  const std::string topic = rd_kafka_topic_name(m->rkt);
  const std::string partition = std::to_string(m->partition);
  const std::string offset = std::to_string(m->offset);
  Log().warn("[kafka=consumer] [partition={}] [offset={}] undecodable message ({}); to {}",
             partition, offset, error.message, options.dlq_topic);
  for (int attempt = 0;; ++attempt) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        dlq.get(), RD_KAFKA_V_RKT(dlq_topic.get()), RD_KAFKA_V_KEY(m->key, m->key_len),
        RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER("error", reason.data(), static_cast<ssize_t>(reason.size())),
        RD_KAFKA_V_HEADER("original_topic", topic.data(), static_cast<ssize_t>(topic.size())),
        RD_KAFKA_V_HEADER("original_partition", partition.data(),
                          static_cast<ssize_t>(partition.size())),
        RD_KAFKA_V_HEADER("original_offset", offset.data(), static_cast<ssize_t>(offset.size())),
        // The opaque is the batch's generation as a tag, compared in OnDlqDelivery and never
        // dereferenced; librdkafka's per-message opaque is only a void*.
        RD_KAFKA_V_OPAQUE(
            reinterpret_cast<void*>(generation)),  // NOLINT(performance-no-int-to-ptr)
        RD_KAFKA_V_END);
    if (!err) {
      ++dlq_pending;
      return;
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || attempt >= 10) {
      Log().warn("[kafka=consumer] cannot produce to {}: {}", options.dlq_topic,
                 rd_kafka_err2str(err));
      dlq_failed = true;
      return;
    }
    rd_kafka_poll(dlq.get(), 100);  // queue full: serve delivery reports, then retry
  }
}

void StoreConsumer::Impl::OnDlqDelivery(const rd_kafka_message_t* m) {
  if (reinterpret_cast<uintptr_t>(m->_private) != generation) return;  // an abandoned batch
  --dlq_pending;
  if (m->err) {
    Log().warn("[kafka=consumer] DLQ delivery failed: {}", rd_kafka_err2str(m->err));
    dlq_failed = true;
  } else {
    dlq_messages.fetch_add(1, std::memory_order_relaxed);
  }
}

// Hands the collected batch to the store writer once its dead letters are confirmed.
// False (nothing handed over) if the DLQ could not take them.
bool StoreConsumer::Impl::SubmitPending() {
  if (collected == 0) return true;
  if (dlq_pending > 0) rd_kafka_flush(dlq.get(), options.delivery_timeout_ms + 1000);
  if (dlq_failed || dlq_pending > 0) {
    dlq_failures.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  InFlightBatch batch;
  batch.ranges = std::move(ranges);
  batch.events = events.size();
  if (!events.empty()) {
    auto promise = std::make_shared<std::promise<Result<WriteResult>>>();
    batch.written = promise->get_future();
    store.Submit(std::move(events),
                 [promise](Result<WriteResult> r) { promise->set_value(std::move(r)); });
  }
  in_flight.push_back(std::move(batch));
  ResetPending();
  return true;
}

// Waits for the oldest batch's transaction and commits its offsets. False if the store
// refused it; the batch stays at the front for Abandon().
bool StoreConsumer::Impl::CompleteOldest() {
  InFlightBatch& batch = in_flight.front();
  if (batch.events > 0) {
    Result<WriteResult> r = batch.written.get();
    if (!r) {
      store_failures.fetch_add(1, std::memory_order_relaxed);
      Log().warn("[kafka=consumer] store refused a batch of {} events ({}: {}); will retry",
                 batch.events, ErrorCodeName(r.error().code), r.error().message);
      batch.events = 0;  // its future is consumed; Abandon() only needs the ranges
      return false;
    }
    events_stored.fetch_add(batch.events, std::memory_order_relaxed);
    events_inserted.fetch_add(r->inserted, std::memory_order_relaxed);
    events_duplicate.fetch_add(r->duplicates, std::memory_order_relaxed);
  }
  Commit(batch.ranges);
  in_flight.pop_front();
  return true;
}

// Submits what is collected and completes everything in flight, in order.
bool StoreConsumer::Impl::Drain() {
  if (!SubmitPending()) return false;
  while (!in_flight.empty()) {
    if (!CompleteOldest()) return false;
  }
  return true;
}

// After a failure: waits for the writer to finish with every batch in flight, then seeks
// each partition back to the first offset not committed, so that nothing is skipped.
// Batches after the failed one may be stored already; re-reading them is harmless.
void StoreConsumer::Impl::Abandon() {
  Ranges rewind = std::move(ranges);
  for (InFlightBatch& batch : in_flight) {
    // Only the wait matters: this batch failed or is abandoned either way.
    if (batch.events > 0) (void)batch.written.get();
    for (const auto& [tp, range] : batch.ranges) {
      auto [it, inserted] = rewind.try_emplace(tp, range);
      if (!inserted) it->second.first = std::min(it->second.first, range.first);
    }
  }
  in_flight.clear();
  ResetPending();
  if (rewind.empty()) return;
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(rewind.size())));
  for (const auto& [tp, range] : rewind)
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        range.first;
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(consumer.get(), list.get(), 5000)) {
    Log().warn("[kafka=consumer] seek back failed: {}", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

void StoreConsumer::Impl::Commit(const Ranges& batch) {
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(batch.size())));
  for (const auto& [tp, range] : batch)
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        range.last + 1;
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer.get(), list.get(), /*async=*/0);
  for (int i = 0; !err && i < list->cnt; ++i) err = list->elems[i].err;
  if (err) {
    // The events are stored; whoever owns these partitions next re-reads them (harmless).
    commit_failures.fetch_add(1, std::memory_order_relaxed);
    Log().warn("[kafka=consumer] offset commit failed: {}", rd_kafka_err2str(err));
    return;
  }
  batches_committed.fetch_add(1, std::memory_order_relaxed);
  for (const auto& [tp, range] : batch) committed[tp] = range.last + 1;
}

void StoreConsumer::Impl::ResetPending() {
  events.clear();
  ranges.clear();
  collected = 0;
  ++generation;
  dlq_pending = 0;
  dlq_failed = false;
}

bool StoreConsumer::Impl::WaitBackoff(std::chrono::milliseconds d) {
  std::unique_lock lock(mu);
  return !cv.wait_for(lock, d, [this] { return stop.load(); });
}

void StoreConsumer::Impl::RefreshLag() {
  next_lag_refresh = Clock::now() + std::chrono::milliseconds(options.lag_refresh_ms);
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  KafkaPartitionList assigned(raw);
  rd_kafka_position(consumer.get(), assigned.get());
  std::vector<PartitionLag> fresh;
  for (int i = 0; i < assigned->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = assigned->elems[i];
    PartitionLag lag{p.topic, p.partition};
    auto it = committed.find(TopicPartition{p.topic, p.partition});
    lag.committed = it != committed.end() ? it->second : (p.offset >= 0 ? p.offset : -1);
    int64_t lo = 0;
    int64_t hi = 0;
    if (rd_kafka_get_watermark_offsets(consumer.get(), p.topic, p.partition, &lo, &hi) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        hi >= 0) {
      lag.high_watermark = hi;
      if (lag.committed >= 0) lag.lag = std::max<int64_t>(0, hi - lag.committed);
    }
    fresh.push_back(std::move(lag));
  }
  std::lock_guard lock(lag_mu);
  lags = std::move(fresh);
}

void StoreConsumer::Impl::OnRebalance(rd_kafka_resp_err_t err,
                                      rd_kafka_topic_partition_list_t* parts) {
  rebalances.fetch_add(1, std::memory_order_relaxed);
  const char* protocol = rd_kafka_rebalance_protocol(consumer.get());
  const bool cooperative = protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0;
  rd_kafka_error_t* error = nullptr;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Log().info("[kafka=consumer] assigned {} partitions", parts->cnt);
    if (cooperative) {
      error = rd_kafka_incremental_assign(consumer.get(), parts);
    } else if (rd_kafka_resp_err_t e = rd_kafka_assign(consumer.get(), parts)) {
      Log().warn("[kafka=consumer] assign: {}", rd_kafka_err2str(e));
    }
  } else {
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
      Log().error("[kafka=consumer] rebalance error: {}", rd_kafka_err2str(err));
    Log().info("[kafka=consumer] revoking {} partitions{}", parts->cnt,
               rd_kafka_assignment_lost(consumer.get()) ? " (lost)" : "");
    // Finish what is collected so the next owner starts where this one stopped.
    if (!Drain()) Abandon();
    for (int i = 0; i < parts->cnt; ++i)
      committed.erase(TopicPartition{parts->elems[i].topic, parts->elems[i].partition});
    if (cooperative) {
      error = rd_kafka_incremental_unassign(consumer.get(), parts);
    } else {
      rd_kafka_assign(consumer.get(), nullptr);
    }
  }
  if (error != nullptr) {
    Log().warn("[kafka=consumer] incremental rebalance: {}", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
  next_lag_refresh = Clock::time_point{};  // refresh soon
}

Result<std::unique_ptr<StoreConsumer>> StoreConsumer::Create(const KafkaOptions& options,
                                                             SqliteEventStore& store) {
  if (options.topic.empty() || options.dlq_topic.empty() || options.group_id.empty())
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config",
                     "kafka topic, dlq_topic and group_id must be set");
  if (options.consumer_batch_size == 0 || options.consumer_poll_timeout_ms < 0 ||
      options.delivery_timeout_ms <= 0)
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config",
                     "consumer_batch_size and delivery_timeout_ms must be positive");
  auto impl = std::make_unique<Impl>(options, store);

  auto cconf = MakeKafkaConf(options, RD_KAFKA_CONSUMER,
                             {{"auto.offset.reset", "earliest"}, {"enable.partition.eof", "false"}},
                             {{"group.id", options.group_id},
                              {"statistics.interval.ms", "1000"},  // broker_up for /readyz
                              {"enable.auto.commit", "false"},
                              {"enable.auto.offset.store", "false"}});
  if (!cconf) return std::unexpected(cconf.error());
  rd_kafka_conf_set_opaque(cconf->get(), impl.get());
  rd_kafka_conf_set_rebalance_cb(cconf->get(), RebalanceCallback);
  rd_kafka_conf_set_error_cb(cconf->get(), ErrorCallback);
  rd_kafka_conf_set_stats_cb(cconf->get(), StatsCallback);
  auto consumer = MakeKafkaClient(RD_KAFKA_CONSUMER, std::move(*cconf));
  if (!consumer) return std::unexpected(consumer.error());
  impl->consumer = std::move(*consumer);
  rd_kafka_poll_set_consumer(impl->consumer.get());

  auto pconf = MakeKafkaConf(options, RD_KAFKA_PRODUCER, {{"linger.ms", "5"}},
                             {{"enable.idempotence", "true"},
                              {"acks", "all"},
                              {"message.timeout.ms", std::to_string(options.delivery_timeout_ms)}});
  if (!pconf) return std::unexpected(pconf.error());
  rd_kafka_conf_set_opaque(pconf->get(), impl.get());
  rd_kafka_conf_set_dr_msg_cb(pconf->get(), DlqDeliveryCallback);
  rd_kafka_conf_set_error_cb(pconf->get(), ErrorCallback);
  auto dlq = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(*pconf));
  if (!dlq) return std::unexpected(dlq.error());
  impl->dlq = std::move(*dlq);
  impl->dlq_topic.reset(rd_kafka_topic_new(impl->dlq.get(), options.dlq_topic.c_str(), nullptr));
  if (!impl->dlq_topic)
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config", "cannot use the DLQ topic");
  return std::unique_ptr<StoreConsumer>(new StoreConsumer(std::move(impl)));
}

StoreConsumer::StoreConsumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StoreConsumer::~StoreConsumer() {
  Stop();
  impl_->dlq_topic.reset();
  impl_->dlq.reset();
  impl_->consumer.reset();
}

Result<void> StoreConsumer::Start() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.mu);
    if (impl.started)
      return MakeError(ErrorCode::kInternal, "already_started", "the consumer was started");
    impl.started = true;
  }
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), impl.options.topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(impl.consumer.get(), topics.get())) {
    return MakeError(ErrorCode::kInvalidInput, "kafka_subscribe",
                     std::string("cannot subscribe: ") + rd_kafka_err2str(err));
  }
  Log().info("[kafka=consumer] consuming {} as group {} via {}", impl.options.topic,
             impl.options.group_id, impl.options.brokers);
  impl.thread = std::thread([&impl] { impl.Run(); });
  return {};
}

void StoreConsumer::Stop() {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.mu);
    if (impl.stopped) return;
    impl.stopped = true;
    impl.stop.store(true);
  }
  impl.cv.notify_all();
  if (impl.thread.joinable()) impl.thread.join();
}

StoreConsumerStats StoreConsumer::Stats() const {
  const Impl& impl = *impl_;
  StoreConsumerStats s;
  s.batches_committed = impl.batches_committed.load(std::memory_order_relaxed);
  s.events_stored = impl.events_stored.load(std::memory_order_relaxed);
  s.events_inserted = impl.events_inserted.load(std::memory_order_relaxed);
  s.events_duplicate = impl.events_duplicate.load(std::memory_order_relaxed);
  s.dlq_messages = impl.dlq_messages.load(std::memory_order_relaxed);
  s.store_failures = impl.store_failures.load(std::memory_order_relaxed);
  s.dlq_failures = impl.dlq_failures.load(std::memory_order_relaxed);
  s.commit_failures = impl.commit_failures.load(std::memory_order_relaxed);
  s.consumer_errors = impl.consumer_errors.load(std::memory_order_relaxed);
  s.rebalances = impl.rebalances.load(std::memory_order_relaxed);
  s.broker_up = impl.broker_up.load(std::memory_order_relaxed);
  std::lock_guard lock(impl.lag_mu);
  s.partitions = impl.lags;
  return s;
}

}  // namespace timelined::store
