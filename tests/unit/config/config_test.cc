#include "daemon/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/config/describe_keys.h"
#include "store/model/hash.h"

namespace timelined::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ExamplePath() {
  // Lexical, so it does not need tests/fixtures to exist.
  return (std::filesystem::path(TIMELINED_FIXTURES) / ".." / ".." / "examples" / "timelined.toml")
      .lexically_normal()
      .string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The detail of a failed parse; fails the test when the parse succeeded.
std::string ParseError(std::string_view text, std::string_view origin = "/etc/timelined.toml") {
  auto c = ParseConfig(text, origin);
  if (c) {
    ADD_FAILURE() << "expected an error for:\n" << text;
    return {};
  }
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(c.error().message, "invalid_config");
  return c.error().detail;
}

Config ParseOk(std::string_view text) {
  auto c = ParseConfig(text);
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().detail) << "\nfor:\n" << text;
  return c ? *c : Config{};
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::path(::testing::TempDir()) / "config_test.XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

constexpr char kHashA[] = "370e4cdcf4678f50453ad8e032f98c10a825bc75921252ee4520d8662a1b6624";

std::string TokenToml(std::string_view body) {
  return "[[auth.tokens]]\nname = \"t\"\nscopes = [\"read\"]\n" + std::string(body) + "\n";
}

TEST(ConfigDefaults, NoFileIsValidAndOnLoopback) {
  Config c = DefaultConfig();
  ASSERT_TRUE(ValidateConfig(c).has_value());
  auto listen = ParseListen(c.server.listen);
  ASSERT_TRUE(listen.has_value());
  EXPECT_TRUE(IsLoopbackAddress(listen->first));
  EXPECT_TRUE(c.tokens.empty());

  Config empty = ParseOk("");
  EXPECT_EQ(empty.server.listen, c.server.listen);
  EXPECT_EQ(empty.server.max_body_bytes, c.server.max_body_bytes);
  EXPECT_EQ(empty.store.path, c.store.path);
  EXPECT_EQ(empty.log.level, "info");
  EXPECT_EQ(empty.source_path, "");
}

TEST(ConfigExample, ParsesAndKeepsTheDefaults) {
  auto loaded = LoadConfigFile(ExamplePath());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().detail;
  const Config& c = *loaded;
  const Config d = DefaultConfig();
  EXPECT_EQ(c.source_path, ExamplePath());
  EXPECT_EQ(c.server.listen, d.server.listen);
  EXPECT_EQ(c.server.ready_file, d.server.ready_file);
  EXPECT_EQ(c.server.threads, d.server.threads);
  EXPECT_EQ(c.server.max_body_bytes, d.server.max_body_bytes);
  EXPECT_EQ(c.server.max_header_bytes, d.server.max_header_bytes);
  EXPECT_EQ(c.server.max_connections, d.server.max_connections);
  EXPECT_EQ(c.server.read_timeout, d.server.read_timeout);
  EXPECT_EQ(c.server.idle_timeout, d.server.idle_timeout);
  EXPECT_EQ(c.server.publish_timeout_ms, d.server.publish_timeout_ms);
  EXPECT_EQ(c.server.drain_ms, d.server.drain_ms);
  EXPECT_EQ(c.server.shutdown_grace_ms, d.server.shutdown_grace_ms);
  EXPECT_EQ(c.store.path, d.store.path);
  EXPECT_EQ(c.store.cache_mib, d.store.cache_mib);
  EXPECT_EQ(c.store.max_batch_events, d.store.max_batch_events);
  EXPECT_EQ(c.store.queue_limit_events, d.store.queue_limit_events);
  EXPECT_EQ(c.store.reader_connections, d.store.reader_connections);
  EXPECT_EQ(c.store.synchronous_full, d.store.synchronous_full);
  EXPECT_EQ(c.log.level, d.log.level);
  EXPECT_EQ(c.log.format, d.log.format);
  // No live token: a copy of the example serves loopback clients like no file at all.
  EXPECT_TRUE(c.tokens.empty());
  ASSERT_EQ(c.redaction_patterns.size(), 1u);
  EXPECT_EQ(c.redaction_patterns[0].name, "employee_id");
  EXPECT_EQ(c.redaction_patterns[0].regex, R"(\bEMP-[0-9]{6}\b)");
}

// Keeps the example complete as keys are added: every declared key appears in it.
TEST(ConfigExample, ShowsEveryKey) {
  toml::table example = toml::parse_file(ExamplePath());
  std::istringstream lines(DescribeKeys());
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    std::string name = line.substr(0, line.find(' '));
    if (name.find("[]") != std::string::npos) {
      continue;  // element keys of [[auth.tokens]] and [[redaction.patterns]]
    }
    if (line.find("  secret  ") != std::string::npos) {
      // A secret has no value that keeps the defaults (empty is refused, _env/_file must
      // resolve): the example shows it in a comment.
      std::string leaf = name.substr(name.rfind('.') + 1);
      EXPECT_NE(ReadAll(ExamplePath()).find("# " + leaf), std::string::npos)
          << name << " missing from the example (as a comment)";
      ++checked;
      continue;
    }
    EXPECT_TRUE(static_cast<bool>(example.at_path(name))) << name << " missing from the example";
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(ConfigLoad, MissingFileNamesThePath) {
  auto c = LoadConfigFile("/nonexistent/dir/timelined.toml");
  ASSERT_FALSE(c.has_value());
  EXPECT_THAT(c.error().detail, HasSubstr("/nonexistent/dir/timelined.toml"));
}

TEST(ConfigLoad, SyntaxErrorNamesFileAndLine) {
  std::string e = ParseError("[server]\nthreads = = 2\n");
  EXPECT_THAT(e, HasSubstr("/etc/timelined.toml"));
  EXPECT_THAT(e, HasSubstr("line 2"));
}

TEST(ConfigLoad, SetsEveryKey) {
  Config c = ParseOk(R"(
[server]
listen = "[::1]:9090"
ready_file = "/tmp/port"
threads = 8
max_body_bytes = 2048
max_header_bytes = 4096
max_connections = 10
read_timeout_ms = 500
idle_timeout_ms = 2000
publish_timeout_ms = 100
drain_ms = 0
shutdown_grace_ms = 0
[store]
path = "/var/lib/timelined/db.sqlite"
cache_mib = 128
max_batch_events = 100
queue_limit_events = 100
reader_connections = 2
synchronous_full = true
[log]
level = "debug"
format = "json"
)");
  EXPECT_EQ(c.server.listen, "[::1]:9090");
  EXPECT_EQ(c.server.ready_file, "/tmp/port");
  EXPECT_EQ(c.server.threads, 8);
  EXPECT_EQ(c.server.max_body_bytes, 2048u);
  EXPECT_EQ(c.server.max_header_bytes, 4096u);
  EXPECT_EQ(c.server.max_connections, 10u);
  EXPECT_EQ(c.server.read_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c.server.idle_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(c.server.publish_timeout_ms, 100);
  EXPECT_EQ(c.server.drain_ms, 0);
  EXPECT_EQ(c.server.shutdown_grace_ms, 0);
  EXPECT_EQ(c.store.path, "/var/lib/timelined/db.sqlite");
  EXPECT_EQ(c.store.cache_mib, 128);
  EXPECT_EQ(c.store.max_batch_events, 100u);
  EXPECT_EQ(c.store.queue_limit_events, 100u);
  EXPECT_EQ(c.store.reader_connections, 2);
  EXPECT_TRUE(c.store.synchronous_full);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, "json");
}

TEST(ConfigLoad, UnknownKeysAreNamed) {
  EXPECT_THAT(ParseError("bogus = 1\n"),
              HasSubstr("unknown key 'bogus' in /etc/timelined.toml (line 1)"));
  EXPECT_THAT(ParseError("[sever]\nlisten = \"127.0.0.1:1\"\n"), HasSubstr("unknown key 'sever'"));
  EXPECT_THAT(ParseError("\n[server]\nlisen = \"127.0.0.1:1\"\n"),
              HasSubstr("unknown key 'server.lisen' in /etc/timelined.toml (line 3)"));
  EXPECT_THAT(ParseError("server.threads.x = 1\n"), HasSubstr("server.threads"));
  EXPECT_THAT(ParseError("[auth]\nmode = \"x\"\n"), HasSubstr("unknown key 'auth.mode'"));
  EXPECT_THAT(ParseError(TokenToml("scope = [\"read\"]\nsha256 = \"" + std::string(kHashA) + "\"")),
              HasSubstr("unknown key 'auth.tokens[0].scope'"));
  EXPECT_THAT(ParseError("\"server.threads\" = 2\n"), HasSubstr("unknown key 'server.threads'"));
}

TEST(ConfigLoad, WrongTypesNameKeyExpectedAndGot) {
  std::string e = ParseError("[server]\nthreads = \"two\"\n");
  EXPECT_THAT(e, HasSubstr("'server.threads'"));
  EXPECT_THAT(e, HasSubstr("expected integer, got string"));
  EXPECT_THAT(ParseError("[server]\nthreads = 2.0\n"), HasSubstr("expected integer, got float"));
  EXPECT_THAT(ParseError("[server]\nlisten = 8080\n"), HasSubstr("expected string, got integer"));
  EXPECT_THAT(ParseError("[store]\nsynchronous_full = \"yes\"\n"),
              HasSubstr("expected boolean, got string"));
  EXPECT_THAT(ParseError("server = 1\n"), HasSubstr("'server' in /etc/timelined.toml (line 1): "
                                                    "expected table, got integer"));
  EXPECT_THAT(ParseError("[auth]\ntokens = 1\n"), HasSubstr("expected array of tables"));
  EXPECT_THAT(ParseError(TokenToml("sha256 = 1")), HasSubstr("'auth.tokens[0].sha256'"));
}

TEST(ConfigLoad, OutOfBoundsNamesTheBounds) {
  EXPECT_THAT(ParseError("[server]\nthreads = 65\n"),
              HasSubstr("'server.threads' in /etc/timelined.toml (line 2): value 65 is out of "
                        "bounds: must be between 1 and 64"));
  EXPECT_THAT(ParseError("[server]\nthreads = 0\n"), HasSubstr("between 1 and 64"));
  EXPECT_THAT(ParseError("[server]\nmax_body_bytes = 1023\n"),
              HasSubstr("between 1024 (1 KiB) and 1073741824 (1 GiB)"));
  EXPECT_THAT(ParseError("[server]\npublish_timeout_ms = 60001\n"),
              HasSubstr("between 100 and 60000"));
  EXPECT_THAT(ParseError("[server]\nmax_connections = -1\n"), HasSubstr("between 1 and 100000"));
  // The boundaries themselves are accepted.
  EXPECT_EQ(ParseOk("[server]\nthreads = 64\nmax_body_bytes = 1073741824\n").server.threads, 64);
}

TEST(ConfigLoad, EnumValues) {
  EXPECT_THAT(ParseError("[log]\nlevel = \"verbose\"\n"),
              HasSubstr("'log.level' in /etc/timelined.toml (line 2): value 'verbose' is not one "
                        "of trace, debug, info, warn, error"));
  EXPECT_THAT(ParseError("[log]\nformat = \"xml\"\n"), HasSubstr("not one of text, json"));
  EXPECT_EQ(ParseOk("[log]\nlevel = \"error\"\n").log.level, "error");
  EXPECT_EQ(DefaultConfig().logs.stderr_level, "info");
  EXPECT_EQ(ParseOk("[logs]\nstderr_level = \"warn\"\n").logs.stderr_level, "warn");
  EXPECT_THAT(ParseError("[logs]\nstderr_level = \"loud\"\n"),
              HasSubstr("not one of info, warn, error"));
}

TEST(ConfigTokens, InlineHashIsNormalizedToLowerCase) {
  std::string upper = kHashA;
  for (char& ch : upper) {
    ch = static_cast<char>(std::toupper(ch));
  }
  Config c = ParseOk(TokenToml("sha256 = \"" + upper + "\""));
  ASSERT_EQ(c.tokens.size(), 1u);
  EXPECT_EQ(c.tokens[0].sha256, kHashA);
  EXPECT_EQ(c.tokens[0].name, "t");
  EXPECT_EQ(c.tokens[0].scopes, std::vector<Scope>{Scope::kRead});
}

TEST(ConfigTokens, FromEnvIsHashedAndNotKept) {
  ScopedEnv env("TIMELINED_TEST_TOKEN_A", "s3cr3t-from-env");
  Config c = ParseOk(TokenToml("token_env = \"TIMELINED_TEST_TOKEN_A\""));
  ASSERT_EQ(c.tokens.size(), 1u);
  EXPECT_EQ(c.tokens[0].sha256, Sha256Hex("s3cr3t-from-env"));
}

TEST(ConfigTokens, FromFileIsHashedWithTrailingNewlineTrimmed) {
  TempDir dir;
  std::string path = dir.Write("token", "s3cr3t-from-file\n");
  Config c = ParseOk(TokenToml("token_file = \"" + path + "\""));
  ASSERT_EQ(c.tokens.size(), 1u);
  EXPECT_EQ(c.tokens[0].sha256, Sha256Hex("s3cr3t-from-file"));

  std::string crlf = dir.Write("token_crlf", "s3cr3t-from-file\r\n");
  EXPECT_EQ(ParseOk(TokenToml("token_file = \"" + crlf + "\"")).tokens[0].sha256,
            Sha256Hex("s3cr3t-from-file"));
}

TEST(ConfigTokens, MissingEnvNamesKeyAndVariable) {
  unsetenv("TIMELINED_TEST_TOKEN_UNSET");
  std::string e = ParseError(TokenToml("token_env = \"TIMELINED_TEST_TOKEN_UNSET\""));
  EXPECT_THAT(e, HasSubstr("'auth.tokens[0].token_env'"));
  EXPECT_THAT(e, HasSubstr("environment variable 'TIMELINED_TEST_TOKEN_UNSET' is not set"));
}

TEST(ConfigTokens, UnreadableOrEmptyFileNamesKeyAndPath) {
  std::string e = ParseError(TokenToml("token_file = \"/nonexistent/token\""));
  EXPECT_THAT(e, HasSubstr("'auth.tokens[0].token_file'"));
  EXPECT_THAT(e, HasSubstr("cannot read '/nonexistent/token'"));

  TempDir dir;
  std::string empty = dir.Write("empty", "\n");
  EXPECT_THAT(ParseError(TokenToml("token_file = \"" + empty + "\"")), HasSubstr("is empty"));
}

TEST(ConfigTokens, MoreThanOneFormIsAnErrorWithoutTheSecret) {
  ScopedEnv env("TIMELINED_TEST_TOKEN_B", "s3cr3t-both");
  TempDir dir;
  std::string path = dir.Write("token", "s3cr3t-file-both");
  std::string e = ParseError(
      TokenToml("token_env = \"TIMELINED_TEST_TOKEN_B\"\ntoken_file = \"" + path + "\""));
  EXPECT_THAT(e, HasSubstr("give only one of token_env or token_file"));
  EXPECT_THAT(e, Not(HasSubstr("s3cr3t")));

  e = ParseError(TokenToml("sha256 = \"" + std::string(kHashA) +
                           "\"\ntoken_env = \"TIMELINED_TEST_TOKEN_B\""));
  EXPECT_THAT(e, HasSubstr("'auth.tokens[0]'"));
  EXPECT_THAT(e, HasSubstr("give either sha256 or token_env/token_file, not both"));
  EXPECT_THAT(e, Not(HasSubstr("s3cr3t")));
}

TEST(ConfigTokens, PlaintextInlineIsRefusedWithoutEchoingIt) {
  std::string e = ParseError(TokenToml("token = \"s3cr3t-inline\""));
  EXPECT_THAT(e, HasSubstr("'auth.tokens[0].token'"));
  EXPECT_THAT(e, HasSubstr("not accepted inline"));
  EXPECT_THAT(e, Not(HasSubstr("s3cr3t")));
}

TEST(ConfigTokens, RequiredFieldsAndValues) {
  EXPECT_THAT(ParseError(TokenToml("")),
              HasSubstr("one of sha256, token_env or token_file is required"));
  EXPECT_THAT(ParseError("[[auth.tokens]]\nsha256 = \"" + std::string(kHashA) +
                         "\"\nscopes = [\"read\"]\n"),
              HasSubstr("missing required key 'auth.tokens[0].name'"));
  EXPECT_THAT(
      ParseError("[[auth.tokens]]\nname = \"t\"\nsha256 = \"" + std::string(kHashA) + "\"\n"),
      HasSubstr("missing required key 'auth.tokens[0].scopes'"));
  EXPECT_THAT(ParseError("[[auth.tokens]]\nname = \"t\"\nscopes = []\nsha256 = \"" +
                         std::string(kHashA) + "\"\n"),
              HasSubstr("'auth.tokens[0].scopes' in /etc/timelined.toml (line 3): must not be "
                        "empty"));
  EXPECT_THAT(ParseError("[[auth.tokens]]\nname = \"t\"\nscopes = [\"write\"]\nsha256 = \"" +
                         std::string(kHashA) + "\"\n"),
              HasSubstr("value 'write' is not one of ingest, read, regenerate, admin"));
  EXPECT_THAT(ParseError(TokenToml("sha256 = \"abc\"")), HasSubstr("expected 64 hex characters"));
  EXPECT_THAT(ParseError("[[auth.tokens]]\nname = \"has space\"\nscopes = [\"read\"]\n"),
              HasSubstr("'auth.tokens[0].name'"));
}

TEST(ConfigTokens, SecondEntryIsIndexedAndDuplicatesRefused) {
  std::string two = TokenToml("sha256 = \"" + std::string(kHashA) + "\"") +
                    "[[auth.tokens]]\nname = \"u\"\nscopes = [\"bogus\"]\n";
  EXPECT_THAT(ParseError(two), HasSubstr("'auth.tokens[1].scopes'"));

  std::string same_name = TokenToml("sha256 = \"" + std::string(kHashA) + "\"") +
                          TokenToml("sha256 = \"" + std::string(64, 'b') + "\"");
  EXPECT_THAT(ParseError(same_name), HasSubstr("duplicate token name 't'"));

  std::string same_hash = TokenToml("sha256 = \"" + std::string(kHashA) + "\"") +
                          "[[auth.tokens]]\nname = \"u\"\nscopes = [\"read\"]\nsha256 = \"" +
                          std::string(kHashA) + "\"\n";
  EXPECT_THAT(ParseError(same_hash), HasSubstr("the same token is configured twice"));
}

TEST(ConfigTokens, ScopesAreParsedAndDeduplicated) {
  Config c = ParseOk(TokenToml("sha256 = \"" + std::string(kHashA) + "\"") +
                     "[[auth.tokens]]\nname = \"all\"\nsha256 = \"" + std::string(64, 'c') +
                     "\"\nscopes = [\"admin\", \"ingest\", \"regenerate\", \"read\", \"read\"]\n");
  ASSERT_EQ(c.tokens.size(), 2u);
  EXPECT_EQ(c.tokens[1].scopes,
            (std::vector<Scope>{Scope::kAdmin, Scope::kIngest, Scope::kRegenerate, Scope::kRead}));
}

TEST(ConfigValidate, OffLoopbackNeedsTokens) {
  std::string e = ParseError("[server]\nlisten = \"0.0.0.0:8080\"\n");
  EXPECT_THAT(e, HasSubstr("refusing to listen on 0.0.0.0 without [[auth.tokens]]"));
  EXPECT_THAT(ParseError("[server]\nlisten = \"[::]:8080\"\n"),
              HasSubstr("refusing to listen on :: without [[auth.tokens]]"));
  EXPECT_THAT(ParseError("[server]\nlisten = \"example.com:8080\"\n"),
              HasSubstr("refusing to listen on example.com"));

  Config c = ParseOk("[server]\nlisten = \"0.0.0.0:8080\"\n" +
                     TokenToml("sha256 = \"" + std::string(kHashA) + "\""));
  EXPECT_EQ(c.server.listen, "0.0.0.0:8080");

  Config d = DefaultConfig();
  d.server.listen = "10.0.0.1:80";
  ASSERT_FALSE(ValidateConfig(d).has_value());
  d.tokens.push_back(Token{"t", kHashA, {Scope::kRead}});
  EXPECT_TRUE(ValidateConfig(d).has_value());
  d.server.listen = "localhost:80";
  d.tokens.clear();
  EXPECT_TRUE(ValidateConfig(d).has_value());
}

TEST(ConfigValidate, CrossFieldRules) {
  Config c = DefaultConfig();
  c.server.listen = "127.0.0.1";
  EXPECT_THAT(ValidateConfig(c).error().detail, HasSubstr("server.listen"));

  c = DefaultConfig();
  c.store.max_batch_events = 1000;
  c.store.queue_limit_events = 999;
  EXPECT_THAT(ValidateConfig(c).error().detail,
              HasSubstr("store.queue_limit_events (999) must be at least"));

  c = DefaultConfig();
  c.tokens.push_back(Token{"t", "not-a-hash", {Scope::kRead}});
  EXPECT_THAT(ValidateConfig(c).error().detail, HasSubstr("auth.tokens[0].sha256"));

  c = DefaultConfig();
  c.tokens.push_back(Token{"t", kHashA, {}});
  EXPECT_THAT(ValidateConfig(c).error().detail, HasSubstr("auth.tokens[0].scopes"));

  EXPECT_THAT(ParseError("[store]\npath = \"\"\n"), HasSubstr("'store.path'"));
}

TEST(ConfigRedaction, PatternsAreReadAndChecked) {
  Config c = ParseOk("[[redaction.patterns]]\nname = \"ticket\"\nregex = 'TCK-[0-9]+'\n");
  ASSERT_EQ(c.redaction_patterns.size(), 1u);
  EXPECT_EQ(c.redaction_patterns[0].name, "ticket");
  EXPECT_EQ(c.redaction_patterns[0].regex, "TCK-[0-9]+");

  EXPECT_THAT(ParseError("[[redaction.patterns]]\nname = \"Bad-Name\"\nregex = 'x'\n"),
              HasSubstr("'redaction.patterns[0].name'"));
  EXPECT_THAT(ParseError("[[redaction.patterns]]\nname = \"x\"\n"),
              HasSubstr("missing required key 'redaction.patterns[0].regex'"));
  EXPECT_THAT(ParseError("[[redaction.patterns]]\nname = \"x\"\nregex = '(unclosed'\n"),
              HasSubstr("redaction.patterns"));
}

struct ListenCase {
  std::string input;
  bool ok;
  std::string host;
  uint16_t port;
};

TEST(ConfigListen, ParseListenCases) {
  const ListenCase cases[] = {
      {"127.0.0.1:8080", true, "127.0.0.1", 8080},
      {"0.0.0.0:0", true, "0.0.0.0", 0},
      {"localhost:65535", true, "localhost", 65535},
      {"[::1]:9000", true, "::1", 9000},
      {"[::]:80", true, "::", 80},
      {"[fe80::1:2]:443", true, "fe80::1:2", 443},
      {"my-host.example:1", true, "my-host.example", 1},
      {"127.0.0.1", false, "", 0},
      {"127.0.0.1:", false, "", 0},
      {"127.0.0.1:65536", false, "", 0},
      {"127.0.0.1:99999", false, "", 0},
      {"127.0.0.1:-1", false, "", 0},
      {"127.0.0.1:80a", false, "", 0},
      {"127.0.0.1:123456", false, "", 0},
      {":8080", false, "", 0},
      {"::1:8080", false, "", 0},
      {"[::1]8080", false, "", 0},
      {"[::1:8080", false, "", 0},
      {"[]:80", false, "", 0},
      {"[127.0.0.1]:80", false, "", 0},
      {"bad host:80", false, "", 0},
      {"", false, "", 0},
  };
  for (const auto& tc : cases) {
    auto r = ParseListen(tc.input);
    ASSERT_EQ(r.has_value(), tc.ok) << tc.input;
    if (tc.ok) {
      EXPECT_EQ(r->first, tc.host) << tc.input;
      EXPECT_EQ(r->second, tc.port) << tc.input;
    } else {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput) << tc.input;
    }
  }
}

TEST(ConfigListen, IsLoopbackAddress) {
  for (const char* yes : {"127.0.0.1", "127.255.0.9", "::1", "[::1]", "0:0:0:0:0:0:0:1",
                          "localhost", "LOCALHOST", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackAddress(yes)) << yes;
  }
  for (const char* no : {"0.0.0.0", "::", "128.0.0.1", "10.0.0.1", "::2", "::ffff:10.0.0.1",
                         "example.com", "localhost.example.com", "", "127.0.0"}) {
    EXPECT_FALSE(IsLoopbackAddress(no)) << no;
  }
}

TEST(ConfigKeys, DescribeKeysListsEveryKeyWithTypeDefaultAndDescription) {
  std::string d = DescribeKeys();
  EXPECT_THAT(d, testing::ContainsRegex("server\\.threads +int +2 +I/O threads.*\\[1\\.\\.64\\]"));
  EXPECT_THAT(d, testing::ContainsRegex("server\\.listen +string +'127\\.0\\.0\\.1:8080' +"));
  EXPECT_THAT(d, testing::ContainsRegex("server\\.max_body_bytes +size +10485760 \\(10 MiB\\)"));
  EXPECT_THAT(d, testing::ContainsRegex("log\\.level +string +'info' .*trace\\|debug"));
  EXPECT_THAT(d, testing::ContainsRegex("store\\.synchronous_full +bool +false"));
  EXPECT_THAT(d, testing::ContainsRegex("logs\\.skip_invalid_lines +bool +false"));
  EXPECT_THAT(d, HasSubstr("auth.tokens[].name"));
  EXPECT_THAT(d, HasSubstr("auth.tokens[].token_env | token_file"));
  EXPECT_THAT(d, HasSubstr("auth.tokens[].scopes"));
  EXPECT_THAT(d, HasSubstr("redaction.patterns[].regex"));
  int lines = 0;
  for (char ch : d) {
    lines += ch == '\n';
  }
  // One term per section, each on its own line so sections change independently.
  const int core = 25 + 2 + 4 + 2;  // scalar keys, table arrays, token and pattern fields
  //
  const int pagerduty = 8;  // subscriptions + 2 fields, 5 scalar keys
  //
  const int slack = 11 + 1 + 2;  // [slack] keys, [[slack.channels]], its two fields
  //
  const int kubernetes = 12;  // [kubernetes]: enabled … backoff_cap_ms
  //
  const int kafka = 16;
  //
  const int summarizer = 17 + 5;  // [summarizer] keys and the table array; service fields
  //
  EXPECT_EQ(lines, core + pagerduty + slack + kubernetes + kafka + summarizer);
}

// check-config --keys: the same keys, wrapped; no line wider than asked, long words split.
TEST(ConfigKeys, DescribeKeysWrapsToWidth) {
  for (size_t width : {100u, 60u, 30u}) {
    std::istringstream lines(DescribeKeys(width));
    std::string line;
    std::string all;
    while (std::getline(lines, line)) {
      EXPECT_LE(line.size(), width) << line;
      all += line + "\n";
    }
    EXPECT_THAT(all, HasSubstr("server.drain_ms  int  5000"));
    EXPECT_THAT(all, HasSubstr("auth.tokens[].scopes"));
  }
  EXPECT_THAT(DescribeKeys(100), HasSubstr("server.threads  int  2\n    I/O threads of the HTTP "
                                           "server. [1..64]\n"));
}

TEST(ConfigScopes, NamesRoundTrip) {
  for (Scope s : kAllScopes) {
    EXPECT_EQ(ParseScope(ScopeName(s)), s);
  }
  EXPECT_FALSE(ParseScope("Read").has_value());
  EXPECT_FALSE(ParseScope("").has_value());
}

}  // namespace
}  // namespace timelined::config
