#pragma once
// A small router: method + path pattern with {name} segments ("/v1/incidents/{id}/events").
// A segment pattern may also be "{name}.md"-style: a literal suffix after the parameter.
// Exact segments beat parameters. No match: 404; path matches with another method: 405.
//
// Matching splits the raw path (from `target`, or `path` when target is empty) on '/' and
// percent-decodes each segment, so "%2F" inside an id stays inside that parameter. Trailing
// slashes are significant: "/healthz/" does not match "/healthz". Parameters never match an
// empty segment. Among routes of the request's method, the most specific wins, compared
// segment by segment from the left (literal > "{p}suffix" > "{p}"); ties go to the first added.
//
// Threads: Add during setup only; Match and AllowedMethods are const and thread-safe after.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/http/types.h"

namespace timelined::http {

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // Finds the handler, fills req.path_params and req.route; on no match fills `status`
  // with 404 or 405 and returns nullptr.
  // The returned pointer stays valid until the next Add.
  const Handler* Match(Request& req, int* status) const;
  // Methods of the routes whose pattern matches req's path, sorted and unique: the Allow
  // header of a 405.
  std::vector<std::string> AllowedMethods(const Request& req) const;
  // Every route as (method, pattern), in the order added.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  // Per-segment specificity of `route` against the decoded segments, or nullopt on no
  // match; fills `params` on a match.
  static std::optional<std::vector<int>> MatchPath(const Route& route,
                                                   const std::vector<std::string>& segs,
                                                   std::map<std::string, std::string>* params);
  std::vector<Route> routes_;
};

}  // namespace timelined::http
