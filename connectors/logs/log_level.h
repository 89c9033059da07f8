#pragma once
// Log levels: normalised names, detection from a record field or from the text, and the
// mapping to event kind and severity. Pure, thread-safe.
//
//   level    kind         severity   recognised as (case-insensitive unless noted)
//   fatal    log.fatal    critical   fatal, critical, crit, emerg, emergency, alert, panic, f
//   error    log.error    error      error, err, eror, severe, e
//   warn     log.warn     warning    warn, warning, wrn, w
//   info     log.info     info       info, information, informational, notice, inf, i
//   debug    log.debug    info       debug, dbg, trace, trc, verbose, d, t
// Numbers: 0..7 are syslog priorities (0-2 fatal, 3 error, 4 warn, 5-6 info, 7 debug);
// 10..60 are pino/bunyan levels (>=60 fatal, >=50 error, >=40 warn, >=30 info, else debug).
//
// Text detection (first 4 KiB of the message), first match wins; the source says whether
// the text names its level ("text") or the level is inferred from a pattern ("inferred"):
//   1. key=value or JSON inside the text: level=, lvl=, severity= / "level":"…"   text
//   2. glog prefix: I|W|E|F followed by 4 digits and a space ("E0314 09:26:10.482913 …")
//                                                                                   text
//   3. a crash: the text starts with "panic: " or "fatal error: " (Go) or "Fatal Python
//      error: " -> fatal                                                            inferred
//   4. the first level word: an upper-case word (ERROR, WARN, WARNING, FATAL, SEVERE,
//      PANIC, CRITICAL, INFO, DEBUG, TRACE, …) anywhere, or any-case inside brackets
//      "[error]" or followed by a colon "error:"                                    text
//   5. markers: "panic:" or "fatal error:" -> fatal; "Exception" (also "Exception in
//      thread …"), "Traceback (most recent call last)", or a thrown class name — a
//      CamelCase word ending in Error or Exception, qualified or not
//      ("java.lang.OutOfMemoryError: Java heap space", "KeyError: 'id'") -> error   inferred
// Nothing found -> nullopt (the event is then log.info, or LogOptions::stderr_level for a
// line of the stderr stream when that option is set; source "default" / "inferred").
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace timelined::connectors::logs {

// "fatal" | "error" | "warn" | "info" | "debug", or nullopt for an unknown name.
std::optional<std::string> NormalizeLevel(std::string_view name);
// From a field value (string or number).
std::optional<std::string> LevelFromJson(const nlohmann::json& value);
struct DetectedLevel {
  std::string level;        // normalised
  std::string_view source;  // "text" | "inferred"
};
std::optional<DetectedLevel> DetectLevel(std::string_view text);
// DetectLevel's level only.
std::optional<std::string> DetectLevelInText(std::string_view text);
// Event severity for a normalised level.
std::string SeverityForLevel(std::string_view level);

}  // namespace timelined::connectors::logs
