#include "daemon/worker_guard.h"

#include <spdlog/spdlog.h>

#include <mutex>

namespace timelined::daemon {
namespace {

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}

std::map<std::string, uint64_t>& Counts() {
  static auto* counts = new std::map<std::string, uint64_t>();
  return *counts;
}

}  // namespace

void RecordWorkerException(std::string_view worker, const char* type_name) {
  {
    std::lock_guard lock(Mu());
    ++Counts()[std::string(worker)];
  }
  spdlog::error("[worker={}] caught an exception ({}); the job is dropped, the worker goes on",
                worker, type_name);
}

std::map<std::string, uint64_t> WorkerExceptionCounts() {
  std::lock_guard lock(Mu());
  return Counts();
}

}  // namespace timelined::daemon
