#pragma once
// A small Beast HTTP client for the server tests. Every operation runs on the client's own
// io_context under a deadline, so a misbehaving server fails a test instead of hanging it.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>

namespace timelined::http::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

inline constexpr std::chrono::seconds kDeadline{10};

class TestClient {
 public:
  explicit TestClient(uint16_t port) : stream_(ioc_) {
    stream_.expires_after(kDeadline);
    stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                          [this](beast::error_code ec) { connect_ec_ = ec; });
    Run();
  }

  beast::error_code connect_error() const { return connect_ec_; }

  beast::error_code Write(bhttp::request<bhttp::string_body>& req) {
    req.prepare_payload();
    return Await([&](auto handler) { bhttp::async_write(stream_, req, handler); });
  }

  beast::error_code WriteRaw(const std::string& bytes) {
    return Await([&](auto handler) { net::async_write(stream_, net::buffer(bytes), handler); });
  }

  // Writes only the header of `sr`'s message (Expect: 100-continue), then WriteRest.
  beast::error_code WriteHeader(bhttp::request_serializer<bhttp::string_body>& sr) {
    return Await([&](auto handler) { bhttp::async_write_header(stream_, sr, handler); });
  }
  beast::error_code WriteRest(bhttp::request_serializer<bhttp::string_body>& sr) {
    return Await([&](auto handler) { bhttp::async_write(stream_, sr, handler); });
  }

  beast::error_code Read(bhttp::response<bhttp::string_body>& res) {
    return Await([&](auto handler) { bhttp::async_read(stream_, buffer_, res, handler); });
  }

  // Reads whatever arrives; returns the error that ends the read (eof when the server closes).
  beast::error_code ReadUntilClosed() {
    for (;;) {
      char buf[512];
      auto ec = Await([&](auto handler) { stream_.async_read_some(net::buffer(buf), handler); });
      if (ec) return ec;
    }
  }

  bhttp::response<bhttp::string_body> Send(bhttp::request<bhttp::string_body> req,
                                           beast::error_code* ec_out = nullptr) {
    bhttp::response<bhttp::string_body> res;
    beast::error_code ec = Write(req);
    if (!ec) ec = Read(res);
    if (ec_out != nullptr) *ec_out = ec;
    return res;
  }

 private:
  template <class Start>
  beast::error_code Await(Start start) {
    beast::error_code result = net::error::would_block;
    stream_.expires_after(kDeadline);
    start([&result](beast::error_code ec, size_t) { result = ec; });
    Run();
    return result;
  }

  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  net::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code connect_ec_;
};

inline bhttp::request<bhttp::string_body> MakeRequest(bhttp::verb verb, std::string target,
                                                      std::string body = {}) {
  bhttp::request<bhttp::string_body> req(verb, target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

}  // namespace timelined::http::test
