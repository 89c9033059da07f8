#pragma once
// A small router: method + path pattern with {name} segments ("/v1/incidents/{id}/events").
// A segment pattern may also be "{name}.md"-style: a literal suffix after the parameter.
// Exact segments beat parameters. No match: 404; path matches with another method: 405.
#include <string>
#include <vector>

#include "daemon/http/types.h"

namespace timelined::http {

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // Finds the handler, fills req.path_params and req.route; on no match fills `status`
  // with 404 or 405 and returns nullptr.
  const Handler* Match(Request& req, int* status) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace timelined::http
