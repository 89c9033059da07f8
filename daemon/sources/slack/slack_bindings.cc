#include "daemon/sources/slack/slack_bindings.h"

#include <algorithm>
#include <charconv>

#include "connectors/slack/message.h"

namespace timelined::daemon {
namespace {

std::string AttrString(const Event& e, const char* key) {
  if (!e.attrs.is_object()) return {};
  auto it = e.attrs.find(key);
  return it != e.attrs.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Edits of a root may add the incident link after the fact; replies never bind a thread.
bool IsThreadRoot(const Event& e) {
  if (e.kind != "slack.message" && e.kind != "slack.message_changed") return false;
  std::string ts = AttrString(e, "ts");
  std::string thread_ts = AttrString(e, "thread_ts");
  return !ts.empty() && (thread_ts.empty() || thread_ts == ts);
}

}  // namespace

std::string ThreadKey(std::string_view channel, std::string_view thread_ts) {
  std::string key(channel);
  key.append(":").append(thread_ts);
  return key;
}

SlackBindings::SlackBindings(store::BindingStore& store, std::vector<config::SlackChannel> channels)
    : store_(store) {
  for (config::SlackChannel& c : channels) channel_services_[c.channel] = std::move(c.service);
}

Result<void> SlackBindings::Load() {
  auto all = store_.ListBindings();
  if (!all) return std::unexpected(all.error());
  std::lock_guard<std::mutex> lock(mu_);
  for (Binding& b : *all) cache_[{b.kind, b.key}] = std::move(b.incident_id);
  return {};
}

Result<store::BindingWrite> SlackBindings::Bind(const Binding& binding, std::string_view actor,
                                                int busy_timeout_ms) {
  auto written = store_.AddBinding(binding, actor, busy_timeout_ms);
  if (!written) return written;
  std::lock_guard<std::mutex> lock(mu_);
  cache_[{written->stored.kind, written->stored.key}] = written->stored.incident_id;
  return written;
}

std::optional<std::string> SlackBindings::Lookup(std::string_view kind,
                                                 std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find({std::string(kind), std::string(key)});
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> SlackBindings::IncidentNamedIn(std::string_view text) const {
  for (const std::string& ref : connectors::slack::FindIncidentReferences(text)) {
    Result<std::optional<Incident>> found = std::optional<Incident>();
    if (ref.starts_with("id:")) {
      found = store_.GetIncident(ref.substr(3));
    } else if (ref.starts_with("number:")) {
      int64_t number = 0;
      const char* first = ref.data() + 7;
      const char* last = ref.data() + ref.size();
      auto [p, ec] = std::from_chars(first, last, number);
      if (ec != std::errc() || p != last) continue;
      found = store_.FindIncidentByNumber(number);
    }
    if (!found) return std::unexpected(found.error());
    if (found->has_value()) return (*found)->id;
  }
  return std::string();
}

Result<std::string> SlackBindings::Resolve(const Event& e, std::optional<Binding>* new_thread,
                                           std::chrono::steady_clock::time_point deadline) {
  const std::string channel = AttrString(e, "channel");
  if (channel.empty()) return std::string();
  std::string root = AttrString(e, "thread_ts");
  if (root.empty()) root = AttrString(e, "ts");
  if (!root.empty()) {
    if (auto inc = Lookup(kBindingSlackThread, ThreadKey(channel, root))) return *inc;
  }
  if (auto inc = Lookup(kBindingSlackChannel, channel)) return *inc;
  if (IsThreadRoot(e)) {
    auto named = IncidentNamedIn(e.body);
    if (!named) return std::unexpected(named.error());
    if (!named->empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto written =
          Bind(Binding{kBindingSlackThread, ThreadKey(channel, root), *named, 0},
               "slack:thread-root", static_cast<int>(std::max<int64_t>(left.count(), 1)));
      if (!written) return std::unexpected(written.error());
      if (written->created && new_thread != nullptr) *new_thread = written->stored;
      return written->stored.incident_id;
    }
  }
  auto service = channel_services_.find(channel);
  if (service == channel_services_.end()) return std::string();
  auto open = store_.FindOpenIncidentOfService(service->second);
  if (!open) return std::unexpected(open.error());
  return open->has_value() ? (*open)->id : std::string();
}

}  // namespace timelined::daemon
