#pragma once
// A scripted fake Kubernetes API server for the watcher tests: plain HTTP on 127.0.0.1:0,
// one connection at a time on its own thread. Each request gets the next scripted
// response; its target and Authorization header are recorded. Responses are chunked and
// end cleanly, by dropping the connection (no final chunk), or are held open until the
// client closes or the server stops. With a certificate, the server speaks TLS.
#include <poll.h>

#include <atomic>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <istream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace timelined::connectors::testing {

struct FakeResponse {
  enum class End { kClean, kDrop, kHold };
  int status = 200;
  std::vector<std::string> pieces;  // each written (and flushed) as one chunk
  End end = End::kClean;
  std::function<void()> before_respond;  // runs on the server thread before responding
  bool content_length = false;           // send the pieces as one Content-Length body, not chunked
  std::string extra_headers;             // raw "Name: value\r\n" lines added to the head
};

struct FakeRequest {
  std::string target;
  std::string authorization;
};

class FakeApiServer {
 public:
  // `cert_pem`/`key_pem` non-empty: serve https.
  explicit FakeApiServer(std::deque<FakeResponse> script, const std::string& cert_pem = "",
                         const std::string& key_pem = "")
      : script_(std::move(script)),
        acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (!cert_pem.empty()) {
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain(boost::asio::buffer(cert_pem));
      tls_->use_private_key(boost::asio::buffer(key_pem), boost::asio::ssl::context::pem);
    }
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeApiServer() {
    stop_ = true;
    // Wake the blocking accept with a throw-away connection.
    {
      boost::system::error_code ec;
      boost::asio::io_context ioc;
      boost::asio::ip::tcp::socket s(ioc);
      s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    thread_.join();
  }

  std::string url() const {
    return (tls_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_);
  }

  std::vector<FakeRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

  // Bounded wait for at least n requests; false on timeout.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

 private:
  void Serve() {
    while (!stop_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) return;
      if (!tls_) {
        Handle(socket, socket);
        continue;
      }
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> stream(socket, *tls_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) Handle(socket, stream);
    }
  }

  template <class Stream>
  void Handle(boost::asio::ip::tcp::socket& socket, Stream& stream) {
    boost::asio::streambuf buf;
    boost::system::error_code ec;
    boost::asio::read_until(stream, buf, "\r\n\r\n", ec);
    if (ec) return;
    std::istream in(&buf);
    std::string method, target, line, auth;
    in >> method >> target;
    std::getline(in, line);
    while (std::getline(in, line) && line != "\r") {
      if (line.rfind("Authorization: ", 0) == 0 || line.rfind("authorization: ", 0) == 0) {
        auth = line.substr(15, line.size() - 16);
      }
    }
    FakeResponse r;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back({target, auth});
      if (!script_.empty()) {
        r = std::move(script_.front());
        script_.pop_front();
      } else {
        r.status = 500;
        r.pieces = {
            R"({"kind":"Status","code":500,"reason":"InternalError","message":"unscripted"})"};
      }
    }
    cv_.notify_all();
    if (r.before_respond) r.before_respond();
    Respond(socket, stream, r);
  }

  template <class Stream>
  void Respond(boost::asio::ip::tcp::socket& socket, Stream& stream, const FakeResponse& r) {
    boost::system::error_code ec;
    if (r.content_length) {
      std::string body;
      for (const std::string& piece : r.pieces) body += piece;
      const std::string whole =
          "HTTP/1.1 " + std::to_string(r.status) +
          " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n" + r.extra_headers + "Connection: close\r\n\r\n" + body;
      boost::asio::write(stream, boost::asio::buffer(whole), ec);
      socket.close(ec);
      return;
    }
    std::string head = "HTTP/1.1 " + std::to_string(r.status) +
                       " X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                       "Connection: close\r\n\r\n";
    boost::asio::write(stream, boost::asio::buffer(head), ec);
    for (const std::string& piece : r.pieces) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      const std::string chunk = std::string(size) + piece + "\r\n";
      boost::asio::write(stream, boost::asio::buffer(chunk), ec);
    }
    if (r.end == FakeResponse::End::kClean) {
      boost::asio::write(stream, boost::asio::buffer(std::string("0\r\n\r\n")), ec);
    }
    if (r.end == FakeResponse::End::kHold) HoldUntilClientCloses(socket, stream);
    socket.close(ec);
  }

  template <class Stream>
  void HoldUntilClientCloses(boost::asio::ip::tcp::socket& socket, Stream& stream) {
    while (!stop_) {
      pollfd p{socket.native_handle(), POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) {
        char c;
        boost::system::error_code ec;
        if (stream.read_some(boost::asio::buffer(&c, 1), ec) == 0 || ec) return;
      }
    }
  }

  std::deque<FakeResponse> script_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<FakeRequest> requests_;
  std::thread thread_;
};

}  // namespace timelined::connectors::testing
