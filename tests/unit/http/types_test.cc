#include "daemon/http/types.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace timelined::http {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndRejectsMalformedOnes) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc%41"), "a b/cA");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%e2%9C%93"), "\xe2\x9c\x93");
  EXPECT_EQ(PercentDecode("%zz"), std::nullopt);
  EXPECT_EQ(PercentDecode("abc%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("abc%"), std::nullopt);
  EXPECT_EQ(PercentDecode(""), "");
}

TEST(ParseQueryTest, DecodesPairsLastWins) {
  auto q = ParseQuery("a=1&b=x%20y&c=d+e&flag&a=2&&bad=%zz&=nokey");
  std::map<std::string, std::string> want = {{"a", "2"}, {"b", "x y"}, {"c", "d e"}, {"flag", ""}};
  EXPECT_EQ(q, want);
}

TEST(RequestTest, HeaderAndQueryLookups) {
  Request req;
  req.headers["x-request-id"] = "abc";
  req.query["version"] = "3";
  EXPECT_EQ(req.Header("x-request-id"), "abc");
  EXPECT_EQ(req.Header("absent"), "");
  EXPECT_EQ(req.Query("version"), "3");
  EXPECT_EQ(req.Query("absent"), std::nullopt);
}

TEST(ResponseTest, JsonErrorIsEscapedJson) {
  Response r = Response::JsonError(400, "bad \"input\"", "line1\nline2 \\ </script>");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_EQ(j["error"], "bad \"input\"");
  EXPECT_EQ(j["detail"], "line1\nline2 \\ </script>");
}

TEST(ResponseTest, JsonErrorSurvivesInvalidUtf8) {
  Response r = Response::JsonError(400, "bad", "\xff\xfe");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
}

TEST(ResponseTest, FromErrorMapsStatusAndAddsRetryAfterWhenRetryable) {
  Response nf = Response::FromError(Error{ErrorCode::kNotFound, "no_such_incident", "Q1"});
  EXPECT_EQ(nf.status, 404);
  EXPECT_TRUE(nf.headers.empty());
  auto j = nlohmann::json::parse(nf.body);
  EXPECT_EQ(j["error"], "no_such_incident");
  EXPECT_EQ(j["detail"], "Q1");

  Response busy = Response::FromError(Error{ErrorCode::kUnavailable, "store_busy", ""});
  EXPECT_EQ(busy.status, 503);
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
}

TEST(ResponseTest, TextAndNoContent) {
  Response t = Response::Text(200, "# md", "text/markdown; charset=utf-8");
  EXPECT_EQ(t.content_type, "text/markdown; charset=utf-8");
  EXPECT_EQ(t.body, "# md");
  Response n = Response::NoContent();
  EXPECT_EQ(n.status, 204);
  EXPECT_TRUE(n.body.empty());
  EXPECT_TRUE(n.content_type.empty());
}

}  // namespace
}  // namespace timelined::http

namespace timelined::http {
namespace {

TEST(ParamsTest, IsValidUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(ParamsTest, ParseQueryStrictRefusesWhatParseQuerySkips) {
  std::string why;
  auto ok = ParseQueryStrict("a=1&b=x%20y&flag&c=caf%C3%A9", &why);
  ASSERT_TRUE(ok) << why;
  EXPECT_EQ(ok->at("b"), "x y");
  EXPECT_EQ(ok->at("flag"), "");
  for (const std::string& bad :
       std::vector<std::string>{"a=%zz", "a=%FF", "a=%0A", "=x", "a=" + std::string(2049, 'v')}) {
    why.clear();
    EXPECT_FALSE(ParseQueryStrict(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  std::string many;
  for (int i = 0; i < 65; ++i) many += "k" + std::to_string(i) + "=1&";
  EXPECT_FALSE(ParseQueryStrict(many, &why));
}

TEST(ParamsTest, CheckPathParamsNamesTheParameter) {
  Request req;
  req.route = "/v1/incidents/{id}/regenerate";
  req.path_params["id"] = "Q1ABC";
  EXPECT_FALSE(CheckPathParams(req));
  req.path_params["id"] = "\xFF";
  auto bad = CheckPathParams(req);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad->body)["error"], "bad_incident_id");
  req.route = "/v1/events/{id}";
  req.path_params["id"] = std::string(129, 'a');
  bad = CheckPathParams(req);
  ASSERT_TRUE(bad);
  EXPECT_EQ(nlohmann::json::parse(bad->body)["error"], "bad_event_id");
  req.route = "/{name}.md";
  req.path_params = {{"name", "a b"}};
  bad = CheckPathParams(req);
  ASSERT_TRUE(bad);
  EXPECT_EQ(nlohmann::json::parse(bad->body)["error"], "bad_name");
}

TEST(ParamsTest, SetRetryAfterReplaces) {
  Response r = Response::FromError(Error{ErrorCode::kUnavailable, "not_durable", ""});
  r.SetRetryAfter(7);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].second, "7");
}

TEST(ParamsTest, GatedHandlerCalledDirectlyRunsItsCheck) {
  int calls = 0;
  Handler h = Gated(
      [](const Request& req) -> std::optional<Response> {
        if (req.Header("authorization") == "ok") return std::nullopt;
        return Response::JsonError(401, "unauthenticated", "");
      },
      [&calls](Request&, Respond respond) {
        ++calls;
        respond(Response::NoContent());
      });
  ASSERT_NE(h.target<GatedHandler>(), nullptr);
  Request req;
  int status = 0;
  h(req, [&status](Response r) { status = r.status; });
  EXPECT_EQ(status, 401);
  EXPECT_EQ(calls, 0);
  req.headers["authorization"] = "ok";
  h(req, [&status](Response r) { status = r.status; });
  EXPECT_EQ(status, 204);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace timelined::http
