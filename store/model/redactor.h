#pragma once
// The redactor: replaces secrets and personal data in text with typed markers such as
// "[REDACTED:aws_key]". Pure; patterns are RE2 (linear time), so a pattern from config
// cannot hang the daemon on hostile input. Thread-safe after construction.
//
// Built-in markers, applied in this order (see store/README.md for what each matches; vendor
// tokens and card numbers need no word boundary, so "aws_AKIA…" is found):
// private_key, jwt, aws_key, aws_secret, github_token, slack_token, slack_webhook,
// basic_auth, bearer_token, url_password, password | secret | token (key=value pairs; the
// key is kept), iban (mod-97 checked), card_number (Luhn checked), email; then the extra
// patterns from config, in their order. Text already inside a marker is never matched
// again, so redacting redacted text changes nothing and returns 0.
//
// Cost: one RE2::Set pass over the text decides which rules can match; text that matches
// none (most log lines and messages) costs that single linear pass. Each rule that can
// match then makes one more linear pass.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"

namespace timelined {

struct RedactionPattern {
  std::string name;   // marker type, [a-z0-9_]+
  std::string regex;  // RE2 syntax; the whole match is replaced, or capture group 1 if any
};
// Create() rejects (kInvalidInput, detail naming the pattern) a name outside [a-z0-9_]+ or
// over 64 chars, an empty regex, one RE2 cannot compile (RE2 has no lookaround or
// backreferences) or that needs more than 4 MiB, and one that matches the empty string.

class Redactor {
 public:
  // Built-in patterns plus `extra` (from config). Fails on a bad extra pattern.
  static Result<std::unique_ptr<Redactor>> Create(const std::vector<RedactionPattern>& extra = {});
  ~Redactor();

  // Redacts `text` in place; returns the number of replacements.
  int RedactText(std::string& text) const;
  // Redacts every stored string: source_ref, kind, incident_id, scope, summary, body, actor,
  // url, and in attrs (recursively) every key and every string value; a JSON integer that
  // is a card number (13-19 digits starting 2-6, Luhn-valid) becomes the string
  // "[REDACTED:card_number]". Adds the count to e.redactions and returns it. e.id is left
  // alone: callers derive it from the original source_ref first (MakeEventId), so a retry
  // of the same upstream item dedupes. An attrs key that redacts to a name already present
  // gets ", 2", ", 3"… appended. An attrs member whose key names a secret ("password",
  // "api_key", "client_secret", "x-auth-token") is replaced whole when it is a number or a
  // string, unless the string is a placeholder (null, true, "${VAR}", "****") or already
  // redacted.
  int RedactEvent(Event& e) const;

 private:
  struct Impl;
  explicit Redactor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Private keys split over consecutive lines of one stream (a PEM key pushed as a text log
// becomes one event per line): `lines` are those lines in order. From a line with
// "-----BEGIN … PRIVATE KEY-----" (and no END after it on the same line) to the line with
// the matching "-----END … PRIVATE KEY-----" (at most 256 lines on), the BEGIN line from
// the boundary on, every line between and the END line up to the boundary each become
// "[REDACTED:private_key]". With no END line, the BEGIN line and the lines after it that
// look like key material (base64 only, or a "Proc-Type:"/"DEK-Info:" header) are redacted.
// Pure, needs no Redactor. Returns the number of lines changed; 0 on a second pass.
int RedactPemAcrossLines(const std::vector<std::string*>& lines);

// Luhn check over the digits of `s` (spaces, dashes and dots ignored).
bool LuhnValid(std::string_view s);
// ISO 13616 mod-97 check of an IBAN (spaces ignored).
bool IbanValid(std::string_view s);

}  // namespace timelined
