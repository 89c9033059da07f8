#pragma once
// SerialWorker<Job>: one thread running queued jobs in arrival order, the shape of every
// background worker that calls a rate-limited API (the PagerDuty and Slack backfills):
// serial is what those APIs allow, and one thread keeps requests ordered.
//
// Threads: Push and Sleep are safe from any thread, including the store's writer thread
// (Push only queues). `run` runs on the worker thread, through RunGuarded (an exception is
// logged and counted under the worker's name, and the worker goes on). Stop() wakes every
// Sleep, lets the running job finish, joins the thread, then hands each job still queued to
// `dropped` on the calling thread. Idempotent; the destructor Stop()s.
//
// The worker does not start itself: the owner calls Start() once everything `run` touches
// exists.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "daemon/worker_guard.h"

namespace timelined::daemon {

template <typename Job>
class SerialWorker {
 public:
  enum class Push { kQueued, kFull, kStopping };

  // `name` labels exceptions (timelined_worker_exceptions_total{worker}). At most
  // `max_queued` jobs wait (the running one not counted).
  SerialWorker(std::string name, std::function<void(Job&)> run, std::function<void(Job&)> dropped,
               size_t max_queued = std::numeric_limits<size_t>::max())
      : name_(std::move(name)),
        run_(std::move(run)),
        dropped_(std::move(dropped)),
        max_queued_(max_queued) {}
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;
  ~SerialWorker() { Stop(); }

  void Start() {
    thread_ = std::thread([this] { Loop(); });
  }

  // Queues `job` (moved from only when the answer is kQueued). kFull when max_queued jobs
  // wait, kStopping after Stop(): the job stays with the caller, who answers for it.
  Push TryPush(Job& job) {
    std::lock_guard lock(mu_);
    if (stopping_) return Push::kStopping;
    if (queue_.size() >= max_queued_) return Push::kFull;
    queue_.push_back(std::move(job));
    cv_.notify_all();
    return Push::kQueued;
  }

  // Waits `d`, or less when Stop() is called: the sleeper for retry and backoff delays.
  void Sleep(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, d, [this] { return stopping_; });
  }

  // True once Stop() was called: a long job checks it between requests and gives up.
  bool Stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    std::call_once(joined_, [this] {
      if (thread_.joinable()) thread_.join();
    });
    std::deque<Job> left;
    {
      std::lock_guard lock(mu_);
      left.swap(queue_);
    }
    for (Job& job : left) RunGuarded(name_, [&] { dropped_(job); });
  }

 private:
  void Loop() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      RunGuarded(name_, [&] { run_(job); });
    }
  }

  const std::string name_;
  const std::function<void(Job&)> run_;
  const std::function<void(Job&)> dropped_;
  const size_t max_queued_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::once_flag joined_;
  std::thread thread_;
};

}  // namespace timelined::daemon
