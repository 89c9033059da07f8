// The key-table engine on its own, with a small target struct: the generic secret forms
// (X, X_env, X_file) that future keys (PagerDuty and Slack signing secrets, Kafka SASL
// password, API tokens) will use.
#include "daemon/config/key_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace timelined::config::keys {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Target {
  std::string secret;
  int count = 3;
};

std::vector<KeySpec<Target>> Specs(bool secret_required = false) {
  return {
      SecretKey<Target>(
          "source.signing_secret", [](Target& t, const std::string& s) { t.secret = s; },
          "A signing secret.", /*allow_inline=*/true, secret_required),
      IntKey<Target>(
          "source.count", [](Target& t) -> int& { return t.count; }, 1, 5, "A count."),
  };
}

Result<Target> Apply(std::string_view text, bool secret_required = false) {
  toml::table table = toml::parse(text, std::string_view("test.toml"));
  Target t;
  auto specs = Specs(secret_required);
  if (auto r = ApplyTable(table, specs, t, "test.toml"); !r) {
    return std::unexpected(r.error());
  }
  return t;
}

std::string ErrorOf(std::string_view text, bool secret_required = false) {
  auto r = Apply(text, secret_required);
  if (r) {
    ADD_FAILURE() << "expected an error for:\n" << text;
    return {};
  }
  return r.error().detail;
}

std::string TempFile(const std::string& name, const std::string& content) {
  std::string path = (std::filesystem::path(::testing::TempDir()) / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(KeyTableSecret, InlineEnvAndFileForms) {
  auto inline_form = Apply("[source]\nsigning_secret = \"inline-value\"\n");
  ASSERT_TRUE(inline_form.has_value()) << inline_form.error().detail;
  EXPECT_EQ(inline_form->secret, "inline-value");

  setenv("KEY_TABLE_TEST_SECRET", "env-value", 1);
  auto env_form = Apply("[source]\nsigning_secret_env = \"KEY_TABLE_TEST_SECRET\"\n");
  unsetenv("KEY_TABLE_TEST_SECRET");
  ASSERT_TRUE(env_form.has_value()) << env_form.error().detail;
  EXPECT_EQ(env_form->secret, "env-value");

  std::string path = TempFile("key_table_secret", "file-value\n\n");
  auto file_form = Apply("[source]\nsigning_secret_file = \"" + path + "\"\ncount = 5\n");
  std::filesystem::remove(path);
  ASSERT_TRUE(file_form.has_value()) << file_form.error().detail;
  EXPECT_EQ(file_form->secret, "file-value");
  EXPECT_EQ(file_form->count, 5);
}

TEST(KeyTableSecret, AbsentIsUnsetUnlessRequired) {
  auto none = Apply("[source]\ncount = 2\n");
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->secret, "");
  EXPECT_THAT(ErrorOf("[source]\ncount = 2\n", /*secret_required=*/true),
              HasSubstr("missing required key 'source.signing_secret'"));
}

TEST(KeyTableSecret, TwoFormsAreAnErrorThatDoesNotShowTheSecret) {
  setenv("KEY_TABLE_TEST_SECRET2", "env-hunter2", 1);
  std::string e = ErrorOf(
      "[source]\nsigning_secret = \"inline-hunter2\"\n"
      "signing_secret_env = \"KEY_TABLE_TEST_SECRET2\"\n");
  unsetenv("KEY_TABLE_TEST_SECRET2");
  EXPECT_THAT(e, HasSubstr("'source.signing_secret'"));
  EXPECT_THAT(e, HasSubstr("give only one of signing_secret, signing_secret_env or "
                           "signing_secret_file"));
  EXPECT_THAT(e, Not(HasSubstr("hunter2")));
}

TEST(KeyTableSecret, ErrorsNameTheFormNotTheSecret) {
  unsetenv("KEY_TABLE_TEST_UNSET");
  EXPECT_THAT(ErrorOf("[source]\nsigning_secret_env = \"KEY_TABLE_TEST_UNSET\"\n"),
              HasSubstr("'source.signing_secret_env' in test.toml (line 2): environment "
                        "variable 'KEY_TABLE_TEST_UNSET' is not set"));
  EXPECT_THAT(ErrorOf("[source]\nsigning_secret_file = \"/nonexistent/secret\"\n"),
              HasSubstr("'source.signing_secret_file' in test.toml (line 2): cannot read "
                        "'/nonexistent/secret'"));
  EXPECT_THAT(ErrorOf("[source]\nsigning_secret_env = 7\n"),
              HasSubstr("expected the name of an environment variable, got integer"));
  EXPECT_THAT(ErrorOf("[source]\nsigning_secret = [\"hunter2\"]\n"),
              HasSubstr("expected string, got array"));
  EXPECT_THAT(ErrorOf("[source]\nsigning_secret = \"\"\n"), HasSubstr("the secret is empty"));
  setenv("KEY_TABLE_TEST_EMPTY", "", 1);
  EXPECT_THAT(ErrorOf("[source]\nsigning_secret_env = \"KEY_TABLE_TEST_EMPTY\"\n"),
              HasSubstr("is empty"));
  unsetenv("KEY_TABLE_TEST_EMPTY");
}

TEST(KeyTableSecret, OtherSuffixesAreUnknown) {
  EXPECT_THAT(ErrorOf("[source]\nsigning_secret_path = \"x\"\n"),
              HasSubstr("unknown key 'source.signing_secret_path'"));
  EXPECT_THAT(ErrorOf("[source]\ncount_env = \"X\"\n"),
              HasSubstr("unknown key 'source.count_env'"));
}

TEST(KeyTableSecret, DescribeShowsTheFormsAndNoValue) {
  auto docs = Describe(Specs());
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].name,
            "source.signing_secret | source.signing_secret_env | source.signing_secret_file");
  EXPECT_EQ(docs[0].type, "secret");
  EXPECT_EQ(docs[0].default_value, "unset");
  EXPECT_EQ(docs[1].default_value, "3");
  EXPECT_EQ(docs[1].description, "A count. [1..5]");
}

TEST(KeyTable, FormatBytes) {
  EXPECT_EQ(FormatBytes(1024), "1024 (1 KiB)");
  EXPECT_EQ(FormatBytes(3 << 20), "3145728 (3 MiB)");
  EXPECT_EQ(FormatBytes(1 << 30), "1073741824 (1 GiB)");
  EXPECT_EQ(FormatBytes(1000), "1000");
  EXPECT_EQ(FormatBytes(0), "0");
}

}  // namespace
}  // namespace timelined::config::keys
