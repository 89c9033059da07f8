#include "store/kafka_feed.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "store/kafka_client.h"
#include "store/kafka_codec.h"
#include "store/log.h"

namespace timelined::store {
namespace {

// One Publish call: completes when every message produced for it has its delivery report.
// `refs` counts those messages plus one held by Publish itself while it is producing, so a
// fast delivery report cannot complete the batch before all of it was handed to Kafka.
struct Batch {
  std::atomic<size_t> refs;
  size_t accepted = 0;
  PublishCallback done;
  std::mutex mu;
  bool failed = false;  // guarded by mu
  Error error;          // the first failure, guarded by mu
};

Error ErrorForProduce(rd_kafka_resp_err_t err) {
  const std::string detail = rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return {ErrorCode::kExhausted, "kafka_queue_full", detail};
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return {ErrorCode::kTooLarge, "kafka_message_too_large", detail};
    default:
      return {ErrorCode::kUnavailable, "kafka_produce_failed", detail};
  }
}

}  // namespace

struct KafkaFeed::Impl {
  KafkaOptions options;
  KafkaHandle rk;
  KafkaTopic rkt;
  std::thread poll_thread;
  std::atomic<bool> stop{false};

  std::atomic<uint64_t> in_flight{0};
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> delivery_errors{0};
  std::atomic<uint64_t> batches_ok{0};
  std::atomic<uint64_t> batches_failed{0};
  std::atomic<uint64_t> batches_rejected{0};
  std::atomic<bool> broker_up{false};
  std::atomic<bool> fatal{false};

  void Fail(Batch& b, Error error) {
    std::lock_guard lock(b.mu);
    if (b.failed) return;
    b.failed = true;
    b.error = std::move(error);
  }

  void Release(Batch* b, size_t n) {
    if (b->refs.fetch_sub(n, std::memory_order_acq_rel) != n) return;
    // Last reference: no other thread touches b any more.
    if (b->failed) {
      if (b->error.code == ErrorCode::kExhausted) {
        batches_rejected.fetch_add(1, std::memory_order_relaxed);
      } else {
        batches_failed.fetch_add(1, std::memory_order_relaxed);
      }
      b->done(std::unexpected(std::move(b->error)));
    } else {
      batches_ok.fetch_add(1, std::memory_order_relaxed);
      b->done(PublishResult{b->accepted, 0, 0});
    }
    delete b;
  }

  // Reserves room for n events under options.queue_limit.
  bool Reserve(size_t n) {
    uint64_t cur = in_flight.load(std::memory_order_relaxed);
    do {
      if (cur + n > options.queue_limit) return false;
    } while (!in_flight.compare_exchange_weak(cur, cur + n, std::memory_order_relaxed));
    return true;
  }

  void OnDelivery(const rd_kafka_message_t* m) {
    auto* b = static_cast<Batch*>(m->_private);
    in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (m->err) {
      delivery_errors.fetch_add(1, std::memory_order_relaxed);
      Fail(*b, Error{ErrorCode::kUnavailable, "kafka_delivery_failed", rd_kafka_err2str(m->err)});
    } else {
      delivered.fetch_add(1, std::memory_order_relaxed);
      broker_up.store(true, std::memory_order_relaxed);
    }
    Release(b, 1);
  }

  void OnError(rd_kafka_t* handle, int err, const char* reason) {
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char fatal_reason[512];
      const rd_kafka_resp_err_t orig =
          rd_kafka_fatal_error(handle, fatal_reason, sizeof(fatal_reason));
      fatal.store(true);
      Log().error("[kafka=feed] fatal producer error {}: {}; publishing is disabled",
                  rd_kafka_err2name(orig), fatal_reason);
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
      broker_up.store(false);
      Log().warn("[kafka=feed] no broker reachable: {}", reason);
      return;
    }
    // librdkafka recovers from the others by itself and has logged them already.
    Log().debug("[kafka=feed] {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)),
                reason);
  }

  void PollLoop() {
    while (!stop.load(std::memory_order_relaxed)) rd_kafka_poll(rk.get(), 100);
  }

  void Shutdown() {
    stop.store(true);
    rd_kafka_yield(rk.get());
    if (poll_thread.joinable()) poll_thread.join();
    // Serves the remaining delivery reports on this thread.
    if (rd_kafka_flush(rk.get(), options.flush_timeout_ms) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      Log().warn("[kafka=feed] {} events not delivered within {} ms at shutdown; failing them",
                 in_flight.load(), options.flush_timeout_ms);
      rd_kafka_purge(rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      // Purged messages get failed delivery reports, so every completion still runs.
      for (int i = 0; i < 50 && in_flight.load() > 0; ++i) rd_kafka_poll(rk.get(), 100);
    }
  }
};

namespace {

void DeliveryCallback(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  static_cast<KafkaFeed::Impl*>(opaque)->OnDelivery(m);
}

void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  static_cast<KafkaFeed::Impl*>(opaque)->OnError(rk, err, reason);
}

int StatsCallback(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* impl = static_cast<KafkaFeed::Impl*>(opaque);
  impl->broker_up.store(StatsShowBrokerUp(json, len));
  return 0;  // librdkafka frees json
}

}  // namespace

Result<std::unique_ptr<KafkaFeed>> KafkaFeed::Create(const KafkaOptions& options) {
  if (options.topic.empty())
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config", "kafka topic is not set");
  if (options.queue_limit == 0 || options.delivery_timeout_ms <= 0)
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config",
                     "queue_limit and delivery_timeout_ms must be positive");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const KafkaProperties defaults = {
      {"linger.ms", "5"},
      // Our own bound (queue_limit) is the one that answers first: librdkafka counts a
      // message until its delivery report returns, a little longer than we do.
      {"queue.buffering.max.messages",
       std::to_string(std::min<size_t>(options.queue_limit * 2, 10'000'000))},
  };
  const KafkaProperties enforced = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"message.timeout.ms", std::to_string(options.delivery_timeout_ms)},
      {"statistics.interval.ms", "1000"},  // Ready() follows the broker states in stats
  };
  auto conf = MakeKafkaConf(options, RD_KAFKA_PRODUCER, defaults, enforced);
  if (!conf) return std::unexpected(conf.error());
  rd_kafka_conf_set_opaque(conf->get(), impl.get());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), DeliveryCallback);
  rd_kafka_conf_set_error_cb(conf->get(), ErrorCallback);
  rd_kafka_conf_set_stats_cb(conf->get(), StatsCallback);
  auto rk = MakeKafkaClient(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk) return std::unexpected(rk.error());
  impl->rk = std::move(*rk);
  impl->rkt.reset(rd_kafka_topic_new(impl->rk.get(), options.topic.c_str(), nullptr));
  if (!impl->rkt) {
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config",
                     std::string("cannot use topic: ") + rd_kafka_err2str(rd_kafka_last_error()));
  }
  Impl* raw = impl.get();
  impl->poll_thread = std::thread([raw] { raw->PollLoop(); });
  Log().info("[kafka=feed] producing to topic {} via {}", options.topic, options.brokers);
  return std::unique_ptr<KafkaFeed>(new KafkaFeed(std::move(impl)));
}

KafkaFeed::KafkaFeed(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaFeed::~KafkaFeed() {
  impl_->Shutdown();
  // Destroy the topic before the handle.
  impl_->rkt.reset();
  impl_->rk.reset();
}

void KafkaFeed::Publish(std::vector<Event> events, PublishCallback done) {
  Impl& impl = *impl_;
  const size_t n = events.size();
  if (n == 0) {
    done(PublishResult{});
    return;
  }
  if (impl.fatal.load()) {
    impl.batches_failed.fetch_add(1, std::memory_order_relaxed);
    done(MakeError(ErrorCode::kUnavailable, "kafka_fatal",
                   "the kafka producer had a fatal error; see the daemon log"));
    return;
  }
  if (!impl.Reserve(n)) {
    impl.batches_rejected.fetch_add(1, std::memory_order_relaxed);
    done(MakeError(ErrorCode::kExhausted, "kafka_queue_full",
                   "too many events waiting for kafka; retry later"));
    return;
  }
  auto* batch = new Batch{};
  batch->refs.store(n + 1);
  batch->accepted = n;
  batch->done = std::move(done);
  for (size_t i = 0; i < n; ++i) {
    const std::string value = EncodeEvent(events[i]);
    const std::string_view key = EventKey(events[i]);
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        impl.rk.get(), RD_KAFKA_V_RKT(impl.rkt.get()),
        RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(batch), RD_KAFKA_V_END);
    if (err) {
      // Messages [i, n) were not produced: they will get no delivery report.
      impl.in_flight.fetch_sub(n - i, std::memory_order_relaxed);
      impl.Fail(*batch, ErrorForProduce(err));
      impl.Release(batch, n - i);
      break;
    }
  }
  impl.Release(batch, 1);
}

bool KafkaFeed::Ready() const {
  return !impl_->fatal.load() && impl_->broker_up.load(std::memory_order_relaxed);
}

KafkaFeedStats KafkaFeed::Stats() const {
  const Impl& impl = *impl_;
  KafkaFeedStats s;
  s.in_flight = impl.in_flight.load(std::memory_order_relaxed);
  s.delivered = impl.delivered.load(std::memory_order_relaxed);
  s.delivery_errors = impl.delivery_errors.load(std::memory_order_relaxed);
  s.batches_ok = impl.batches_ok.load(std::memory_order_relaxed);
  s.batches_failed = impl.batches_failed.load(std::memory_order_relaxed);
  s.batches_rejected = impl.batches_rejected.load(std::memory_order_relaxed);
  s.ready = Ready();
  return s;
}

}  // namespace timelined::store
