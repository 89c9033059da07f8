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

}  // namespace timelined::summarizer
