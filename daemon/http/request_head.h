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
bool FillRequestHead(const boost::beast::http::request_header<>& head, Request& out);

}  // namespace timelined::http
