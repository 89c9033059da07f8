#include "daemon/http/types.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/model/hash.h"

namespace timelined::http {
namespace {

// Retry-After of a retryable error: a publish timeout waits up to server.publish_timeout_ms
// (4 s by default) for durability, so an earlier retry would mostly find the same state.
constexpr int kRetryAfterSeconds = 5;

}  // namespace

std::string_view Request::Header(std::string_view lower_name) const {
  auto it = headers.find(std::string(lower_name));
  if (it == headers.end()) return {};
  return it->second;
}

std::optional<std::string> Request::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::JsonError(int status, std::string_view error, std::string_view detail) {
  // Invalid UTF-8 in a detail (e.g. echoing a client-supplied name) must not throw: replace it.
  nlohmann::json j = {{"error", std::string(error)}, {"detail", std::string(detail)}};
  return Json(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response Response::FromError(const Error& e) {
  Response r = JsonError(HttpStatusFor(e.code), e.message, e.detail);
  // Unavailable and exhausted mean "retry later": PagerDuty, Slack, Fluent Bit and Vector honour
  // Retry-After.
  // This is the one place an error gets its Retry-After; handlers do not add their own.
  if (e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kExhausted) {
    r.SetRetryAfter(kRetryAfterSeconds);
  }
  return r;
}

Response& Response::SetRetryAfter(int seconds) {
  std::erase_if(headers, [](const auto& h) { return h.first == "Retry-After"; });
  headers.emplace_back("Retry-After", std::to_string(seconds));
  return *this;
}

void GatedHandler::operator()(Request& req, Respond respond) const {
  if (check) {
    if (auto r = check(req)) return respond(std::move(*r));
  }
  handler(req, std::move(respond));
}

Handler Gated(HeaderCheck check, Handler handler) {
  return GatedHandler{std::move(check), std::move(handler)};
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (in.size() - i < 3) return std::nullopt;
      int hi = HexDigitValue(in[i + 1]);
      int lo = HexDigitValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value || key->empty()) continue;
    out[*key] = std::move(*value);
  }
  return out;
}

namespace {

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

bool ParamChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~:@+=").find(c) != std::string_view::npos;
}

// "incidents" -> "incident"; the name of one of the collection's members.
std::string Singular(std::string_view collection) {
  if (collection.ends_with('s')) collection.remove_suffix(1);
  return std::string(collection);
}

}  // namespace

std::optional<std::map<std::string, std::string>> ParseQueryStrict(std::string_view query,
                                                                   std::string* why) {
  std::map<std::string, std::string> out;
  size_t pairs = 0;
  auto fail = [&](std::string reason) {
    *why = std::move(reason);
    return std::nullopt;
  };
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (++pairs > kMaxQueryParams) {
      return fail("more than " + std::to_string(kMaxQueryParams) + " query parameters");
    }
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) return fail("malformed percent-encoding in the query string");
    if (key->empty()) return fail("a query parameter has an empty name");
    if (key->size() > kMaxQueryNameBytes || value->size() > kMaxQueryValueBytes) {
      return fail("a query parameter name is over " + std::to_string(kMaxQueryNameBytes) +
                  " bytes or its value over " + std::to_string(kMaxQueryValueBytes));
    }
    if (!IsValidUtf8(*key) || !IsValidUtf8(*value)) {
      return fail("a query parameter is not valid UTF-8");
    }
    if (HasControl(*key) || HasControl(*value)) {
      return fail("a query parameter holds a control character");
    }
    out[*key] = std::move(*value);
  }
  return out;
}

std::optional<Response> CheckPathParams(const Request& req) {
  if (req.path_params.empty()) return std::nullopt;
  // The pattern's segments: the literal before "{name}" names what the parameter identifies.
  std::string_view pattern = req.route;
  std::string_view previous;
  while (!pattern.empty()) {
    if (pattern.front() == '/') pattern.remove_prefix(1);
    size_t slash = pattern.find('/');
    std::string_view seg = pattern.substr(0, slash);
    pattern = slash == std::string_view::npos ? std::string_view{} : pattern.substr(slash);
    if (seg.size() < 2 || seg.front() != '{') {
      previous = seg;
      continue;
    }
    std::string name(seg.substr(1, seg.find('}') - 1));
    auto it = req.path_params.find(name);
    if (it == req.path_params.end()) continue;
    const std::string& v = it->second;
    if (!v.empty() && v.size() <= kMaxPathParamBytes &&
        std::all_of(v.begin(), v.end(), ParamChar)) {
      previous = seg;
      continue;
    }
    std::string what = previous.empty() ? name : Singular(previous) + "_" + name;
    return Response::JsonError(400, "bad_" + what,
                               what + " must be 1 to " + std::to_string(kMaxPathParamBytes) +
                                   " characters of A-Z a-z 0-9 - . _ ~ : @ + =");
  }
  return std::nullopt;
}

}  // namespace timelined::http
