#pragma once
// The redactor: replaces secrets and personal data in text with typed markers such as
// "[REDACTED:aws_key]". Pure; patterns are RE2 (linear time), so a pattern from config
// cannot hang the daemon on hostile input. Thread-safe after construction.
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

class Redactor {
 public:
  // Built-in patterns plus `extra` (from config). Fails on a bad extra pattern.
  static Result<std::unique_ptr<Redactor>> Create(const std::vector<RedactionPattern>& extra = {});
  ~Redactor();

  // Redacts `text` in place; returns the number of replacements.
  int RedactText(std::string& text) const;
  // Redacts summary, body, actor, url and every string in attrs (keys are kept); adds the
  // count to e.redactions. Returns the count added.
  int RedactEvent(Event& e) const;

 private:
  struct Impl;
  explicit Redactor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Luhn check over the digits of `s` (spaces and dashes ignored).
bool LuhnValid(std::string_view s);
// ISO 13616 mod-97 check of an IBAN (spaces ignored).
bool IbanValid(std::string_view s);

}  // namespace timelined
