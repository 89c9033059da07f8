#pragma once
// GuardFn: wraps a handler with the bearer-token check for a scope (App::Guarded). The server
// runs the check on the request's header, before reading its body. Every route table that
// needs authentication (sources, drafts, the read API) takes one.
#include <functional>

#include "daemon/config/auth.h"
#include "daemon/http/router.h"

namespace timelined::daemon {

using GuardFn = std::function<http::Handler(config::Scope, http::Handler)>;

}  // namespace timelined::daemon
