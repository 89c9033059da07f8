#pragma once
// Test harness for integration tests: starts the real `timelined` binary on 127.0.0.1:0
// with a temp data dir, learns its port from the ready file (waiting on inotify, bounded),
// and talks to it over real HTTP (Boost.Beast client on loopback).
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace timelined::testing {

struct HttpResult {
  int status = 0;  // 0 when the connection failed
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// One request on a fresh connection.
HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});

// A keep-alive client connection.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "",
                  const std::map<std::string, std::string>& headers = {});

 private:
  struct Impl;
  Impl* impl_;
};

// A fresh temp directory, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// Re-checks `cond` every 20 ms until it holds or `deadline` passes; returns whether it held
// (checked once more at the deadline). The daemon is another process: there is nothing in
// this one to be notified by, so a bounded poll is the wait. The deadline only matters when
// a test fails.
// Opens the store at `db` after the daemon exited: every id in `acked` is stored and the
// hash chain verifies (gtest expectations).
void ExpectAllStored(const std::string& db, const std::set<std::string>& acked);

bool WaitUntil(const std::function<bool()>& cond,
               std::chrono::milliseconds deadline = std::chrono::seconds(60));
// Polls GET `target` on the daemon at `port` until `pred` holds for the answer or `deadline`
// passes; returns the last answer.
HttpResult WaitForGet(uint16_t port, const std::string& target,
                      const std::function<bool(const HttpResult&)>& pred,
                      std::chrono::milliseconds deadline = std::chrono::seconds(60));

// Waits until `path` exists and is non-empty, or the deadline passes. Uses inotify on the
// parent directory: no polling sleeps.
bool WaitForFile(const std::string& path, std::chrono::milliseconds deadline);

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};
// Runs the timelined binary with `args` to completion.
RunResult RunTimelined(const std::vector<std::string>& args);

class Daemon {
 public:
  // Starts `timelined serve --config <dir>/timelined.toml` where the config is `extra_toml`
  // plus listen = 127.0.0.1:0, a ready file and a store in `dir`.
  // `server_extra` is added inside the [server] table (e.g. "max_body_bytes = 2048").
  // Unless it sets drain_ms, drain_ms = 0: a stop closes the listener at once.
  // `args` are appended to the command line (e.g. {"--role", "store"}). A ready file left
  // by an earlier daemon in `dir` is removed first, so a restart learns the new port.
  explicit Daemon(const TempDir& dir, const std::string& extra_toml = "",
                  const std::string& server_extra = "", const std::vector<std::string>& args = {});
  ~Daemon();  // SIGKILLs if still running

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string db_path() const { return db_; }
  const std::string& log_path() const { return log_; }

  // Sends `sig` and waits (bounded) for exit; returns the exit code, or -1.
  int Stop(int sig = 15, std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // Sends `sig` without waiting.
  void Signal(int sig);
  // Waits (bounded) for exit; returns the exit code, or -1.
  int Wait(std::chrono::milliseconds deadline = std::chrono::seconds(30));

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string db_;
  std::string log_;
};

}  // namespace timelined::testing
