#pragma once
// A tiny HTTP/1.1 server for tests of outbound clients: listens on 127.0.0.1:0, serves
// one request per connection from a handler on its own thread, and records every request.
// Test-only; blocking Beast I/O is fine here.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/common/headers.h"

namespace timelined::connectors::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  Headers headers;  // lower-case names
  std::string body;
};

struct CannedResponse {
  int status = 200;
  Headers headers;
  std::string body;
};

class FakeHttpServer {
 public:
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;

  explicit FakeHttpServer(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        thread_([this] { Serve(); }) {}

  ~FakeHttpServer() {
    stopping_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket wake(ioc_);
    wake.connect(acceptor_.local_endpoint(), ec);  // unblocks accept()
    thread_.join();
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (true) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (stopping_) return;
      if (ec) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      RecordedRequest recorded{
          std::string(req.method_string()), std::string(req.target()), {}, req.body()};
      for (const auto& field : req) {
        recorded.headers[ToLowerAscii(field.name_string())] = std::string(field.value());
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(recorded);
      }
      CannedResponse canned = handler_(recorded);
      http::response<http::string_body> res{static_cast<http::status>(canned.status), 11};
      for (const auto& [name, value] : canned.headers) res.set(name, value);
      res.body() = canned.body;
      res.keep_alive(false);
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  Handler handler_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts after every other member is ready
};

}  // namespace timelined::connectors::testing
