#include "daemon/sources/generic/generic_source.h"

#include <nlohmann/json.hpp>

#include "store/model/hash.h"
#include "store/model/untrusted.h"

namespace timelined::daemon {
namespace {

using nlohmann::json;

constexpr size_t kMaxEventsPerRequest = 10'000;

class GenericSource final : public Source {
 public:
  GenericSource(IngestPipeline& ingest, const Clock& clock) : ingest_(ingest), clock_(clock) {}

  void AddRoutes(http::Router& router, const GuardFn& guard) override {
    router.Add("POST", "/ingest/events",
               guard(config::Scope::kIngest, [this](http::Request& r, http::Respond d) {
                 HandleIngestEvents(ingest_, clock_, r, std::move(d));
               }));
  }
  std::vector<std::string> IngestSources() const override { return {"api"}; }

 private:
  IngestPipeline& ingest_;
  const Clock& clock_;
};

}  // namespace

void HandleIngestEvents(IngestPipeline& ingest, const Clock& clock, http::Request& req,
                        http::Respond respond) {
  auto parsed = ParseUntrustedJson(req.body);
  if (!parsed) return respond(http::Response::FromError(parsed.error()));
  json body = std::move(*parsed);
  const bool single = body.is_object() && !body.contains("events");
  json items = single ? json::array({body}) : body.is_object() ? body["events"] : body;
  if (!items.is_array() || items.empty()) {
    respond(http::Response::JsonError(
        400, "no_events", "send an event object, an array of events, or {\"events\": [...]}"));
    return;
  }
  if (items.size() > kMaxEventsPerRequest) {
    respond(http::Response::JsonError(413, "too_many_events", "at most 10000 events per request"));
    return;
  }
  const Nanos now = clock.Now();
  std::vector<Event> events;
  events.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    // Parsed only: IngestPipeline::Submit validates each event once, after redaction.
    auto e = ParseEventJson(items[i]);
    if (!e) {
      respond(http::Response::JsonError(400, e.error().message,
                                        "event " + std::to_string(i) + ": " + e.error().detail));
      return;
    }
    // A Slack author's name comes only from users.info (SlackUserNames): the store keeps
    // the first copy of an ID, so a name stored here would relabel every message of that
    // person in every draft.
    if (e->source == kSourceSlack &&
        (e->kind == "slack.user" || e->source_ref.find(":user:") != std::string::npos)) {
      respond(http::Response::JsonError(
          400, "reserved_event",
          "event " + std::to_string(i) +
              ": Slack user names (kind slack.user, source_ref <team>:user:<id>) come only "
              "from Slack's users.info"));
      return;
    }
    if (e->received_at == 0) e->received_at = now;
    if (e->raw_sha256.empty()) e->raw_sha256 = Sha256Hex(single ? req.body : items[i].dump());
    events.push_back(std::move(*e));
  }
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const Event& e : events) ids.push_back(e.id);
  ingest.SubmitAndRespond("api", std::move(events), std::move(respond),
                          [ids = std::move(ids)](const IngestOutcome& o) {
                            return http::Response::Json(200, json{{"accepted", o.accepted},
                                                                  {"inserted", o.inserted},
                                                                  {"duplicates", o.duplicates},
                                                                  {"ids", ids}}
                                                                 .dump());
                          });
}

Result<std::unique_ptr<Source>> MakeGenericSource(const config::Config& /*config*/,
                                                  const SourceContext& context) {
  if (context.ingest == nullptr) return std::unique_ptr<Source>();
  return std::make_unique<GenericSource>(*context.ingest, context.clock);
}

}  // namespace timelined::daemon
