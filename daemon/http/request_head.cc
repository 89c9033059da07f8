#include "daemon/http/request_head.h"

#include <algorithm>
#include <cctype>

namespace timelined::http {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool FillRequestHead(const boost::beast::http::request_header<>& head, Request& out,
                     std::string* query_error) {
  out.method = std::string(head.method_string());
  out.target = std::string(head.target());
  std::string_view target = out.target;
  size_t q = target.find('?');
  auto path = PercentDecode(target.substr(0, q));
  if (!path) return false;
  out.path = std::move(*path);
  if (q != std::string_view::npos) {
    std::string ignored;
    if (auto query = ParseQueryStrict(target.substr(q + 1), query_error ? query_error : &ignored)) {
      out.query = std::move(*query);
    }
  }
  for (const auto& field : head) {
    auto [it, inserted] =
        out.headers.try_emplace(Lower(field.name_string()), std::string(field.value()));
    if (!inserted) {
      it->second += ',';
      it->second += field.value();
    }
  }
  return true;
}

}  // namespace timelined::http
