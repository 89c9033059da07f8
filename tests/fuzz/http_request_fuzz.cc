// Raw HTTP/1.1 request bytes -> Beast's request parser -> FillRequestHead -> the daemon's
// router and handlers, in-process: the whole request path of the real App (every route,
// auth, ingest into a SQLite store) without a socket. The store lives in a temp directory
// removed at exit; the only token is "fuzz-token" (every scope), so seeds carry
// "Authorization: Bearer fuzz-token" to get past auth.
#include <spdlog/spdlog.h>

#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>

#include "daemon/app.h"
#include "daemon/config/config.h"
#include "daemon/http/request_head.h"
#include "store/model/hash.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace bhttp = boost::beast::http;
using namespace timelined;

struct Harness {
  std::filesystem::path dir;
  std::unique_ptr<daemon::App> app;

  Harness() {
    spdlog::set_level(spdlog::level::off);
    std::string tmpl = (std::filesystem::temp_directory_path() / "timelined-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    config::Config c = config::DefaultConfig();
    c.server.listen = "127.0.0.1:0";
    c.store.path = (dir / "fuzz.db").string();
    c.tokens.push_back({.name = "fuzz",
                        .sha256 = Sha256Hex("fuzz-token"),
                        .scopes = {std::begin(config::kAllScopes), std::end(config::kAllScopes)}});
    auto a = daemon::App::Create(std::move(c));
    if (!a) std::abort();
    app = std::move(*a);
  }
  ~Harness() {
    app.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

Harness& Get() {
  static Harness h;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = Get();
  bhttp::request_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  boost::beast::error_code ec;
  size_t off = 0;
  while (off < size && !parser.is_done()) {
    const size_t n = parser.put(boost::asio::buffer(data + off, size - off), ec);
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec) return 0;  // the server answers 400
    if (n == 0) break;
    off += n;
  }
  if (!parser.is_done()) {
    // As Beast's read does at end of stream: nothing read is end_of_stream (the server just
    // closes), and only then may put_eof be called (it asserts got_some()).
    if (!parser.got_some()) return 0;
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  http::Request req;
  if (!http::FillRequestHead(parser.get(), req)) return 0;
  req.body = parser.get().body();
  req.remote_address = "127.0.0.1";
  int status = 0;
  const http::Handler* handler = h.app->router().Match(req, &status);
  if (handler == nullptr) {
    (void)h.app->router().AllowedMethods(req);
    return 0;
  }
  auto answered = std::make_shared<std::promise<http::Response>>();
  auto called = std::make_shared<std::atomic<bool>>(false);
  http::Respond respond = [answered, called](http::Response r) {
    if (!called->exchange(true)) answered->set_value(std::move(r));
  };
  std::future<http::Response> response = answered->get_future();
  try {
    (*handler)(req, respond);
  } catch (const std::exception&) {
    return 0;  // the server answers 500 and logs it
  }
  // Every request is answered (the publish timeout bounds a store commit at 4 s).
  if (response.wait_for(std::chrono::seconds(30)) != std::future_status::ready) __builtin_trap();
  const http::Response r = response.get();
  // TIMELINED_FUZZ_VERBOSE=1: what each input reached (to check that seeds get past auth).
  static const bool verbose = std::getenv("TIMELINED_FUZZ_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "%s %s -> %d\n", req.method.c_str(), req.route.c_str(), r.status);
  return 0;
}
