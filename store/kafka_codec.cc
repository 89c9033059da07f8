#include "store/kafka_codec.h"

#include <nlohmann/json.hpp>

#include "store/model/untrusted.h"

namespace timelined::store {

using nlohmann::json;

std::string EncodeEvent(const Event& e) {
  json j = EventToJson(e);
  j.erase("seq");
  j.erase("chain");
  j["v"] = kEventMessageVersion;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string_view EventKey(const Event& e) {
  if (!e.incident_id.empty()) return e.incident_id;
  if (!e.scope.empty()) return e.scope;
  return e.source;
}

Result<Event> DecodeEvent(std::string_view value) {
  if (value.empty())
    return MakeError(ErrorCode::kInvalidInput, "empty_message", "the message has no value");
  if (!JsonDepthWithin(value, kMaxEventMessageDepth))
    return MakeError(kInvalidJson, "JSON nested too deeply");
  json j = json::parse(value.begin(), value.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return MakeError(kInvalidJson, "the value is not JSON");
  if (!j.is_object())
    return MakeError(ErrorCode::kInvalidInput, "bad_event", "the value is not a JSON object");
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer())
    return MakeError(ErrorCode::kInvalidInput, "missing_version", "no integer field 'v'");
  if (v->get<int64_t>() != kEventMessageVersion) {
    return MakeError(
        ErrorCode::kInvalidInput, "unsupported_version",
        "message version " + std::to_string(v->get<int64_t>()) + " is not supported (expected 1)");
  }
  j.erase(v);
  // The store assigns these; a message carrying them was not written by EncodeEvent.
  if (j.contains("seq") || j.contains("chain"))
    return MakeError(ErrorCode::kInvalidInput, "bad_event", "seq/chain are set by the store");
  // The producer derived the id from the original source_ref and then redacted it, so a
  // redacted source_ref no longer gives the id: keep the one carried (ValidateEvent checks
  // its form). Any other id must still match.
  std::string carried;
  if (auto ref = j.find("source_ref");
      ref != j.end() && ref->is_string() &&
      ref->get_ref<const std::string&>().find(kRedactionMarkerPrefix) != std::string::npos) {
    if (auto id = j.find("id"); id != j.end() && id->is_string()) {
      carried = id->get<std::string>();
      j.erase(id);
    }
  }
  auto e = EventFromJson(j);
  if (!e || carried.empty()) return e;
  e->id = std::move(carried);
  if (auto valid = ValidateEvent(*e); !valid) return std::unexpected(valid.error());
  return e;
}

}  // namespace timelined::store
