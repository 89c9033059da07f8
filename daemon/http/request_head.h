#pragma once
// The Beast request header -> Request conversion the server runs before routing, as a pure
// function so the request path can be driven in-process (tests/fuzz/http_request_fuzz.cc)
// with no socket.

#include <boost/beast/http/message.hpp>

#include "daemon/http/types.h"

namespace timelined::http {

// Fills out.method, target, path (percent-decoded, without the query), query and headers
// (names lower-cased; a repeated header's values joined with ","). Returns false when the
// path has a malformed percent escape (the server answers 400); `out` is then partly filled.
// A query string ParseQueryStrict refuses leaves out.query empty and its reason in
// `*query_error` (when given): the server answers it 400 bad_query after the route's checks.
bool FillRequestHead(const boost::beast::http::request_header<>& head, Request& out,
                     std::string* query_error = nullptr);

}  // namespace timelined::http
