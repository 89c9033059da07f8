#include "daemon/http/router.h"

#include <gtest/gtest.h>

namespace timelined::http {
namespace {

// Each handler writes its name into the response body, so a test can see which one matched.
Handler Named(std::string name) {
  return [name](Request&, Respond respond) { respond(Response::Text(200, name)); };
}

std::string Call(const Handler* h) {
  if (h == nullptr) return "<none>";
  Request dummy;
  std::string body;
  (*h)(dummy, [&](Response r) { body = r.body; });
  return body;
}

Request Get(std::string target, std::string method = "GET") {
  Request req;
  req.method = std::move(method);
  req.target = std::move(target);
  return req;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/healthz", Named("healthz"));
    router_.Add("GET", "/v1/incidents/{id}", Named("incident"));
    router_.Add("GET", "/v1/incidents/export", Named("export"));  // added after the param
    router_.Add("GET", "/v1/incidents/{id}/events", Named("events"));
    router_.Add("GET", "/v1/incidents/{id}/timeline.md", Named("timeline.md"));
    router_.Add("GET", "/v1/incidents/{id}/{view}", Named("view"));
    router_.Add("GET", "/v1/drafts/{id}.json", Named("draft.json"));
    router_.Add("POST", "/v1/incidents/{id}/regenerate", Named("regenerate"));
    router_.Add("GET", "/v1/events/{id}", Named("event"));
    router_.Add("GET", "/", Named("root"));
  }
  Router router_;
};

TEST_F(RouterTest, FillsParamsAndRoute) {
  Request req = Get("/v1/incidents/Q1ABC/events?limit=5");
  int status = 0;
  const Handler* h = router_.Match(req, &status);
  EXPECT_EQ(Call(h), "events");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(req.route, "/v1/incidents/{id}/events");
  EXPECT_EQ(req.path_params, (std::map<std::string, std::string>{{"id", "Q1ABC"}}));
}

TEST_F(RouterTest, LiteralBeatsParamWhateverTheOrder) {
  int status = 0;
  Request exp = Get("/v1/incidents/export");
  EXPECT_EQ(Call(router_.Match(exp, &status)), "export");
  EXPECT_TRUE(exp.path_params.empty());
  Request other = Get("/v1/incidents/exports");
  EXPECT_EQ(Call(router_.Match(other, &status)), "incident");
  EXPECT_EQ(other.path_params["id"], "exports");
}

TEST_F(RouterTest, LiteralLastSegmentBeatsParamSegment) {
  int status = 0;
  Request md = Get("/v1/incidents/Q1/timeline.md");
  EXPECT_EQ(Call(router_.Match(md, &status)), "timeline.md");
  Request json = Get("/v1/incidents/Q1/timeline.json");
  EXPECT_EQ(Call(router_.Match(json, &status)), "view");
  EXPECT_EQ(json.path_params["view"], "timeline.json");
}

TEST_F(RouterTest, ParamWithLiteralSuffix) {
  int status = 0;
  Request ok = Get("/v1/drafts/d7.json");
  EXPECT_EQ(Call(router_.Match(ok, &status)), "draft.json");
  EXPECT_EQ(ok.path_params["id"], "d7");
  Request bare = Get("/v1/drafts/.json");  // the parameter part may not be empty
  EXPECT_EQ(router_.Match(bare, &status), nullptr);
  EXPECT_EQ(status, 404);
  Request other = Get("/v1/drafts/d7.md");
  EXPECT_EQ(router_.Match(other, &status), nullptr);
}

TEST_F(RouterTest, NotFoundVersusMethodNotAllowed) {
  int status = 0;
  Request nope = Get("/nope");
  EXPECT_EQ(router_.Match(nope, &status), nullptr);
  EXPECT_EQ(status, 404);
  EXPECT_TRUE(nope.route.empty());

  Request post = Get("/healthz", "POST");
  EXPECT_EQ(router_.Match(post, &status), nullptr);
  EXPECT_EQ(status, 405);
  EXPECT_EQ(router_.AllowedMethods(post), std::vector<std::string>{"GET"});

  // The path matches GET {id}/{view} and POST {id}/regenerate.
  Request del = Get("/v1/incidents/Q1/regenerate", "DELETE");
  EXPECT_EQ(router_.Match(del, &status), nullptr);
  EXPECT_EQ(status, 405);
  EXPECT_EQ(router_.AllowedMethods(del), (std::vector<std::string>{"GET", "POST"}));

  Request regen = Get("/v1/incidents/Q1/regenerate", "POST");
  EXPECT_EQ(Call(router_.Match(regen, &status)), "regenerate");
}

TEST_F(RouterTest, TrailingSlashIsSignificant) {
  int status = 0;
  Request slash = Get("/healthz/");
  EXPECT_EQ(router_.Match(slash, &status), nullptr);
  EXPECT_EQ(status, 404);
  Request empty_param = Get("/v1/events/");
  EXPECT_EQ(router_.Match(empty_param, &status), nullptr);
  EXPECT_EQ(status, 404);
  Request root = Get("/");
  EXPECT_EQ(Call(router_.Match(root, &status)), "root");
}

TEST_F(RouterTest, PercentDecodesSegmentsAfterSplitting) {
  int status = 0;
  Request req = Get("/v1/events/pd%5Fx%2Fy%20z");
  EXPECT_EQ(Call(router_.Match(req, &status)), "event");
  EXPECT_EQ(req.path_params["id"], "pd_x/y z");

  Request literal = Get("/v1/incidents/%65xport");
  EXPECT_EQ(Call(router_.Match(literal, &status)), "export");

  Request bad = Get("/v1/events/%zz");
  EXPECT_EQ(router_.Match(bad, &status), nullptr);
  EXPECT_EQ(status, 404);
}

TEST_F(RouterTest, UsesPathWhenTargetIsEmpty) {
  Request req;
  req.method = "GET";
  req.path = "/v1/events/lg_1";
  int status = 0;
  EXPECT_EQ(Call(router_.Match(req, &status)), "event");
  EXPECT_EQ(req.path_params["id"], "lg_1");
}

TEST_F(RouterTest, MethodsAreCaseSensitive) {
  int status = 0;
  Request req = Get("/healthz", "get");
  EXPECT_EQ(router_.Match(req, &status), nullptr);
  EXPECT_EQ(status, 405);
}

}  // namespace
}  // namespace timelined::http
