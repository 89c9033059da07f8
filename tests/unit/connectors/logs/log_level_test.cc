#include "connectors/logs/log_level.h"

#include <gtest/gtest.h>

namespace timelined::connectors::logs {
namespace {

TEST(LogLevel, DetectInTextTable) {
  struct Case {
    const char* text;
    const char* level;  // "" = none detected
  };
  const Case cases[] = {
      {"2026-03-14T09:21:10Z ERROR db timeout", "error"},
      {"WARN disk at 91%", "warn"},
      {"WARNING: deprecated flag", "warn"},
      {"FATAL could not bind", "fatal"},
      {"panic: runtime error: index out of range", "fatal"},
      {"fatal error: all goroutines are asleep - deadlock!", "fatal"},
      {"Exception in thread \"main\" java.lang.IllegalStateException", "error"},
      {"Traceback (most recent call last):", "error"},
      {"time=2026-03-14T09:21:10Z level=warn msg=\"slow\"", "warn"},
      {"{\"level\":\"error\",\"msg\":\"boom\"}", "error"},
      {"severity=critical something", "fatal"},
      {"E0314 09:26:10.482913   12345 reflector.go:138] failed to list", "error"},
      {"I0314 09:26:10.482913   12345 main.go:10] started", "info"},
      {"2024/03/14 09:26:10 [error] 31#31: *1 connect() failed", "error"},
      {"[warn] upstream is slow", "warn"},
      {"Error: connection refused", "error"},
      {"INFO started in 2.3s", "info"},
      {"DEBUG cache miss", "debug"},
      {"request completed in 12ms", ""},
      {"no errors found", ""},
      {"the error rate is fine", ""},
      {"GET /healthz 200", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DetectLevelInText(c.text).value_or(""), c.level) << c.text;
  }
}

TEST(LogLevel, InferredFromCrashAndExceptionPatterns) {
  struct Case {
    const char* text;
    const char* level;   // "" = none
    const char* source;  // "text" | "inferred" | ""
  };
  const Case cases[] = {
      // No level field and no level word: inferred from what the line is.
      {"java.lang.OutOfMemoryError: Java heap space", "error", "inferred"},
      {"Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space", "error",
       "inferred"},
      {"Caused by: java.net.SocketTimeoutException: Read timed out", "error", "inferred"},
      {"Traceback (most recent call last):", "error", "inferred"},
      {"KeyError: 'order_id'", "error", "inferred"},
      {"requests.exceptions.ConnectionError: HTTPSConnectionPool(host='psp', port=443)", "error",
       "inferred"},
      {"panic: runtime error: invalid memory address or nil pointer dereference", "fatal",
       "inferred"},
      {"fatal error: concurrent map writes", "fatal", "inferred"},
      {"Fatal Python error: Segmentation fault", "fatal", "inferred"},
      // A level word is the line's own level, not an inference.
      {"SEVERE: connection pool exhausted", "error", "text"},
      {"2026-03-14 11:54:12.123 FATAL [main] c.a.App - could not bind", "fatal", "text"},
      {"INFO retrying after java.io.IOException", "info", "text"},
      {"level=warn msg=\"KeyError swallowed\"", "warn", "text"},
      // Prose and names that only look alike.
      {"the Error page was served", "", ""},
      {"ErrorBoundary rendered fallback", "", ""},
      {"registered MyErrorHandler", "", ""},
      {"no errors found", "", ""},
  };
  for (const Case& c : cases) {
    auto d = DetectLevel(c.text);
    EXPECT_EQ(d ? d->level : "", c.level) << c.text;
    EXPECT_EQ(d ? std::string(d->source) : "", c.source) << c.text;
  }
}

TEST(LogLevel, NamesNumbersAndSeverity) {
  EXPECT_EQ(NormalizeLevel("Warning").value_or(""), "warn");
  EXPECT_EQ(NormalizeLevel("CRIT").value_or(""), "fatal");
  EXPECT_FALSE(NormalizeLevel("loud").has_value());
  EXPECT_EQ(LevelFromJson(60).value_or(""), "fatal");
  EXPECT_EQ(LevelFromJson(30).value_or(""), "info");
  EXPECT_EQ(LevelFromJson(3).value_or(""), "error");
  EXPECT_EQ(LevelFromJson(7).value_or(""), "debug");
  EXPECT_FALSE(LevelFromJson(true).has_value());
  EXPECT_EQ(SeverityForLevel("fatal"), "critical");
  EXPECT_EQ(SeverityForLevel("error"), "error");
  EXPECT_EQ(SeverityForLevel("warn"), "warning");
  EXPECT_EQ(SeverityForLevel("debug"), "info");
}

}  // namespace
}  // namespace timelined::connectors::logs
