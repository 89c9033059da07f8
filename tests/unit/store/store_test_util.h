#pragma once
// Helpers shared by the store tests: a temporary directory, event builders, a gate that
// holds the writer thread inside a callback, and bounded waits.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "store/model/event.h"
#include "store/sqlite_store.h"

namespace timelined::store::testing_util {

inline constexpr auto kWait = std::chrono::seconds(20);
inline constexpr Nanos kT0 = 1'773'480'000LL * kNanosPerSecond;  // 2026-03-14T09:20:00Z

// A fresh directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "store_test.XXXXXX";
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline Event MakeEvent(const std::string& source_ref, Nanos occurred_at,
                       const std::string& scope = "k8s/payments/api",
                       const std::string& incident_id = "") {
  Event e;
  e.source = std::string(kSourceKubernetes);
  e.source_ref = source_ref;
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = "k8s.BackOff";
  e.occurred_at = occurred_at;
  e.received_at = occurred_at + kNanosPerSecond;
  e.scope = scope;
  e.incident_id = incident_id;
  e.severity = std::string(kSeverityWarning);
  e.summary = "Back-off restarting failed container " + source_ref;
  e.attrs = {{"count", 3}, {"reason", "BackOff"}, {"labels", {{"app", "api"}}}};
  return e;
}

// A PagerDuty lifecycle event carrying the incident snapshot in attrs["incident"].
inline Event MakePagerDutyEvent(const std::string& source_ref, const std::string& kind, Nanos at,
                                const Incident& snapshot) {
  Event e;
  e.source = std::string(kSourcePagerDuty);
  e.source_ref = source_ref;
  e.id = MakeEventId(e.source, e.source_ref);
  e.kind = kind;
  e.occurred_at = at;
  e.received_at = at;
  e.incident_id = snapshot.id;
  e.scope = "pd/" + snapshot.service_id;
  e.severity = std::string(kSeverityCritical);
  e.summary = snapshot.title;
  e.attrs = {{"incident", IncidentToJson(snapshot)}};
  return e;
}

inline StoreOptions Options(const TempDir& dir, const std::string& name = "events.db") {
  StoreOptions o;
  o.path = dir.File(name);
  o.cache_mib = 8;
  o.reader_connections = 2;
  return o;
}

inline std::unique_ptr<SqliteEventStore> OpenStore(const StoreOptions& o) {
  auto s = SqliteEventStore::Open(o);
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message + ": " + s.error().detail);
  return s ? std::move(*s) : nullptr;
}

// Runs SQL on a separate connection to the store's file, as an intruder would.
inline int ExecRaw(const std::string& path, const std::string& sql_text) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    rc = sqlite3_exec(db, sql_text.c_str(), nullptr, nullptr, nullptr);
  }
  sqlite3_close(db);
  return rc;
}

// A one-shot flag with a bounded wait.
class Latch {
 public:
  // Notifies under the lock: once a waiter returns, Open() no longer touches the latch, so
  // the waiter may destroy it.
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait(std::chrono::seconds bound = kWait) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, bound, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Parks the writer thread inside the `done` of a one-event batch until Release(), so the
// test controls what is queued when the next transaction starts. The latches are shared
// with the callback, which may still be leaving Wait() when the gate is destroyed.
class WriterGate {
 public:
  explicit WriterGate(SqliteEventStore& store, const std::string& ref = "gate")
      : state_(std::make_shared<State>()) {
    store.Submit({MakeEvent(ref, kT0)}, [state = state_](Result<WriteResult>) {
      state->entered.Open();
      state->released.Wait();
    });
    EXPECT_TRUE(state_->entered.Wait()) << "writer never ran the gate batch";
  }
  ~WriterGate() { Release(); }
  void Release() { state_->released.Open(); }

 private:
  struct State {
    Latch entered;
    Latch released;
  };
  std::shared_ptr<State> state_;
};

}  // namespace timelined::store::testing_util
