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
};

// Completes a request. Safe to call from any thread, exactly once.
using Respond = std::function<void(Response)>;
// A route handler. May respond synchronously or later (e.g. after a commit).
using Handler = std::function<void(Request&, Respond)>;

// Decodes %XX escapes (and '+' as a space when `plus_as_space`, for query strings).
// Returns nullopt on a malformed escape ("%zz", a truncated "%4").
std::optional<std::string> PercentDecode(std::string_view in, bool plus_as_space = false);
// Parses "a=1&b=x%20y&flag" into decoded pairs (last wins; "flag" maps to ""). Pairs with a
// malformed escape are skipped.
std::map<std::string, std::string> ParseQuery(std::string_view query);

}  // namespace timelined::http
