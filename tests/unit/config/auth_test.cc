#include "daemon/config/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "store/model/hash.h"

namespace timelined::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIngestToken[] = "ingest-token-0123456789";
constexpr char kReaderToken[] = "reader-token-abcdefghij";

Authenticator TwoTokens() {
  std::string upper = Sha256Hex(kReaderToken);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(c));
  }
  return Authenticator({
      Token{"fluent-bit", Sha256Hex(kIngestToken), {Scope::kIngest}},
      Token{"sre", upper, {Scope::kRead, Scope::kRegenerate}},  // upper case still matches
  });
}

std::string Bearer(std::string_view token) { return "Bearer " + std::string(token); }

TEST(Authenticator, RightTokenAndScopeIsAllowed) {
  Authenticator auth = TwoTokens();
  EXPECT_FALSE(auth.Open());
  auto p = auth.Authenticate(Bearer(kIngestToken), Scope::kIngest, /*peer_is_loopback=*/false);
  ASSERT_TRUE(p.has_value()) << p.error().detail;
  EXPECT_EQ(p->name, "fluent-bit");
  EXPECT_EQ(p->scopes, std::vector<Scope>{Scope::kIngest});

  auto q = auth.Authenticate(Bearer(kReaderToken), Scope::kRegenerate, false);
  ASSERT_TRUE(q.has_value()) << q.error().detail;
  EXPECT_EQ(q->name, "sre");
}

TEST(Authenticator, WrongScopeIs403NamingTheScope) {
  auto p = TwoTokens().Authenticate(Bearer(kIngestToken), Scope::kRead, true);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(p.error().message, "forbidden");
  EXPECT_THAT(p.error().detail, HasSubstr("'read'"));
  EXPECT_THAT(p.error().detail, Not(HasSubstr(kIngestToken)));

  // No scope implies another, admin included.
  Authenticator admin({Token{"root", Sha256Hex("admin-token"), {Scope::kAdmin}}});
  auto a = admin.Authenticate(Bearer("admin-token"), Scope::kIngest, true);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(a.error().detail, HasSubstr("'ingest'"));
}

TEST(Authenticator, UnknownTokenIs401EvenFromLoopback) {
  auto p = TwoTokens().Authenticate(Bearer("not-a-configured-token"), Scope::kRead, true);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(p.error().message, "unauthenticated");
  EXPECT_THAT(p.error().detail, Not(HasSubstr("not-a-configured-token")));
}

TEST(Authenticator, MissingOrMalformedHeaderIs401) {
  Authenticator auth = TwoTokens();
  for (std::string_view header :
       {"", "   ", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b",
        "Bearerx ingest-token-0123456789", "ingest-token-0123456789", "Token abc"}) {
    auto p = auth.Authenticate(header, Scope::kIngest, true);
    ASSERT_FALSE(p.has_value()) << "'" << header << "'";
    EXPECT_EQ(p.error().code, ErrorCode::kUnauthenticated) << header;
    EXPECT_EQ(p.error().message, "unauthenticated") << header;
  }
  EXPECT_THAT(auth.Authenticate("", Scope::kIngest, true).error().detail, HasSubstr("missing"));
}

TEST(Authenticator, SchemeIsCaseInsensitive) {
  Authenticator auth = TwoTokens();
  for (std::string header :
       {std::string("bearer ") + kIngestToken, std::string("BEARER ") + kIngestToken,
        std::string("  Bearer \t") + kIngestToken + "  "}) {
    auto p = auth.Authenticate(header, Scope::kIngest, false);
    ASSERT_TRUE(p.has_value()) << header;
    EXPECT_EQ(p->name, "fluent-bit");
  }
  // The token itself is case-sensitive.
  std::string upper = kIngestToken;
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(c));
  }
  EXPECT_FALSE(auth.Authenticate(Bearer(upper), Scope::kIngest, false).has_value());
}

TEST(Authenticator, OpenModeServesOnlyLoopback) {
  Authenticator open({});
  EXPECT_TRUE(open.Open());
  auto p = open.Authenticate("", Scope::kAdmin, /*peer_is_loopback=*/true);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->name, "anonymous-loopback");
  for (Scope s : kAllScopes) {
    EXPECT_TRUE(p->HasScope(s)) << ScopeName(s);
  }
  auto q = open.Authenticate(Bearer("anything"), Scope::kRead, /*peer_is_loopback=*/false);
  ASSERT_FALSE(q.has_value());
  EXPECT_EQ(q.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(q.error().message, "unauthenticated");
}

TEST(ParseBearer, ExtractsTheCredentials) {
  EXPECT_EQ(ParseBearer("Bearer abc.DEF_-~+/="), "abc.DEF_-~+/=");
  EXPECT_EQ(ParseBearer("bEaReR   tok  "), "tok");
  EXPECT_EQ(ParseBearer("Bearer\ttok"), "tok");
  EXPECT_EQ(ParseBearer("Bearer tok\r\n"), "");
  EXPECT_EQ(ParseBearer("Bearer"), "");
  EXPECT_EQ(ParseBearer("Basic tok"), "");
}

}  // namespace
}  // namespace timelined::config
