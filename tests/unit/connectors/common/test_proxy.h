#pragma once
// A forward proxy for tests of outbound clients (the shared client's ProxyTest, the
// Kubernetes watcher). Test-only; blocking Asio I/O on its own thread.
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace timelined::connectors::testing {

// A forward proxy on loopback, one connection at a time. CONNECT "upstream.test:<port>" is
// tunnelled to 127.0.0.1:<port> (so the client never resolves the name: the proxy does);
// any other request is answered "via-proxy" here. Records each request line and its
// Proxy-Authorization. With refuse set, answers 407.
class TestProxy {
 public:
  using tcp = boost::asio::ip::tcp;
  explicit TestProxy(bool refuse = false)
      : refuse_(refuse), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestProxy() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::vector<std::pair<std::string, std::string>> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void Serve() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket client(ioc_);
      acceptor_.accept(client, ec);
      if (stopping_) return;
      if (ec) continue;
      boost::beast::flat_buffer buffer;
      boost::beast::http::request_parser<boost::beast::http::string_body> parser;
      boost::beast::http::read(client, buffer, parser, ec);
      if (ec) continue;
      const auto& req = parser.get();
      {
        std::lock_guard lock(mu_);
        seen_.emplace_back(std::string(req.method_string()) + " " + std::string(req.target()),
                           std::string(req[boost::beast::http::field::proxy_authorization]));
      }
      if (refuse_) {
        Answer(client, boost::beast::http::status::proxy_authentication_required, "");
      } else if (req.method() == boost::beast::http::verb::connect) {
        Tunnel(client, std::string(req.target()));
      } else {
        Answer(client, boost::beast::http::status::ok, "via-proxy");
      }
    }
  }

  static void Answer(tcp::socket& client, boost::beast::http::status status, std::string body) {
    boost::beast::http::response<boost::beast::http::string_body> res{status, 11};
    res.body() = std::move(body);
    res.keep_alive(false);
    res.prepare_payload();
    boost::system::error_code ec;
    boost::beast::http::write(client, res, ec);
    client.shutdown(tcp::socket::shutdown_both, ec);
  }

  void Tunnel(tcp::socket& client, const std::string& authority) {
    const std::string port = authority.substr(authority.rfind(':') + 1);
    boost::system::error_code ec;
    tcp::socket upstream(ioc_);
    upstream.connect(
        {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(std::stoi(port))},
        ec);
    if (ec) return Answer(client, boost::beast::http::status::bad_gateway, "");
    boost::asio::write(
        client, boost::asio::buffer(std::string("HTTP/1.1 200 Connection established\r\n\r\n")),
        ec);
    // Both directions until either side closes.
    auto pipe = [](tcp::socket& from, tcp::socket& to) {
      std::array<char, 4096> data{};
      boost::system::error_code e;
      while (true) {
        size_t n = from.read_some(boost::asio::buffer(data), e);
        if (e) break;
        boost::asio::write(to, boost::asio::buffer(data.data(), n), e);
        if (e) break;
      }
      to.shutdown(tcp::socket::shutdown_send, e);
    };
    std::thread back([&] { pipe(upstream, client); });
    pipe(client, upstream);
    back.join();
  }

  const bool refuse_;
  boost::asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> seen_;
  std::thread thread_;
};

}  // namespace timelined::connectors::testing
