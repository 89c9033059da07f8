#include "daemon/http/router.h"

#include <algorithm>

namespace timelined::http {
namespace {

constexpr int kParam = 0;
constexpr int kSuffixedParam = 1;
constexpr int kLiteral = 2;

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string_view RawPath(const Request& req) {
  if (req.target.empty()) return req.path;
  std::string_view t = req.target;
  return t.substr(0, t.find('?'));
}

// Decoded segments of the request path, or nullopt on a malformed escape.
std::optional<std::vector<std::string>> DecodedSegments(const Request& req) {
  std::string_view raw = RawPath(req);
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  std::vector<std::string> out;
  for (std::string_view seg : Split(raw)) {
    auto decoded = PercentDecode(seg);
    if (!decoded) return std::nullopt;
    out.push_back(std::move(*decoded));
  }
  return out;
}

bool IsParam(std::string_view seg) {
  return seg.size() >= 2 && seg.front() == '{' && seg.find('}') != std::string_view::npos;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  for (std::string_view seg : Split(pattern)) r.segments.emplace_back(seg);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

std::optional<std::vector<int>> Router::MatchPath(const Route& route,
                                                  const std::vector<std::string>& segs,
                                                  std::map<std::string, std::string>* params) {
  if (route.segments.size() != segs.size()) return std::nullopt;
  std::vector<int> score;
  score.reserve(segs.size());
  for (size_t i = 0; i < segs.size(); ++i) {
    const std::string& pat = route.segments[i];
    const std::string& seg = segs[i];
    if (!IsParam(pat)) {
      if (pat != seg) return std::nullopt;
      score.push_back(kLiteral);
      continue;
    }
    size_t close = pat.find('}');
    std::string_view name = std::string_view(pat).substr(1, close - 1);
    std::string_view suffix = std::string_view(pat).substr(close + 1);
    if (seg.size() <= suffix.size() || !std::string_view(seg).ends_with(suffix)) {
      return std::nullopt;
    }
    if (params != nullptr) (*params)[std::string(name)] = seg.substr(0, seg.size() - suffix.size());
    score.push_back(suffix.empty() ? kParam : kSuffixedParam);
  }
  return score;
}

const Handler* Router::Match(Request& req, int* status) const {
  req.route.clear();
  auto segs = DecodedSegments(req);
  if (!segs) {
    *status = 404;
    return nullptr;
  }
  const Route* best = nullptr;
  std::vector<int> best_score;
  bool path_matched = false;
  for (const Route& r : routes_) {
    auto score = MatchPath(r, *segs, nullptr);
    if (!score) continue;
    path_matched = true;
    if (r.method != req.method) continue;
    if (best == nullptr || *score > best_score) {
      best = &r;
      best_score = std::move(*score);
    }
  }
  if (best == nullptr) {
    *status = path_matched ? 405 : 404;
    return nullptr;
  }
  req.path_params.clear();
  MatchPath(*best, *segs, &req.path_params);
  req.route = best->pattern;
  *status = 200;
  return &best->handler;
}

std::vector<std::string> Router::AllowedMethods(const Request& req) const {
  std::vector<std::string> out;
  auto segs = DecodedSegments(req);
  if (!segs) return out;
  for (const Route& r : routes_) {
    if (MatchPath(r, *segs, nullptr)) out.push_back(r.method);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

}  // namespace timelined::http
