#include "summarizer/draft.h"

#include "summarizer/builder.h"
#include "summarizer/digest.h"

namespace timelined::summarizer {
namespace {

// The `slack.user` events the timeline's lines name authors by. They are looked up by ID,
// not correlated: the appendix lists them after the correlated events.
struct Directory {
  IdList ids;  // found, sorted after the pass
  std::optional<Error> error;
};

Result<Timeline> BuildTimelinePass(const Incident& incident, const SummarizerConfig& config,
                                   const EventReader& reader, Nanos now, Directory& directory) {
  TimelineBuilder builder(incident, config,
                          [&reader, &directory](const std::string& id) -> std::optional<Event> {
                            auto got = reader.GetEvent(id);
                            if (!got) {
                              if (!directory.error) directory.error = got.error();
                              return std::nullopt;
                            }
                            if (*got) directory.ids.Add(id);
                            return std::move(*got);
                          });
  auto n = CorrelateEach(
      incident, config.correlation, reader, now,
      [&builder](const Event& e, const std::string&) {
        builder.Add(e);
        return true;
      },
      CorrelateOptions{.order = CorrelationOrder::kBySource});
  if (!n) return std::unexpected(n.error());
  Timeline t = builder.Finish();
  if (directory.error) return std::unexpected(*directory.error);
  directory.ids.SortUnique();
  return t;
}

// Appends the Source events entries of the linked events and returns the digest of every
// cited one: the correlated ones in time order, then the directory's.
Result<std::string> SourcesPass(const Incident& incident, const SummarizerConfig& config,
                                const EventReader& reader, Nanos now, const IdList& cited,
                                const IdList& linked, const IdList& directory,
                                std::string& markdown) {
  InputDigestBuilder digest;
  size_t found = 0;
  CorrelateOptions options{
      .order = CorrelationOrder::kByTime,
      .keep = [&cited, &directory](
                  const Event& e) { return cited.Contains(e.id) && !directory.Contains(e.id); },
      .identity_only = true};
  auto n = CorrelateEach(
      incident, config.correlation, reader, now,
      [&](const Event& e, const std::string&) {
        if (linked.Contains(e.id)) AppendSourceEntry(markdown, e);
        digest.Add(e.id, e.raw_sha256);
        ++found;
        return true;
      },
      options);
  if (!n) return std::unexpected(n.error());
  std::string missing;
  directory.ForEach([&](std::string_view id) {
    if (!missing.empty() || !cited.Contains(id)) return;
    auto got = reader.GetEvent(std::string(id));
    if (!got || !*got) {
      missing = id;
      return;
    }
    if (linked.Contains(id)) AppendSourceEntry(markdown, **got);
    digest.Add((*got)->id, (*got)->raw_sha256);
    ++found;
  });
  if (found != cited.size() || !missing.empty()) {
    return MakeError(ErrorCode::kUnavailable, "evidence_changed",
                     "a cited event disappeared while the draft was built; retry");
  }
  return digest.Finish();
}

}  // namespace

Result<Draft> BuildDraft(const Incident& incident, const SummarizerConfig& config,
                         const EventReader& reader, const DraftMeta& meta_in, Nanos now) {
  Directory directory;
  auto timeline = BuildTimelinePass(incident, config, reader, now, directory);
  if (!timeline) return std::unexpected(timeline.error());
  Draft d;
  d.meta = meta_in;
  if (d.meta.incident_id.empty()) d.meta.incident_id = incident.id;
  if (d.meta.generator.empty()) d.meta.generator = std::string(kGeneratorDeterministic);
  d.meta.config_hash = ConfigHash(config);
  d.meta.input_digest = std::string(64, '0');  // patched below, once known
  d.timeline = std::move(*timeline);
  IdList cited = CitedIdList(d.timeline);
  const MarkdownOptions options{.shown_citations = config.limits.shown_citations,
                                .full_citations = config.limits.full_citations};
  IdList linked = LinkedIds(d.timeline, options);
  size_t digest_offset = 0;
  AppendMarkdownHead(d.markdown, incident, d.timeline, d.meta, options, &digest_offset);
  // Generous: an entry is ~150-250 bytes. Untouched capacity is never resident, while
  // growing by doubling would copy (and briefly hold twice) a 100+ MB document.
  d.markdown.reserve(d.markdown.size() + linked.size() * 320);
  auto digest =
      SourcesPass(incident, config, reader, now, cited, linked, directory.ids, d.markdown);
  if (!digest) return std::unexpected(digest.error());
  d.meta.input_digest = *digest;
  d.markdown.replace(digest_offset, 64, d.meta.input_digest);
  d.json = RenderJson(incident, d.timeline, d.meta);
  d.cited_ids = cited.ToStrings();
  d.correlated_count = d.timeline.stats.correlated;
  return d;
}

}  // namespace timelined::summarizer
