#include "tests/integration/harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/sqlite_store.h"

namespace timelined::testing {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

HttpResult DoCall(beast::tcp_stream& stream, const std::string& method, const std::string& target,
                  const std::string& body, const std::map<std::string, std::string>& headers,
                  bool keep_alive) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.keep_alive(keep_alive);
  req.prepare_payload();
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(30));
  http::write(stream, req, ec);
  if (ec) return {};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return {};
  HttpResult r;
  r.status = static_cast<int>(parser.get().result_int());
  r.body = parser.get().body();
  for (const auto& f : parser.get()) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  return r;
}

}  // namespace

HttpResult HttpCall(uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body, const std::map<std::string, std::string>& headers) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  HttpResult r = DoCall(stream, method, target, body, headers, false);
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return r;
}

struct HttpClient::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
};

HttpClient::HttpClient(uint16_t port) : impl_(new Impl) {
  beast::error_code ec;
  impl_->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
}
HttpClient::~HttpClient() { delete impl_; }

HttpResult HttpClient::Call(const std::string& method, const std::string& target,
                            const std::string& body,
                            const std::map<std::string, std::string>& headers) {
  return DoCall(impl_->stream, method, target, body, headers, true);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "timelined-it-XXXXXX").string();
  char* p = mkdtemp(tmpl.data());
  path_ = p ? p : "";
}
TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty() && !getenv("KEEP_TEST_DIRS")) std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool WaitUntil(const std::function<bool()>& cond, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

HttpResult WaitForGet(uint16_t port, const std::string& target,
                      const std::function<bool(const HttpResult&)>& pred,
                      std::chrono::milliseconds deadline) {
  HttpResult r;
  WaitUntil(
      [&] {
        r = HttpCall(port, "GET", target);
        return pred(r);
      },
      deadline);
  return r;
}

bool WaitForFile(const std::string& path, std::chrono::milliseconds deadline) {
  auto ready = [&] { return !ReadFile(path).empty(); };
  std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return false;
  inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
  auto end = std::chrono::steady_clock::now() + deadline;
  bool ok = ready();
  while (!ok) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) > 0) {
      char buf[4096];
      while (read(fd, buf, sizeof buf) > 0) {
      }
    }
    ok = ready();
  }
  close(fd);
  return ok;
}

namespace {
pid_t Spawn(const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
  }
  std::vector<char*> argv;
  std::string bin = TIMELINED_BINARY;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(bin.c_str(), argv.data());
  _exit(127);
}

int WaitExit(pid_t pid, std::chrono::milliseconds deadline) {
  // waitpid has no timeout; a SIGCHLD-free approach: a pidfd would do, but to stay portable
  // we poll a pidfd when available.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(deadline.count()));
    close(pidfd);
    if (r <= 0) return -1;
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}
}  // namespace

RunResult RunTimelined(const std::vector<std::string>& args) {
  TempDir tmp;
  std::string log = tmp.File("out.log");
  pid_t pid = Spawn(args, log);
  RunResult r;
  r.exit_code = WaitExit(pid, std::chrono::seconds(120));
  r.output = ReadFile(log);
  return r;
}

Daemon::Daemon(const TempDir& dir, const std::string& extra_toml, const std::string& server_extra,
               const std::vector<std::string>& args) {
  db_ = dir.File("timelined.db");
  log_ = dir.File("daemon.log");
  std::string ready = dir.File("ready");
  unlink(ready.c_str());
  std::string config = dir.File("timelined.toml");
  std::ostringstream toml;
  toml << "[server]\nlisten = \"127.0.0.1:0\"\nready_file = \"" << ready << "\"\n"
       << server_extra << "\n";
  if (server_extra.find("drain_ms") == std::string::npos) toml << "drain_ms = 0\n";
  toml << extra_toml << "\n";
  // A [store] section may already be in extra_toml; only add the path if not.
  if (extra_toml.find("[store]") == std::string::npos)
    toml << "[store]\npath = \"" << db_ << "\"\n";
  WriteFile(config, toml.str());
  std::vector<std::string> argv = {"serve", "--config", config, "--db", db_};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = Spawn(argv, log_);
  if (WaitForFile(ready, std::chrono::seconds(30))) {
    port_ = static_cast<uint16_t>(std::stoi(ReadFile(ready)));
  }
}

Daemon::~Daemon() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitExit(pid_, std::chrono::seconds(10));
  }
}

int Daemon::Stop(int sig, std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1;
  Signal(sig);
  return Wait(deadline);
}

void Daemon::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int Daemon::Wait(std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1;
  int code = WaitExit(pid_, deadline);
  if (code != -1) pid_ = -1;
  return code;
}

void ExpectAllStored(const std::string& db, const std::set<std::string>& acked) {
  store::StoreOptions o;
  o.path = db;
  auto st = store::SqliteEventStore::Open(o);
  ASSERT_TRUE(st);
  size_t missing = 0;
  for (const auto& id : acked) {
    auto e = (*st)->GetEvent(id);
    if (!e || !e->has_value()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
  auto report = (*st)->VerifyChain();
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok);
}

}  // namespace timelined::testing
