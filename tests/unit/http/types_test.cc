#include "daemon/http/types.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
