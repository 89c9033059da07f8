// BeastHttpClient over TLS against a local server with a certificate made in the test:
// peer verification on by default, extra CA (as kubeconfig supplies), host name check; and
// through a local proxy (CONNECT tunnel for https, absolute form for http).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "connectors/common/http_client.h"
#include "tests/unit/connectors/common/test_proxy.h"

namespace timelined::connectors {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// A self-signed P-256 certificate for localhost / 127.0.0.1, valid for a day.
TestCert MakeSelfSigned() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, "DNS:localhost,DNS:upstream.test,IP:127.0.0.1"},
        std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  BIO* cert_bio = BIO_new(BIO_s_mem());
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert);
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  TestCert out{BioString(cert_bio), BioString(key_bio)};
  BIO_free(cert_bio);
  BIO_free(key_bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

// Serves "tls-ok" over HTTPS, one request per connection, until destroyed.
class TlsServer {
 public:
  explicit TlsServer(const TestCert& cert)
      : tls_(asio::ssl::context::tls_server),
        acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    tls_.use_certificate_chain(asio::buffer(cert.cert_pem));
    tls_.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TlsServer() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  int served() const { return served_; }

 private:
  void Serve() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (stopping_) return;
      if (ec) continue;
      asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (ec) continue;  // e.g. the client rejected our certificate
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = "tls-ok";
      res.keep_alive(false);
      res.prepare_payload();
      http::write(stream, res, ec);
      ++served_;
      stream.shutdown(ec);
    }
  }

  asio::io_context ioc_;
  asio::ssl::context tls_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> served_{0};
  std::thread thread_;
};

Result<HttpResponse> Get(const std::string& url, HttpClientOptions options) {
  options.connect_timeout = std::chrono::milliseconds(3000);
  options.request_timeout = std::chrono::milliseconds(3000);
  auto client = BeastHttpClient::Create(std::move(options));
  if (!client) return std::unexpected(client.error());
  return (*client)->Send({"GET", url, {}, ""});
}

TEST(TlsClientTest, VerifiesPeerAgainstConfiguredCas) {
  TestCert cert = MakeSelfSigned();
  ASSERT_FALSE(cert.cert_pem.empty());
  TlsServer server(cert);
  const std::string port = std::to_string(server.port());

  // System CAs only: the self-signed certificate is refused.
  auto untrusted = Get("https://127.0.0.1:" + port + "/", {});
  ASSERT_FALSE(untrusted.has_value());
  EXPECT_EQ(untrusted.error().message, "tls_failed");

  // Trusting it explicitly (kubeconfig certificate-authority-data style) works, by IP and name.
  HttpClientOptions trusted;
  trusted.ca_pem = cert.cert_pem;
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    auto ok = Get("https://" + host + ":" + port + "/", trusted);
    if (!ok && host == "localhost") GTEST_SKIP() << "localhost does not resolve to 127.0.0.1";
    ASSERT_TRUE(ok.has_value()) << ok.error().detail;
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body, "tls-ok");
  }
  // verify_peer = false accepts anything (only for explicit, documented opt-outs).
  HttpClientOptions insecure;
  insecure.verify_peer = false;
  auto any = Get("https://127.0.0.1:" + port + "/", insecure);
  ASSERT_TRUE(any.has_value()) << any.error().detail;
}

TEST(TlsClientTest, PlainServerIsNotTls) {
  TestCert cert = MakeSelfSigned();
  TlsServer server(cert);
  // Speaking plain HTTP to a TLS port fails cleanly rather than hanging.
  HttpClientOptions options;
  options.request_timeout = std::chrono::milliseconds(2000);
  auto client = BeastHttpClient::Create(options);
  ASSERT_TRUE(client.has_value());
  auto plain =
      (*client)->Send({"GET", "http://127.0.0.1:" + std::to_string(server.port()), {}, ""});
  EXPECT_FALSE(plain.has_value() && plain->status == 200);
}

using testing::TestProxy;

TEST(ProxyTest, HttpsGoesThroughAConnectTunnelAndTlsStaysEndToEnd) {
  TestCert cert = MakeSelfSigned();
  TlsServer server(cert);
  TestProxy proxy;
  const std::string authority = "upstream.test:" + std::to_string(server.port());
  HttpClientOptions options;
  options.ca_pem = cert.cert_pem;
  std::string with_user = proxy.url();
  with_user.insert(7, "alice:s%40cret@");  // after "http://"
  options.proxy = ProxySettings{with_user, "", ""};
  auto r = Get("https://" + authority + "/status", options);
  ASSERT_TRUE(r.has_value()) << r.error().message << ": " << r.error().detail;
  EXPECT_EQ(r->body, "tls-ok");  // the server's answer (it counts served() after writing it)
  const auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "CONNECT " + authority);
  EXPECT_EQ(seen[0].second, "Basic YWxpY2U6c0BjcmV0");  // alice:s@cret

  // The certificate is still checked against the target, through the tunnel.
  HttpClientOptions untrusted;
  untrusted.proxy = options.proxy;
  auto refused = Get("https://" + authority + "/", untrusted);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, "tls_failed");
}

TEST(ProxyTest, HttpGoesAsAnAbsoluteFormRequestToTheProxy) {
  TestProxy proxy;
  HttpClientOptions options;
  options.proxy = ProxySettings{"", proxy.url().substr(7), ""};  // "127.0.0.1:<port>", no scheme
  auto r = Get("http://upstream.test:8080/x?y=1", options);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->body, "via-proxy");
  const auto seen = proxy.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, "GET http://upstream.test:8080/x?y=1");
  EXPECT_EQ(seen[0].second, "");
}

TEST(ProxyTest, ARefusedTunnelIsRetryableAndNamesTheStatusNotTheCredentials) {
  TestProxy proxy(/*refuse=*/true);
  HttpClientOptions options;
  std::string with_user = proxy.url();
  with_user.insert(7, "alice:hunter2@");
  options.proxy = ProxySettings{with_user, "", ""};
  auto r = Get("https://upstream.test:443/", options);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "proxy_refused");
  EXPECT_NE(r.error().detail.find("407"), std::string::npos) << r.error().detail;
  EXPECT_EQ(r.error().detail.find("hunter2"), std::string::npos) << r.error().detail;
}

TEST(ProxyTest, NoProxyAndLoopbackTargetsGoDirect) {
  TestCert cert = MakeSelfSigned();
  TlsServer server(cert);
  TestProxy proxy;
  HttpClientOptions options;
  options.ca_pem = cert.cert_pem;
  options.proxy = ProxySettings{proxy.url(), proxy.url(), ""};
  auto loopback = Get("https://127.0.0.1:" + std::to_string(server.port()) + "/", options);
  ASSERT_TRUE(loopback.has_value()) << loopback.error().detail;
  EXPECT_EQ(loopback->body, "tls-ok");
  // NO_PROXY names the host: the client resolves it itself, and upstream.test does not exist.
  options.proxy->no_proxy = "example.org,.test";
  auto direct = Get("https://upstream.test:" + std::to_string(server.port()) + "/", options);
  EXPECT_FALSE(direct.has_value());
  EXPECT_TRUE(proxy.seen().empty());
}

}  // namespace
}  // namespace timelined::connectors
