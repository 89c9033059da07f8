#include "connectors/common/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/write.hpp>
#include <future>
#include <utility>

#include "connectors/common/http_retry.h"
#include "connectors/common/json_text.h"
#include "connectors/common/json_util.h"
#include "connectors/common/retry.h"
#include "tests/unit/connectors/common/fake_http_server.h"

namespace timelined::connectors {
namespace {

using testing::CannedResponse;
using testing::FakeHttpServer;
using testing::RecordedRequest;

TEST(UrlTest, ParseUrlTable) {
  struct Case {
    std::string url;
    bool ok;
    std::string scheme, host, port, target;
  };
  const std::vector<Case> cases = {
      {"https://api.pagerduty.com", true, "https", "api.pagerduty.com", "443", "/"},
      {"HTTP://127.0.0.1:8080/a/b?c=d#frag", true, "http", "127.0.0.1", "8080", "/a/b?c=d"},
      {"https://slack.com/api/conversations.replies?x=1", true, "https", "slack.com", "443",
       "/api/conversations.replies?x=1"},
      {"http://[::1]:9000/x", true, "http", "::1", "9000", "/x"},
      {"https://[fe80::1]", true, "https", "fe80::1", "443", "/"},
      {"http://host?q=1", true, "http", "host", "80", "/?q=1"},
      {"ftp://host/", false, "", "", "", ""},
      {"host/path", false, "", "", "", ""},
      {"https://user:pw@host/", false, "", "", "", ""},
      {"https://:443/", false, "", "", "", ""},
      {"https://host:0/", false, "", "", "", ""},
      {"https://host:70000/", false, "", "", "", ""},
      {"https://host:/", false, "", "", "", ""},
      {"https://host:12ab/", false, "", "", "", ""},
      {"https://[::1/", false, "", "", "", ""},
      {"https://host/a b", false, "", "", "", ""},
      {"https://host/\r\nX: y", false, "", "", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    auto url = ParseUrl(c.url);
    ASSERT_EQ(url.has_value(), c.ok);
    if (!c.ok) {
      EXPECT_EQ(url.error().message, "bad_url");
      continue;
    }
    EXPECT_EQ(url->scheme, c.scheme);
    EXPECT_EQ(url->host, c.host);
    EXPECT_EQ(url->port, c.port);
    EXPECT_EQ(url->target, c.target);
  }
}

TEST(UrlTest, NoProxyTable) {
  struct Case {
    const char* no_proxy;
    const char* url;
    bool direct;
  };
  const Case cases[] = {
      {"", "https://api.pagerduty.com/", false},
      {"*", "https://api.pagerduty.com/", true},
      {"pagerduty.com", "https://api.pagerduty.com/", true},
      {".pagerduty.com", "https://api.pagerduty.com/", true},
      {"pagerduty.com", "https://pagerduty.com/", true},
      {"pagerduty.com", "https://notpagerduty.com/", false},
      {"slack.com, PagerDuty.COM ", "https://API.pagerduty.com/", true},
      {"pagerduty.com:443", "https://api.pagerduty.com/", true},
      {"pagerduty.com:8443", "https://api.pagerduty.com/", false},
      {"10.1.2.3", "http://10.1.2.3:8080/", true},
      {"10.1.2.3", "http://10.1.2.30/", false},
      {"[fd00::1]:443", "https://[fd00::1]/", true},
      {"fd00::1", "https://[fd00::1]/", true},
      {",,", "https://api.pagerduty.com/", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.no_proxy) + " / " + c.url);
    auto url = ParseUrl(c.url);
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(NoProxyMatches(c.no_proxy, *url), c.direct);
  }
}

TEST(UrlTest, ProxyForPicksBySchemeAndNeverShowsTheCredentials) {
  ProxySettings s{"http://alice:s%40cret@proxy.bank.example:3128", "proxy.bank.example", ""};
  auto https = ProxyFor(*ParseUrl("https://api.pagerduty.com/"), s);
  ASSERT_TRUE(https.has_value() && https->has_value());
  EXPECT_EQ((*https)->url.host, "proxy.bank.example");
  EXPECT_EQ((*https)->url.port, "3128");
  EXPECT_EQ((*https)->authorization, "Basic YWxpY2U6c0BjcmV0");  // alice:s@cret
  auto http = ProxyFor(*ParseUrl("http://hooks.example/x"), s);
  ASSERT_TRUE(http.has_value() && http->has_value());
  EXPECT_EQ((*http)->url.port, "80");
  EXPECT_EQ((*http)->authorization, "");
  // Loopback never goes through a proxy; nor does a scheme with no proxy set.
  for (const char* direct : {"https://127.0.0.1:9/", "https://localhost/", "https://[::1]/"}) {
    auto r = ProxyFor(*ParseUrl(direct), s);
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->has_value()) << direct;
  }
  EXPECT_FALSE(
      ProxyFor(*ParseUrl("http://hooks.example/"), ProxySettings{"p:1", "", ""})->has_value());
  for (const char* bad :
       {"https://proxy:443", "socks5://proxy:1080", "http://alice:s3cret@proxy:99999",
        "http://proxy:3128/path", "http://pro xy"}) {
    auto r = ProxyFor(*ParseUrl("https://api.pagerduty.com/"), ProxySettings{bad, "", ""});
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().message, "bad_proxy");
    EXPECT_EQ(r.error().detail.find("s3cret"), std::string::npos) << r.error().detail;
  }
}

TEST(UrlTest, UrlEncode) {
  EXPECT_EQ(UrlEncode("abc-._~XYZ019"), "abc-._~XYZ019");
  EXPECT_EQ(UrlEncode("a b&c=d/e+f"), "a%20b%26c%3Dd%2Fe%2Bf");
  EXPECT_EQ(UrlEncode("\xC3\xA9"), "%C3%A9");
}

TEST(RetryTest, DelaysAndHeaders) {
  using std::chrono::milliseconds;
  RetryPolicy p{5, milliseconds(250), milliseconds(1500)};
  EXPECT_EQ(BackoffDelay(p, 1), milliseconds(250));
  EXPECT_EQ(BackoffDelay(p, 2), milliseconds(500));
  EXPECT_EQ(BackoffDelay(p, 3), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(p, 4), milliseconds(1500));
  EXPECT_EQ(BackoffDelay(p, 40), milliseconds(1500));
  EXPECT_EQ(ParseDelaySeconds("0"), milliseconds(0));
  EXPECT_EQ(ParseDelaySeconds(" 2 "), milliseconds(2000));
  EXPECT_EQ(ParseDelaySeconds("1.25"), milliseconds(1250));
  EXPECT_EQ(ParseDelaySeconds("999999999999"), milliseconds(3'600'000));
  EXPECT_EQ(ParseDelaySeconds(""), std::nullopt);
  EXPECT_EQ(ParseDelaySeconds("-1"), std::nullopt);
  EXPECT_EQ(ParseDelaySeconds("1."), std::nullopt);
  EXPECT_EQ(ParseDelaySeconds("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
}

TEST(JsonUtilTest, ElideUtf8) {
  EXPECT_EQ(ElideUtf8("hello", 5), "hello");
  EXPECT_EQ(ElideUtf8("hello", 3), "hel\xE2\x80\xA6");
  // "é" is two bytes: never cut in the middle.
  EXPECT_EQ(ElideUtf8("a\xC3\xA9z", 2), "a\xE2\x80\xA6");
  EXPECT_EQ(ElideUtf8("a\xC3\xA9z", 3), "a\xC3\xA9\xE2\x80\xA6");
}

std::unique_ptr<BeastHttpClient> Client(HttpClientOptions options = {}) {
  auto client = BeastHttpClient::Create(std::move(options));
  EXPECT_TRUE(client.has_value());
  return client ? std::move(*client) : nullptr;
}

TEST(HttpClientTest, SendsRequestAndReadsResponse) {
  FakeHttpServer server([](const RecordedRequest& r) {
    return CannedResponse{
        201, {{"X-Answer", "42"}, {"Content-Type", "text/plain"}}, "echo:" + r.body};
  });
  HttpRequest request;
  request.method = "POST";
  request.url = server.base_url() + "/v1/things?x=1";
  request.headers = MakeHeaders({{"Authorization", "Bearer t"}, {"Content-Type", "text/plain"}});
  request.body = "payload";
  auto response = Client()->Send(request);
  ASSERT_TRUE(response.has_value()) << response.error().detail;
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "echo:payload");
  EXPECT_EQ(response->headers.at("x-answer"), "42");
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/v1/things?x=1");
  EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer t");
  EXPECT_EQ(requests[0].headers.at("user-agent"), "timelined/0.1");
  EXPECT_EQ(requests[0].headers.at("connection"), "close");
}

TEST(HttpClientTest, NonSuccessStatusIsAValue) {
  FakeHttpServer server([](const RecordedRequest&) { return CannedResponse{503, {}, "busy"}; });
  auto response = Client()->Send({"GET", server.base_url(), {}, ""});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(HttpStatusError(503, "GET x").code, ErrorCode::kUnavailable);
}

TEST(HttpClientTest, BodyLimit) {
  FakeHttpServer server([](const RecordedRequest&) {
    return CannedResponse{200, {}, std::string(4096, 'x')};
  });
  HttpClientOptions options;
  options.max_body_bytes = 1024;
  auto response = Client(options)->Send({"GET", server.base_url(), {}, ""});
  ASSERT_FALSE(response.has_value()) << response->status << " " << response->body.size();
  EXPECT_EQ(response.error().code, ErrorCode::kTooLarge);
}

TEST(HttpClientTest, RejectsHeaderInjection) {
  auto response = Client()->Send({"GET", "http://127.0.0.1:1/", {{"x", "a\r\nEvil: 1"}}, ""});
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().message, "bad_header");
}

TEST(HttpClientTest, StreamsBodyInPieces) {
  std::string big(100'000, 'a');
  big += "END";
  FakeHttpServer server([&](const RecordedRequest&) { return CannedResponse{200, {}, big}; });
  std::string got;
  int status_seen = 0;
  auto status = Client()->Stream(
      {"GET", server.base_url() + "/watch", {}, ""},
      [&](int status_code, const Headers&) {
        status_seen = status_code;
        return true;
      },
      [&](std::string_view chunk) {
        got.append(chunk);
        return true;
      });
  ASSERT_TRUE(status.has_value()) << status.error().detail;
  EXPECT_EQ(*status, 200);
  EXPECT_EQ(status_seen, 200);
  EXPECT_EQ(got, big);
  // A callback can stop early.
  size_t pieces = 0;
  auto stopped = Client()->Stream(
      {"GET", server.base_url(), {}, ""}, [](int, const Headers&) { return true; },
      [&](std::string_view) { return ++pieces < 1; });
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(pieces, 1u);
}

TEST(HttpClientTest, ConnectionRefusedAndTimeout) {
  unsigned short port = 0;
  {
    FakeHttpServer server([](const RecordedRequest&) { return CannedResponse{}; });
    port = server.port();
  }
  auto refused = Client()->Send({"GET", "http://127.0.0.1:" + std::to_string(port), {}, ""});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().message, "connect_failed");

  // A listener that never answers: the kernel accepts the connection, nobody reads.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  HttpClientOptions options;
  options.request_timeout = std::chrono::milliseconds(200);
  auto timed_out = Client(options)->Send(
      {"GET", "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), {}, ""});
  ASSERT_FALSE(timed_out.has_value());
  EXPECT_EQ(timed_out.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(timed_out.error().message, "timeout");
}

// Another thread stops a Stream that waits for headers, and one that waits for more body;
// the token stays cancelled. Real sockets: the server side is driven by hand.
TEST(HttpClientTest, StreamCancelStopsAStreamFromAnotherThread) {
  namespace asio = boost::asio;
  asio::io_context ioc;
  asio::ip::tcp::acceptor listener(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.local_endpoint().port());
  StreamOptions call;  // default request_timeout (30 s): the cancel, not a timeout, ends it
  StreamCancel cancel;
  call.cancel = &cancel;
  auto client = Client();
  std::promise<void> got_data;
  auto stream = std::async(std::launch::async, [&] {
    bool first = true;
    return client->Stream(
        {"GET", url, {}, ""}, [](int, const Headers&) { return true; },
        [&](std::string_view) {
          if (std::exchange(first, false)) got_data.set_value();
          return true;
        },
        call);
  });
  asio::ip::tcp::socket peer(ioc);
  listener.accept(peer);
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n";
  asio::write(peer, asio::buffer(head));
  ASSERT_EQ(got_data.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
  cancel.Cancel();
  ASSERT_EQ(stream.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  auto stopped = stream.get();
  ASSERT_FALSE(stopped.has_value());
  EXPECT_EQ(stopped.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(stopped.error().message, "cancelled");
  EXPECT_TRUE(cancel.cancelled());

  // Sticky: a later call with the same token does not even connect.
  auto again = client->Stream(
      {"GET", url, {}, ""}, [](int, const Headers&) { return true; },
      [](std::string_view) { return true; }, call);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, "cancelled");

  // A call waiting for headers (nothing sent back) is stopped as well.
  StreamCancel waiting;
  call.cancel = &waiting;
  auto headers = std::async(std::launch::async, [&] {
    return client->Stream(
        {"GET", url, {}, ""}, [](int, const Headers&) { return true; },
        [](std::string_view) { return true; }, call);
  });
  asio::ip::tcp::socket silent(ioc);
  listener.accept(silent);
  waiting.Cancel();
  ASSERT_EQ(headers.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  auto cut = headers.get();
  ASSERT_FALSE(cut.has_value());
  EXPECT_EQ(cut.error().message, "cancelled");
}

TEST(HttpClientTest, BadTlsConfigIsReported) {
  HttpClientOptions options;
  options.ca_pem = "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n";
  auto client = BeastHttpClient::Create(options);
  ASSERT_FALSE(client.has_value());
  EXPECT_EQ(client.error().message, "bad_tls_config");
}

}  // namespace
}  // namespace timelined::connectors
