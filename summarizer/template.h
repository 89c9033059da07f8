#pragma once
// Message templates: log lines that differ only in variable parts group together. Masks,
// in this order at a word start: UUIDs -> <uuid>, IPv4 addresses (with optional :port) ->
// <ip>, durations ("250ms", "1.5s", "2m30s") -> <dur>, hex runs of >= 6 chars containing a
// digit (or "0x…") -> <hex>; anywhere: quoted values ("…" and '…') -> "<str>", digit runs
// (with decimals) -> <num>. Whitespace is collapsed; the result is cut to `max_chars` code
// points. Pure, deterministic, linear in the input.
#include <cstddef>
#include <string>
#include <string_view>

namespace timelined::summarizer {

std::string MessageTemplate(std::string_view message, size_t max_chars = 200);

// The message without the line's own leading timestamp and level, which repeat what the
// timeline's time column and the line's level already say:
//   "2026-03-14T11:54:12.482Z ERROR payment failed"   -> "payment failed"
//   "[2026-03-14 11:54:12,482] [error] x" , "2026/03/14 11:54:12 WARN: x", "Mar 14 11:54:12 x",
//   "11:54:12.482 FATAL x", "E0314 11:54:12.482913   12345 main.go:42] x" (glog) -> "x"
// Timestamps: a date (YYYY-MM-DD or YYYY/MM/DD, or a syslog "Mon DD") followed by a time
// (HH:MM[:SS][.,fraction]) and an optional zone (Z, ±HH[:]MM, UTC), or a time alone;
// optionally in brackets. Levels: an upper-case level word (TRACE DEBUG INFO NOTICE WARN
// WARNING ERROR ERR FATAL CRITICAL CRIT SEVERE PANIC ALERT EMERG), or any case inside
// brackets, optionally followed by ':'. Separators after them (" - ", ": ", " | ") go too.
// Nothing is stripped when that would leave nothing. Pure, linear.
std::string_view StripLogPrefix(std::string_view message);

}  // namespace timelined::summarizer
