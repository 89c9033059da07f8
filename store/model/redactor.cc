#include "store/model/redactor.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace timelined {
namespace {

constexpr std::string_view kMarkerPrefix = kRedactionMarkerPrefix;
// Memory bound for one pattern from config: a pattern that needs more fails to compile
// ("pattern too large") instead of growing without bound.
constexpr int64_t kExtraMaxMem = 4 << 20;
// Memory bound for the prefilter set (all patterns in one DFA).
constexpr int64_t kSetMaxMem = 16 << 20;
constexpr size_t kMaxNameLength = 64;
// Lines of the longest PEM private key (RSA 16384: about 200 lines of 64 base64 chars).
constexpr size_t kMaxPemLines = 256;
// Submatches asked of RE2: built-in rules use groups up to 5; config rules only group 1.
constexpr int kMaxSubmatch = 6;

// A check run in C++ on a candidate span [begin, end) of `text`, for what a regex cannot
// express (checksums, context). Returns the end of the accepted span (a candidate may be
// shortened, e.g. an IBAN followed by more upper-case words), or nullopt to reject it.
using Check = std::optional<size_t> (*)(std::string_view text, size_t begin, size_t end);
// Chooses the marker from the key a pair rule captured in group 1.
using Classify = std::string_view (*)(std::string_view key);

struct Rule {
  std::string marker;
  std::unique_ptr<re2::RE2> re;
  // The replaced span: the first participating group in [first_group, last_group], or the
  // whole match when first_group is 0.
  int first_group = 0;
  int last_group = 0;
  Check check = nullptr;
  Classify classify = nullptr;
};

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

// --- Checks -------------------------------------------------------------------------

// Card numbers: 13-19 digits, Luhn-valid, written compact or in groups separated by one
// kind of separator (space, dash or dot) whose first group has 4 digits, as every card
// scheme prints them ("4111.1111.1111.1111", "3782 822463 10005"); this keeps all-digit
// UUID-shaped strings (8-4-4-4-12) out. The regex stops before a letter or digit; when the
// whole candidate fails, shorter prefixes ending at a digit-group boundary are tried, so
// "4111 1111 1111 1111 123" still finds the card.
std::optional<size_t> CheckCard(std::string_view text, size_t begin, size_t end) {
  for (size_t e = end; e > begin; --e) {
    if (e != end && text[e] != ' ' && text[e] != '-' && text[e] != '.') continue;
    std::string_view cand = text.substr(begin, e - begin);
    size_t digits = std::count_if(cand.begin(), cand.end(), IsDigit);
    if (digits < 13) break;
    if (digits > 19) continue;
    const size_t first_sep = cand.find_first_of(" -.");
    // Digits cut before ".<digit>" are the integer part of a decimal, not a card.
    const bool decimal = e + 1 < text.size() && text[e] == '.' && IsDigit(text[e + 1]);
    if (first_sep == std::string_view::npos && decimal) continue;
    if (first_sep != std::string_view::npos) {
      if (first_sep != 4) continue;
      const char sep = cand[first_sep];
      if (std::any_of(cand.begin(), cand.end(), [sep](char c) { return !IsDigit(c) && c != sep; }))
        continue;
    }
    if (LuhnValid(cand)) return e;
  }
  return std::nullopt;
}

struct IbanLength {
  std::string_view country;
  int length;
};

// ISO 13616 registry: country code and IBAN length. Only these countries are redacted,
// and only at exactly this length, which keeps random upper-case codes out.
constexpr IbanLength kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

int IbanLengthFor(std::string_view country) {
  for (const auto& entry : kIbanLengths) {
    if (entry.country == country) return entry.length;
  }
  return 0;
}

// IBANs: the candidate is cut at the country's length (the regex may have run on into
// following upper-case words), must end at a word boundary and pass mod 97.
std::optional<size_t> CheckIban(std::string_view text, size_t begin, size_t end) {
  int want = IbanLengthFor(text.substr(begin, 2));
  if (want == 0) return std::nullopt;
  int seen = 0;
  size_t e = begin;
  for (; e < end && seen < want; ++e) {
    if (text[e] != ' ') ++seen;
  }
  if (seen != want) return std::nullopt;
  if (e < text.size() && IsAlnum(text[e])) return std::nullopt;
  if (!IbanValid(text.substr(begin, e - begin))) return std::nullopt;
  return e;
}

// A loose "Bearer xyz" (outside an Authorization header) is redacted when xyz looks like
// a credential rather than a word: it has a digit or is long. "Bearer authentication
// required" stays.
std::optional<size_t> CheckBearer(std::string_view text, size_t begin, size_t end) {
  std::string_view v = text.substr(begin, end - begin);
  bool digit = std::any_of(v.begin(), v.end(), IsDigit);
  if (digit || v.size() >= 24) return end;
  return std::nullopt;
}

bool IsPlaceholder(std::string_view v) {
  static constexpr std::array<std::string_view, 9> kWords = {
      "null", "none", "nil", "true", "false", "undefined", "bearer", "basic", "redacted"};
  std::string lower = Lower(v);
  if (std::find(kWords.begin(), kWords.end(), lower) != kWords.end()) return true;
  if (v.starts_with("${") || v.starts_with("$(") || v.starts_with("{{")) return true;
  return std::all_of(v.begin(), v.end(), [](char c) { return c == '*'; });
}

// An unquoted value after "key: " (colon and blank) reads like prose or a Go error chain
// ("failed to fetch token: unexpected status", "token: oauth2: cannot fetch") when it
// ends with ':' or is a plain word followed by more words.
bool LooksLikeProse(std::string_view text, size_t begin, size_t end) {
  size_t i = begin;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
  if (i == begin || i == 0 || text[i - 1] != ':') return false;
  std::string_view v = text.substr(begin, end - begin);
  if (v.ends_with(':')) return true;
  bool word = std::all_of(v.begin(), v.end(), IsAlpha);
  return word && end + 1 < text.size() && text[end] == ' ' && IsAlpha(text[end + 1]);
}

std::optional<size_t> CheckPairValue(std::string_view text, size_t begin, size_t end) {
  std::string_view v = text.substr(begin, end - begin);
  if (IsPlaceholder(v)) return std::nullopt;
  bool quoted = begin > 0 && (text[begin - 1] == '"' || text[begin - 1] == '\'');
  if (!quoted && LooksLikeProse(text, begin, end)) return std::nullopt;
  return end;
}

std::string_view ClassifyPairKey(std::string_view key) {
  std::string k = Lower(key);
  if (k.find("pass") != std::string::npos || k.ends_with("pwd")) return "password";
  if (k.ends_with("token") || k.find("api") != std::string::npos) return "token";
  return "secret";
}

// --- Built-in rules -----------------------------------------------------------------

struct BuiltinSpec {
  std::string_view marker;
  std::string regex;
  int first_group;
  int last_group;
  Check check;
  Classify classify;
};

// Key names whose value is a secret: "password=...", "DB_PASSWORD: ...", "x-api-key: ...".
// The keyword must end the key, so "max_tokens" and "password_reset" are not keys.
constexpr size_t kKeyMemoSize = 512;
constexpr size_t kKeyMemoBytes = 64;
constexpr std::string_view kSecretKeyRegex =
    R"re((?i)[a-z0-9_.-]*?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|)re"
    R"re(apikey|access[_-]?key|secret[_-]?key|private[_-]?key|credentials?))re";
// A key, a separator, then the value: double-quoted (JSON escapes allowed), single-quoted,
// escaped-quoted (JSON inside a JSON string) or bare. Group 1 is the key, 2-5 the value.
constexpr std::string_view kPairValueRegex =
    R"re(\\?["']?[ \t]*(?:=>|:=|[:=])[ \t]*(?:"((?:[^"\\\r\n]|\\.)*)"|'([^'\r\n]*)'|)re"
    R"re(\\"([^"\\\r\n]*)\\"|([^\s"'&,;\\<>(\[{][^\s"'&,;\\<>)\]}]*)))re";

std::string PairRegex() {
  std::string key(kSecretKeyRegex.substr(4));  // without "(?i)"
  return "(?i)(\\b" + key + ")" + std::string(kPairValueRegex);
}

// Order matters: whole-structure secrets (private keys, JWTs, vendor tokens) go first so
// that the generic key=value rule meets their markers and leaves them alone; IBANs go
// before card numbers because an IBAN's digit groups can look like a card.
std::vector<BuiltinSpec> Builtins() {
  return {
      {"private_key",
       R"re(-----BEGIN[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[A-Z0-9 ]* )re"
       R"re(PRIVATE KEY(?: BLOCK)?-----|[\s\S]*))re",
       0, 0, nullptr, nullptr},
      {"jwt", R"re(\beyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)re", 0, 0, nullptr,
       nullptr},
      // Vendor tokens are often glued to a name ("aws_AKIA…", "app_xoxb-…"): the token
      // only has to start after a character that cannot be part of it.
      {"aws_key", R"re((?:^|[^A-Z0-9])((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?:[^A-Z0-9]|$))re", 1,
       1, nullptr, nullptr},
      {"aws_secret",
       R"re((?i)(?:aws)?[_. -]?secret[_. -]?(?:access[_. -]?)?key["']?[ \t]*(?:=>|[:=])?)re"
       R"re([ \t]*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$))re",
       1, 1, nullptr, nullptr},
      {"github_token",
       R"re((?:^|[^A-Za-z0-9])(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}))re", 1, 1,
       nullptr, nullptr},
      {"slack_token", R"re((?:^|[^A-Za-z0-9])((?:xox[abeoprs]|xapp)-[A-Za-z0-9-]{10,}))re", 1, 1,
       nullptr, nullptr},
      {"slack_webhook", R"re(hooks\.slack\.com/services/(T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+))re", 1,
       1, nullptr, nullptr},
      {"basic_auth",
       R"re((?i)\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?basic[ \t]+([A-Za-z0-9+/]+=*))re",
       1, 1, nullptr, nullptr},
      {"bearer_token",
       R"re((?i)\b(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:bearer|token|apikey|)re"
       R"re(negotiate|ntlm)[ \t]+([A-Za-z0-9\-._~+/]+=*))re",
       1, 1, nullptr, nullptr},
      {"bearer_token", R"re((?i)\bbearer[ \t]+([A-Za-z0-9\-._~+/]{8,}=*))re", 1, 1, CheckBearer,
       nullptr},
      {"url_password", R"re(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:"'<>]*:([^\s/?#@"'<>]+)@)re", 1, 1,
       nullptr, nullptr},
      {"", PairRegex(), 2, 5, CheckPairValue, ClassifyPairKey},
      {"iban", R"re(\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})re", 0, 0, CheckIban, nullptr},
      // Not after a letter, digit or '.' (a decimal fraction), not before a letter, digit or
      // a '.' that starts a fraction; '_' and '=' may touch it ("cc_4111…").
      {"card_number",
       R"re((?:^|[^0-9A-Za-z.])([2-6]\d(?:[ .-]?\d){11,17})(?:$|[^0-9A-Za-z.]|\.(?:$|[^0-9])))re",
       1, 1, CheckCard, nullptr},
      {"email", R"re(\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b)re", 0,
       0, nullptr, nullptr},
  };
}

re2::RE2::Options BaseOptions() {
  re2::RE2::Options options;
  options.set_log_errors(false);
  return options;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsLower(c) || IsDigit(c) || c == '_'; });
}

Result<Rule> CompileExtra(const RedactionPattern& p) {
  auto fail = [&](const std::string& why) {
    std::string name = p.name.substr(0, kMaxNameLength);
    return MakeError(ErrorCode::kInvalidInput, "invalid_redaction_pattern",
                     "redaction pattern '" + name + "': " + why);
  };
  if (!ValidName(p.name)) return fail("name must match [a-z0-9_]+ (at most 64 chars)");
  if (p.regex.empty()) return fail("empty regex");
  re2::RE2::Options options = BaseOptions();
  options.set_max_mem(kExtraMaxMem);
  auto re = std::make_unique<re2::RE2>(p.regex, options);
  if (!re->ok()) return fail("invalid regex: " + re->error());
  if (re2::RE2::FullMatch("", *re)) return fail("regex matches the empty string");
  int group = re->NumberOfCapturingGroups() > 0 ? 1 : 0;
  return Rule{p.name, std::move(re), group, group, nullptr, nullptr};
}

// Spans of the markers already in `text`; a rule never replaces text overlapping one,
// which makes redaction idempotent and keeps counts honest.
std::vector<Span> FindMarkers(std::string_view text) {
  std::vector<Span> spans;
  size_t at = text.find(kMarkerPrefix);
  while (at != std::string_view::npos) {
    size_t i = at + kMarkerPrefix.size();
    while (i < text.size() && (IsLower(text[i]) || IsDigit(text[i]) || text[i] == '_')) ++i;
    bool closed = i > at + kMarkerPrefix.size() && i < text.size() && text[i] == ']';
    if (closed) spans.push_back({at, i + 1});
    at = text.find(kMarkerPrefix, closed ? i + 1 : at + 1);
  }
  return spans;
}

// Walks markers alongside non-decreasing candidate spans.
class MarkerCursor {
 public:
  explicit MarkerCursor(std::string_view text) : markers_(FindMarkers(text)) {}
  bool Overlaps(Span s) {
    while (next_ < markers_.size() && markers_[next_].end <= s.begin) ++next_;
    return next_ < markers_.size() && markers_[next_].begin < s.end;
  }

 private:
  std::vector<Span> markers_;
  size_t next_ = 0;
};

std::optional<Span> PickSpan(const Rule& rule, const re2::StringPiece* groups, const char* base) {
  for (int g = rule.first_group; g <= rule.last_group; ++g) {
    if (groups[g].data() == nullptr) continue;
    size_t begin = static_cast<size_t>(groups[g].data() - base);
    return Span{begin, begin + groups[g].size()};
  }
  return std::nullopt;
}

// One pass of one rule over `text`. Returns the number of replacements.
int ApplyRule(const Rule& rule, std::string& text) {
  const std::string_view view(text);
  const re2::StringPiece input(text.data(), text.size());
  MarkerCursor markers(view);
  std::array<re2::StringPiece, kMaxSubmatch> groups;
  std::string out;
  size_t copied = 0;
  size_t pos = 0;
  int count = 0;
  while (pos <= text.size() && rule.re->Match(input, pos, text.size(), re2::RE2::UNANCHORED,
                                              groups.data(), rule.last_group + 1)) {
    size_t mstart = static_cast<size_t>(groups[0].data() - text.data());
    size_t mend = mstart + groups[0].size();
    std::optional<Span> span = PickSpan(rule, groups.data(), text.data());
    if (!span || span->begin == span->end || markers.Overlaps(*span)) {
      pos = std::max(mend, pos + 1);
      continue;
    }
    if (rule.check != nullptr) {
      std::optional<size_t> accepted = rule.check(view, span->begin, span->end);
      if (!accepted) {
        pos = mstart + 1;  // a shorter candidate may start inside this one
        continue;
      }
      span->end = *accepted;
    }
    std::string_view marker =
        rule.classify != nullptr ? rule.classify(groups[1]) : std::string_view(rule.marker);
    out.append(view.substr(copied, span->begin - copied));
    out.append(kMarkerPrefix).append(marker).push_back(']');
    copied = span->end;
    pos = span->end;
    ++count;
  }
  if (count > 0) {
    out.append(view.substr(copied));
    text = std::move(out);
  }
  return count;
}

}  // namespace

struct Redactor::Impl {
  // Tells this redactor's memo of clean attrs keys from another's (config patterns differ).
  const uint64_t instance = NextInstance();
  std::vector<Rule> rules;
  std::unique_ptr<re2::RE2> secret_key;  // kSecretKeyRegex, matched against a whole key
  // Prefilter: one DFA pass tells which rules can match at all; most text matches none.
  // Null when the set could not be built (then every rule runs).
  std::unique_ptr<re2::RE2::Set> set;

  void BuildSet() {
    re2::RE2::Options options = BaseOptions();
    options.set_max_mem(kSetMaxMem);
    auto s = std::make_unique<re2::RE2::Set>(options, re2::RE2::UNANCHORED);
    for (const Rule& rule : rules) {
      if (s->Add(rule.re->pattern(), nullptr) < 0) return;
    }
    if (s->Compile()) set = std::move(s);
  }

  bool IsSecretKey(std::string_view key) const {
    // attrs keys come from a small vocabulary (the connectors' field names), asked about
    // for every event: remember the answers, per thread, for up to kKeyMemoSize keys of at
    // most kKeyMemoBytes (keys of generic ingest are the client's: long ones are not kept).
    // The pattern is a constant, so the answer depends on the key alone.
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
    };
    thread_local std::unordered_map<std::string, bool, Hash, std::equal_to<>> memo;
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    const bool secret = re2::RE2::FullMatch(re2::StringPiece(key.data(), key.size()), *secret_key);
    if (key.size() <= kKeyMemoBytes) {
      if (memo.size() >= kKeyMemoSize) memo.clear();
      memo.emplace(key, secret);
    }
    return secret;
  }

  static uint64_t NextInstance() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }

  // Redacts a string from a small vocabulary: an attrs key, or an event's kind, scope,
  // incident id or actor. Such strings almost never hold a secret: the short ones found
  // clean are remembered per thread (like IsSecretKey's answers), so one costs a hash
  // lookup rather than a pass of the set.
  // Returns the number of replacements; `*out` is the redacted string when that is not 0.
  int RedactKey(std::string_view key, std::string* out) const {
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
    };
    struct Memo {
      uint64_t owner = 0;
      std::unordered_set<std::string, Hash, std::equal_to<>> clean;
    };
    thread_local Memo memo;
    if (memo.owner != instance) {
      memo.clean.clear();
      memo.owner = instance;
    }
    if (memo.clean.find(key) != memo.clean.end()) return 0;
    std::string redacted(key);
    const int count = Redact(redacted);
    if (count > 0) {
      *out = std::move(redacted);
    } else if (key.size() <= kKeyMemoBytes) {
      if (memo.clean.size() >= kKeyMemoSize) memo.clean.clear();
      memo.clean.emplace(key);
    }
    return count;
  }

  // The value of an attrs member named like a secret ("password", "api_key") is a secret
  // as a whole, whatever it looks like, unless it is a placeholder or already redacted.
  int RedactSecretValue(std::string_view key, std::string& value) const {
    int count = Redact(value);
    if (value.empty() || IsPlaceholder(value) || value.find(kMarkerPrefix) != std::string::npos) {
      return count;
    }
    value = std::string(kMarkerPrefix) + std::string(ClassifyPairKey(key)) + "]";
    return count + 1;
  }

  int Redact(std::string& text) const {
    if (text.empty()) return 0;
    int count = 0;
    if (set == nullptr) {
      for (const Rule& rule : rules) count += ApplyRule(rule, text);
      return count;
    }
    // Which rules can match `text`, in one pass of the set. The vector is reused: this runs
    // for every string of every event, most of which match nothing.
    thread_local std::vector<int> hits;
    hits.clear();
    re2::RE2::Set::ErrorInfo info;
    if (!set->Match(re2::StringPiece(text.data(), text.size()), &hits, &info)) {
      if (info.kind == re2::RE2::Set::kNoError) return 0;
      // DFA out of memory: fall back to every rule.
      for (const Rule& rule : rules) count += ApplyRule(rule, text);
      return count;
    }
    // In rule order, as the rules are listed: an earlier rule's marker is what a later one
    // sees.
    std::sort(hits.begin(), hits.end());
    for (int i : hits) count += ApplyRule(rules[static_cast<size_t>(i)], text);
    return count;
  }
};

Redactor::Redactor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Redactor::~Redactor() = default;

Result<std::unique_ptr<Redactor>> Redactor::Create(const std::vector<RedactionPattern>& extra) {
  auto impl = std::make_unique<Impl>();
  for (const BuiltinSpec& spec : Builtins()) {
    auto re = std::make_unique<re2::RE2>(spec.regex, BaseOptions());
    if (!re->ok()) {
      return MakeError(ErrorCode::kInternal, "bad_builtin_pattern",
                       std::string(spec.marker) + ": " + re->error());
    }
    impl->rules.push_back(Rule{std::string(spec.marker), std::move(re), spec.first_group,
                               spec.last_group, spec.check, spec.classify});
  }
  impl->secret_key = std::make_unique<re2::RE2>(kSecretKeyRegex, BaseOptions());
  for (const RedactionPattern& p : extra) {
    Result<Rule> rule = CompileExtra(p);
    if (!rule) return std::unexpected(std::move(rule.error()));
    impl->rules.push_back(std::move(*rule));
  }
  impl->BuildSet();
  return std::unique_ptr<Redactor>(new Redactor(std::move(impl)));
}

int Redactor::RedactText(std::string& text) const { return impl_->Redact(text); }

namespace {

// A JSON integer that is a card number: 13-19 digits starting 2-6 (as the text rule),
// Luhn-valid. "cc_number": 4012888888881881 is as much a card as the string.
bool IsCardNumber(const nlohmann::json& j) {
  std::string digits;
  if (j.is_number_unsigned()) {
    digits = std::to_string(j.get<uint64_t>());
  } else if (j.is_number_integer()) {
    digits = std::to_string(j.get<int64_t>());
  } else {
    return false;
  }
  if (digits.size() < 13 || digits.size() > 19 || digits[0] < '2' || digits[0] > '6') return false;
  return LuhnValid(digits);
}

std::string Marker(std::string_view type) {
  return std::string(kMarkerPrefix) + std::string(type) + "]";
}

}  // namespace

int Redactor::RedactEvent(Event& e) const {
  // Every stored string. source (checked [a-z0-9_]+), severity (an enum), raw_sha256 and
  // id (hex/base32) cannot hold a secret; id is derived from the original source_ref
  // before this runs, so a retry of the same upstream item still dedupes.
  int count = 0;
  for (std::string* s : {&e.source_ref, &e.summary, &e.body, &e.url}) count += RedactText(*s);
  // Repeated from event to event: memoized when clean.
  for (std::string* s : {&e.kind, &e.incident_id, &e.scope, &e.actor}) {
    std::string redacted;
    if (int n = impl_->RedactKey(*s, &redacted); n > 0) {
      count += n;
      *s = std::move(redacted);
    }
  }
  // Iterative walk: attrs come from outside, so their depth is not trusted to the stack.
  std::vector<nlohmann::json*> stack = {&e.attrs};
  while (!stack.empty()) {
    nlohmann::json* j = stack.back();
    stack.pop_back();
    if (j->is_string()) {
      count += RedactText(j->get_ref<std::string&>());
    } else if (j->is_number_integer() && IsCardNumber(*j)) {
      *j = Marker("card_number");
      ++count;
    } else if (j->is_object()) {
      // Keys first: a key that changes is moved to its redacted name (", 2", ", 3"… added
      // when two keys redact to the same name), before pointers to the values are taken.
      std::vector<std::pair<std::string, std::string>> renames;
      for (const auto& [key, value] : j->items()) {
        std::string redacted;
        if (int n = impl_->RedactKey(key, &redacted); n > 0) {
          count += n;
          renames.emplace_back(key, std::move(redacted));
        }
      }
      for (auto& [from, to] : renames) {
        nlohmann::json value = std::move((*j)[from]);
        j->erase(from);
        std::string name = to;
        for (int n = 2; j->contains(name); ++n) name = to + ", " + std::to_string(n);
        (*j)[name] = std::move(value);
      }
      for (auto& [key, value] : j->items()) {
        if (!impl_->IsSecretKey(key)) {
          stack.push_back(&value);
        } else if (value.is_string()) {
          count += impl_->RedactSecretValue(key, value.get_ref<std::string&>());
        } else if (value.is_number()) {
          // "password": 123456 is a secret too.
          value = Marker(ClassifyPairKey(key));
          ++count;
        } else {
          stack.push_back(&value);
        }
      }
    } else if (j->is_array()) {
      for (auto& child : *j) stack.push_back(&child);
    }
  }
  e.redactions += count;
  return count;
}

namespace {

// A PEM private-key boundary in `line` from `from` on: "-----BEGIN <LABEL>-----" or
// "-----END <LABEL>-----" where LABEL is [A-Z0-9 ]* ending in "PRIVATE KEY" or "PRIVATE KEY
// BLOCK". Returns the span of the whole boundary, or nullopt.
std::optional<Span> FindPemBoundary(std::string_view line, std::string_view word, size_t from) {
  const std::string dashes = "-----";
  const std::string open = dashes + std::string(word);
  for (size_t at = line.find(open, from); at != std::string_view::npos;
       at = line.find(open, at + 1)) {
    const size_t label = at + open.size();
    const size_t close = line.find(dashes, label);
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view l = line.substr(label, close - label);
    const bool chars = std::all_of(l.begin(), l.end(),
                                   [](char c) { return IsUpper(c) || IsDigit(c) || c == ' '; });
    if (chars && (l.ends_with(" PRIVATE KEY") || l.ends_with(" PRIVATE KEY BLOCK"))) {
      return Span{at, close + dashes.size()};
    }
  }
  return std::nullopt;
}

// Key material or a PEM header line ("Proc-Type: 4,ENCRYPTED", "DEK-Info: …"), for a
// block whose END line is not in the push.
bool LooksLikeKeyMaterial(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  if (line.empty()) return false;
  if (line.starts_with("Proc-Type:") || line.starts_with("DEK-Info:") ||
      line.starts_with("Comment:") || line.starts_with("Version:")) {
    return true;
  }
  return std::all_of(line.begin(), line.end(),
                     [](char c) { return IsAlnum(c) || c == '+' || c == '/' || c == '='; });
}

// Replaces [begin, end) of *line with the private_key marker.
void ReplaceSpan(std::string& line, size_t begin, size_t end) {
  line.replace(begin, end - begin, Marker("private_key"));
}

// The line's end, without a trailing "\r".
size_t ContentEnd(const std::string& line) {
  return !line.empty() && line.back() == '\r' ? line.size() - 1 : line.size();
}

}  // namespace

int RedactPemAcrossLines(const std::vector<std::string*>& lines) {
  int changed = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string& first = *lines[i];
    std::optional<Span> begin = FindPemBoundary(first, "BEGIN", 0);
    if (!begin) continue;
    // A block that ends on its own line is the per-line redactor's (RedactText) to handle.
    if (FindPemBoundary(first, "END", begin->end)) continue;
    // Its END line, within the longest key there is.
    size_t last = i;
    std::optional<Span> end;
    for (size_t j = i + 1; j < lines.size() && j <= i + kMaxPemLines; ++j) {
      end = FindPemBoundary(*lines[j], "END", 0);
      if (end) {
        last = j;
        break;
      }
    }
    if (!end) {
      // No END in this push: the key material that follows goes with the BEGIN line.
      while (last + 1 < lines.size() && LooksLikeKeyMaterial(*lines[last + 1])) ++last;
    }
    ReplaceSpan(first, begin->begin, ContentEnd(first));
    for (size_t j = i + 1; j <= last; ++j) {
      std::string& line = *lines[j];
      if (j == last && end) {
        ReplaceSpan(line, 0, end->end);
      } else {
        ReplaceSpan(line, 0, ContentEnd(line));
      }
    }
    changed += static_cast<int>(last - i + 1);
    i = last;
  }
  return changed;
}

bool LuhnValid(std::string_view s) {
  int sum = 0;
  int digits = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (*it == ' ' || *it == '-' || *it == '.') continue;
    if (!IsDigit(*it)) return false;
    int d = *it - '0';
    if (digits % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    ++digits;
  }
  return digits >= 2 && sum % 10 == 0;
}

bool IbanValid(std::string_view s) {
  std::string iban;
  for (char c : s) {
    if (c == ' ') continue;
    if (!IsAlnum(c)) return false;
    iban.push_back(IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c);
  }
  if (iban.size() < 15 || iban.size() > 34) return false;
  if (!IsUpper(iban[0]) || !IsUpper(iban[1]) || !IsDigit(iban[2]) || !IsDigit(iban[3])) {
    return false;
  }
  std::rotate(iban.begin(), iban.begin() + 4, iban.end());
  int rem = 0;
  for (char c : iban) {
    rem = IsDigit(c) ? (rem * 10 + (c - '0')) % 97 : (rem * 100 + (c - 'A' + 10)) % 97;
  }
  return rem == 1;
}

}  // namespace timelined
