#pragma once
// No exception may escape a worker thread: std::terminate would abort the whole daemon (one
// bad incident ID once did, from the drafts worker). Each worker runs its unit of work
// through RunGuarded; an exception is logged by type only (what() may quote a request body
// or a payload), counted under the worker's name, and swallowed, and the worker keeps going.
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <string_view>
#include <typeinfo>

namespace timelined::daemon {

// Logs and counts one exception caught in `worker` ("drafts", "pagerduty_backfill", ...).
void RecordWorkerException(std::string_view worker, const char* type_name);
// Exceptions caught so far, by worker (the timelined_worker_exceptions_total counter).
std::map<std::string, uint64_t> WorkerExceptionCounts();

// Runs `f`; true when it returned, false when it threw (recorded).
template <class F>
bool RunGuarded(std::string_view worker, F&& f) noexcept {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    RecordWorkerException(worker, typeid(e).name());
  } catch (...) {
    RecordWorkerException(worker, "unknown exception");
  }
  return false;
}

}  // namespace timelined::daemon
