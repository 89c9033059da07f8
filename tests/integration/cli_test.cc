// The command line's traps (issue 17 item 7), each through the real binary: per-command
// --help, --opt=value, unknown options and stray arguments, read-only commands that must not
// create a store, --version, and check-config --keys wrapped to 100 columns.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The line of `output` that contains `needle` (the store's log lines carry timestamps).
std::string LineWith(const std::string& output, const std::string& needle) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (Contains(line, needle)) return line;
  }
  return "";
}

// A store with a few events in it, made by `import` (which does create its store).
std::string MakeStore(const TempDir& dir) {
  std::string db = dir.File("made.db");
  auto r =
      RunTimelined({"import", std::string(TIMELINED_FIXTURES) + "/logs/fluentbit_json_lines.ndjson",
                    "--db", db});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return db;
}

TEST(Cli, EveryCommandHasHelpThatExitsZero) {
  for (std::string cmd :
       {"serve", "check-config", "import", "export", "verify", "verify-store", "version", "help"}) {
    for (std::string flag : {"--help", "-h"}) {
      auto r = RunTimelined({cmd, flag});
      EXPECT_EQ(r.exit_code, 0) << cmd << " " << flag << ": " << r.output;
      EXPECT_TRUE(Contains(r.output, "usage: timelined " + cmd)) << cmd << ": " << r.output;
    }
  }
  // --help wins even next to arguments that would be wrong.
  auto r = RunTimelined({"serve", "--bogus", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto help = RunTimelined({"help", "verify-store"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_TRUE(Contains(help.output, "usage: timelined verify-store")) << help.output;
  auto all = RunTimelined({"--help"});
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_TRUE(Contains(all.output, "verify-store")) << all.output;
}

TEST(Cli, OptionEqualsValueWorksLikeTwoWords) {
  TempDir dir;
  std::string db = dir.File("eq.db");
  auto imported =
      RunTimelined({"import", std::string(TIMELINED_FIXTURES) + "/logs/fluentbit_json_lines.ndjson",
                    "--db=" + db});
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_TRUE(Contains(imported.output, db)) << imported.output;
  auto two_words = RunTimelined({"verify-store", "--db", db});
  auto equals = RunTimelined({"verify-store", "--db=" + db});
  EXPECT_EQ(two_words.exit_code, 0) << two_words.output;
  EXPECT_EQ(equals.exit_code, 0) << equals.output;
  EXPECT_NE(LineWith(equals.output, "chain ok"), "") << equals.output;
  EXPECT_EQ(LineWith(two_words.output, "chain ok"), LineWith(equals.output, "chain ok"));
  // A config given as --config=FILE is read (its store path is used).
  WriteFile(dir.File("t.toml"), "[store]\npath = \"" + db + "\"\n");
  auto by_config = RunTimelined({"verify-store", "--config=" + dir.File("t.toml")});
  EXPECT_EQ(by_config.exit_code, 0) << by_config.output;
  EXPECT_EQ(LineWith(by_config.output, "chain ok"), LineWith(equals.output, "chain ok"));
}

TEST(Cli, UnknownOptionsAndStrayArgumentsAreUsageErrors) {
  TempDir dir;
  WriteFile(dir.File("x.toml"), "[server]\nlisten = \"127.0.0.1:0\"\n");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      // Used to ignore both words and start on :8080.
      {{"serve", "-c", dir.File("x.toml")}, "unknown option -c"},
      {{"serve", dir.File("x.toml")}, "unexpected argument"},
      {{"serve", "--config", dir.File("x.toml"), "extra"}, "unexpected argument 'extra'"},
      {{"serve", "--conifg", dir.File("x.toml")}, "unknown option --conifg"},
      {{"serve", "--config"}, "--config needs a value"},
      {{"serve", "--config", "--db", "x.db"}, "--config needs a value"},
      {{"serve", "--db", "a.db", "--db=b.db"}, "--db given twice"},
      {{"verify-store", "--listen", "127.0.0.1:1"}, "unknown option --listen"},
      {{"verify-store", "stray"}, "unexpected argument 'stray'"},
      {{"import", "--role", "all", "f"}, "unknown option --role"},
      {{"import"}, "import needs an argument"},
      {{"export", "INC-1", "INC-2"}, "unexpected argument 'INC-2'"},
      {{"check-config", "--keys=yes"}, "--keys takes no value"},
      {{"check-config", "a.toml", "b.toml"}, "unexpected argument 'b.toml'"},
      {{"version", "now"}, "unexpected argument 'now'"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
  };
  for (const Case& c : cases) {
    auto r = RunTimelined(c.args);
    std::string cmdline;
    for (const auto& a : c.args) cmdline += a + " ";
    EXPECT_EQ(r.exit_code, 2) << cmdline << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, c.says)) << cmdline << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, "usage: timelined")) << cmdline << ": " << r.output;
  }
}

TEST(Cli, ReadOnlyCommandsNeverCreateAStore) {
  TempDir dir;
  const std::string missing = dir.File("typo.db");
  WriteFile(dir.File("draft.md"), "# nothing\n");
  WriteFile(dir.File("c.toml"), "[store]\npath = \"" + missing + "\"\n");
  const std::vector<std::vector<std::string>> commands = {
      {"verify-store", "--db", missing},
      {"verify-store", "--db=" + missing},
      {"verify-store", "--config", dir.File("c.toml")},
      {"export", "INC-1", "--db", missing},
      {"verify", dir.File("draft.md"), "--db", missing},
  };
  for (const auto& args : commands) {
    auto r = RunTimelined(args);
    EXPECT_NE(r.exit_code, 0) << args[0] << ": " << r.output;
    EXPECT_TRUE(Contains(r.output, missing)) << args[0] << " does not name the path: " << r.output;
    EXPECT_FALSE(Contains(r.output, "chain ok")) << r.output;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      EXPECT_FALSE(std::filesystem::exists(missing + suffix))
          << args[0] << " created " << missing << suffix;
    }
  }
  // A directory is not a store either.
  std::filesystem::create_directory(dir.File("adir"));
  auto r = RunTimelined({"verify-store", "--db", dir.File("adir")});
  EXPECT_NE(r.exit_code, 0) << r.output;
  // And an existing store still verifies.
  auto ok = RunTimelined({"verify-store", "--db", MakeStore(dir)});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST(Cli, VersionPrintsVersionAndBuildInfo) {
  auto r = RunTimelined({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "timelined 0.1.0")) << r.output;
  EXPECT_TRUE(Contains(r.output, "build: ")) << r.output;
  EXPECT_TRUE(Contains(r.output, "GCC") || Contains(r.output, "clang")) << r.output;
  EXPECT_TRUE(Contains(r.output, "SQLite 3.")) << r.output;
  auto v = RunTimelined({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.output, r.output);
}

TEST(Cli, CheckConfigKeysFitsIn100Columns) {
  auto r = RunTimelined({"check-config", "--keys"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream lines(r.output);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    ++n;
    EXPECT_LE(line.size(), 100u) << "line " << n << ": " << line;
  }
  EXPECT_GT(n, 50);
  for (const char* key : {"server.listen", "server.drain_ms", "server.shutdown_grace_ms",
                          "kafka.brokers", "auth.tokens[].scopes"}) {
    EXPECT_TRUE(Contains(r.output, key)) << key;
  }
}

}  // namespace
}  // namespace timelined::testing
