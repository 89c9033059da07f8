#pragma once
// Plain request/response values passed between the Beast server and route handlers.
// Handlers never see Beast types, so they are testable without sockets.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/model/error.h"
#include "store/model/untrusted.h"

namespace timelined::http {

struct Request {
  std::string method;                              // "GET", "POST", ...
  std::string target;                              // raw target: "/v1/events/pd_x?y=1"
  std::string path;                                // target without the query, percent-decoded
  std::map<std::string, std::string> query;        // decoded query parameters (last wins)
  std::map<std::string, std::string> headers;      // names lower-cased; repeated joined by ","
  std::map<std::string, std::string> path_params;  // filled by the router: {id} -> value
  std::string body;
  std::string remote_address;  // peer IP
  std::string route;           // the matched route pattern, for metrics ("/v1/events/{id}")
  std::string principal;       // who the route's HeaderCheck let in (a token's name), for logs

  // Header lookup by lower-case name; empty when absent.
  std::string_view Header(std::string_view lower_name) const;
  std::optional<std::string> Query(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static Response Json(int status, std::string body);
  // {"error": error, "detail": detail}
  static Response JsonError(int status, std::string_view error, std::string_view detail);
  static Response FromError(const Error& e);
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response NoContent();

  // Sets the one Retry-After header (replacing any earlier one).
  Response& SetRetryAfter(int seconds);
};

// Completes a request. Safe to call from any thread, exactly once.
using Respond = std::function<void(Response)>;
// A route handler. May respond synchronously or later (e.g. after a commit).
using Handler = std::function<void(Request&, Respond)>;

// A route's checks that need only the request line and headers (credentials, a signature
// header's presence, ...). The server runs it after the header and before reading the body:
// when it returns a response, that is the answer and the body is never read (nor `100
// Continue` sent). The request it sees has no body; it may set `principal` (the access log
// names it).
using HeaderCheck = std::function<std::optional<Response>(Request&)>;

// A handler behind a HeaderCheck. Called directly (tests, other wrappers) it runs the check
// and then the handler; the server finds it in a route's Handler (std::function::target) and
// runs the check on the header alone, then `handler` once the body is in.
struct GatedHandler {
  HeaderCheck check;
  Handler handler;
  void operator()(Request& req, Respond respond) const;
};
Handler Gated(HeaderCheck check, Handler handler);

// Decodes %XX escapes (and '+' as a space when `plus_as_space`, for query strings).
// Returns nullopt on a malformed escape ("%zz", a truncated "%4").
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space = false);
// Parses "a=1&b=x%20y&flag" into decoded pairs (last wins; "flag" maps to ""). Pairs with a
// malformed escape are skipped.
std::map<std::string, std::string> ParseQuery(std::string_view query);

// Bounds on what a client may put in a path parameter or the query string.
inline constexpr size_t kMaxPathParamBytes = 128;
inline constexpr size_t kMaxQueryParams = 64;
inline constexpr size_t kMaxQueryNameBytes = 128;
inline constexpr size_t kMaxQueryValueBytes = 2048;

// Whether `s` is well-formed UTF-8: the model's one definition (store/model/untrusted.h).
using timelined::IsValidUtf8;

// Like ParseQuery, but strict: nullopt and a reason in `why` on a malformed escape, a name
// or value that is not valid UTF-8 or holds a control character, a name or value over its
// bound, an empty name, or more than kMaxQueryParams pairs.
std::optional<std::map<std::string, std::string>> ParseQueryStrict(std::string_view query,
                                                                   std::string* why);

// Validates the path parameters the router filled in `req`: each is 1..kMaxPathParamBytes
// of A-Z a-z 0-9 and "-._~:@+=". On failure, a 400 naming the parameter after the literal
// segment before it: "/v1/incidents/{id}" -> bad_incident_id, "/v1/events/{id}" ->
// bad_event_id (bad_<name> when there is no such segment).
std::optional<Response> CheckPathParams(const Request& req);

}  // namespace timelined::http
