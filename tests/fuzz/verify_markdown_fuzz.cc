// An exported Markdown draft -> VerifyMarkdown (summarizer/verify.h), the reader behind
// `timelined verify FILE.md`, against an in-memory reader that knows every "pd_"/"sl_"/
// "k8s_"/"log_" ID (so the hash-prefix and digest checks run) and no other; with and without
// a stored citation list (a compact draft's), and the header's DraftRefOf. The same bytes
// as a stored JSON draft -> CitationsOfJson. CompareRows of the file against itself and
// against its second half (a hand-edited file against the generated one).
#include "store/model/hash.h"
#include "store/model/reader.h"
#include "summarizer/verify.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using namespace timelined;

class KnownPrefixReader : public EventReader {
 public:
  Result<std::optional<Event>> GetEvent(const std::string& id) const override {
    for (std::string_view p : {"pd_", "sl_", "k8s_", "log_"}) {
      if (id.starts_with(p)) {
        Event e;
        e.id = id;
        e.raw_sha256 = Sha256Hex(id);
        return std::optional<Event>(std::move(e));
      }
    }
    return std::optional<Event>();
  }
  Result<void> ForEachEvent(const EventQuery&,
                            const std::function<bool(const Event&)>&) const override {
    return {};
  }
  Result<std::optional<Incident>> GetIncident(const std::string&) const override {
    return std::optional<Incident>();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const KnownPrefixReader reader;
  const std::string_view text = fuzz::AsText(data, size);
  auto r = summarizer::VerifyMarkdown(text, reader);
  if (r) (void)summarizer::FormatVerifyReport(*r);
  (void)summarizer::DraftRefOf(text);
  auto cited = summarizer::CitationsOfJson(text);
  static const std::vector<std::string> kStored = {"pd_a", "sl_b", "zz_missing"};
  auto with =
      summarizer::VerifyMarkdown(text, reader, cited && !cited->empty() ? &*cited : &kStored);
  if (with) (void)summarizer::FormatVerifyReport(*with);
  // A file compared with itself has no change, whatever it holds.
  const summarizer::RowReport same = summarizer::CompareRows(text, text);
  if (!same.clean()) __builtin_trap();
  (void)summarizer::FormatRowReport(same);
  (void)summarizer::FormatRowReport(summarizer::CompareRows(text, text.substr(size / 2)));
  return 0;
}
