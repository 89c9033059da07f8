#include "connectors/kubernetes/kubectl_import.h"

#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>

#include "connectors/common/json_text.h"
#include "connectors/kubernetes/event_parser.h"
#include "store/model/untrusted.h"

namespace timelined::connectors::kubernetes {
namespace {

using nlohmann::json;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Appends events, dropping IDs already collected.
class Collector {
 public:
  void Add(std::vector<Event> events) {
    for (Event& e : events) {
      if (ids_.insert(e.id).second) out_.push_back(std::move(e));
    }
  }
  std::vector<Event> Take() { return std::move(out_); }

 private:
  std::vector<Event> out_;
  std::unordered_set<std::string> ids_;
};

struct Doc {
  std::string_view text;  // the whole input
  Span span;              // this document
  const json& value;
  Nanos received_at;
};

Result<void> AddObject(const json& obj, std::string_view raw, Nanos received_at, Collector& c) {
  auto events = ParseEventObject(obj, raw, received_at);
  if (!events) return std::unexpected(events.error());
  c.Add(std::move(*events));
  return {};
}

Result<void> AddList(const Doc& d, Collector& c) {
  const json& items = d.value["items"];
  std::vector<Span> spans;
  if (auto s = ObjectMemberSpan(d.text, d.span, "items")) {
    spans = ArrayElementSpans(d.text, *s).value_or(std::vector<Span>{});
  }
  const bool have_raw = spans.size() == items.size();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string_view raw = have_raw ? spans[i].In(d.text) : std::string_view();
    auto r = AddObject(items[i], raw, d.received_at, c);
    if (!r) {
      return MakeError(ErrorCode::kInvalidInput, "invalid_kubectl_json",
                       "item " + std::to_string(i + 1) + ": " + r.error().detail);
    }
  }
  return {};
}

Result<void> AddWatchEntry(const Doc& d, Collector& c) {
  const std::string type = d.value["type"].get<std::string>();
  if (type == "DELETED" || type == "BOOKMARK" || type == "ERROR") return {};
  if (type != "ADDED" && type != "MODIFIED") {
    return MakeError(ErrorCode::kInvalidInput, "invalid_kubectl_json",
                     "unknown watch event type " + TruncateUtf8(type, 32));
  }
  const auto span = ObjectMemberSpan(d.text, d.span, "object");
  const std::string_view raw = span ? span->In(d.text) : std::string_view();
  return AddObject(d.value["object"], raw, d.received_at, c);
}

bool IsEventLike(const json& j) {
  if (j.contains("kind")) return j["kind"] == "Event";
  return j.contains("metadata") && (j.contains("involvedObject") || j.contains("regarding"));
}

Result<void> AddDocument(const Doc& d, Collector& c) {
  const json& j = d.value;
  if (!j.is_object()) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_kubectl_json", "not a JSON object");
  }
  if (j.contains("items") && j["items"].is_array()) return AddList(d, c);
  if (j.contains("type") && j["type"].is_string() && j.contains("object") &&
      j["object"].is_object()) {
    return AddWatchEntry(d, c);
  }
  if (IsEventLike(j)) return AddObject(j, d.span.In(d.text), d.received_at, c);
  return MakeError(ErrorCode::kInvalidInput, "invalid_kubectl_json",
                   "not a Kubernetes Event, List or watch event");
}

std::string Where(std::string_view text, size_t doc, size_t offset) {
  return "document " + std::to_string(doc) + " (offset " + std::to_string(offset) + ", line " +
         std::to_string(LineOfOffset(text, offset)) + ")";
}

}  // namespace

Result<std::vector<Event>> ParseKubectlJson(std::string_view text, Nanos received_at) {
  Collector collector;
  size_t pos = text.starts_with(kBom) ? kBom.size() : 0;
  pos = SkipJsonSpace(text, pos);
  for (size_t doc = 1; pos < text.size(); ++doc) {
    const ScanResult r = ScanValue(text, pos);
    const Span span{pos, r.end};
    if (r.status == ScanStatus::kOk && !JsonDepthWithin(span.In(text))) {
      return MakeError(ErrorCode::kInvalidInput, "json_too_deep",
                       Where(text, doc, pos) + ": nested deeper than " +
                           std::to_string(kMaxJsonDepth) + " levels");
    }
    json value = r.status == ScanStatus::kOk ? json::parse(span.In(text), nullptr, false)
                                             : json(json::value_t::discarded);
    if (value.is_discarded()) {
      return MakeError(ErrorCode::kInvalidInput, "invalid_kubectl_json",
                       Where(text, doc, pos) + ": invalid JSON");
    }
    auto added = AddDocument(Doc{text, span, value, received_at}, collector);
    if (!added) {
      return MakeError(ErrorCode::kInvalidInput, "invalid_kubectl_json",
                       Where(text, doc, pos) + ": " + added.error().detail);
    }
    pos = SkipJsonSpace(text, r.end);
  }
  return collector.Take();
}

}  // namespace timelined::connectors::kubernetes
