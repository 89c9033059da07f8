#include "daemon/cli.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/kubernetes/kubectl_import.h"
#include "connectors/logs/log_parser.h"
#include "daemon/app.h"
#include "daemon/config/config.h"
#include "daemon/drafts_service.h"
#include "daemon/logging.h"
#include "store/local_feed.h"
#include "store/sqlite_store.h"
#include "summarizer/config.h"
#include "summarizer/draft.h"
#include "summarizer/verify.h"

namespace timelined::daemon {
namespace {

constexpr const char* kUsage = R"(usage: timelined <command> [options]

commands:
  serve [--config FILE] [--listen HOST:PORT] [--db PATH] [--ready-file FILE]
        [--role all|ingest|store]
                          run the daemon (no config: 127.0.0.1:8080, data/timelined.db);
                          all (default): ingest and store in one process (through Kafka
                          when [kafka] brokers is set); ingest: produce to Kafka, no
                          SQLite; store: consume Kafka into SQLite and serve reads
  check-config FILE       validate a config file; exit 1 naming the first problem
  check-config --keys     list every config key with its type, default and meaning
  import FILE [--config FILE | --db PATH]
                          store kubectl event JSON (-o json or -w -o json) or NDJSON/JSON
                          log lines from FILE (- for stdin), redacted like any ingest
  export INCIDENT [--format md|json] [--version N] [--config FILE | --db PATH]
                          print the incident's stored draft (latest, or version N); with no
                          stored draft, print an unsaved preview built now (noted on stderr)
  verify FILE.md [--config FILE | --db PATH]
                          check an exported draft against the store: every cited event
                          exists, hashes and the input digest match; exit 1 naming the line
  verify-store [--config FILE | --db PATH]
                          re-hash the evidence chain; exit 1 on any broken link
  version                 print the version
)";

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name value; flags map to "1"
};

const std::vector<std::string> kFlags = {"--keys", "--help"};

Result<Args> ParseArgs(int argc, char** argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) != 0) {
      a.positional.push_back(s);
    } else if (std::find(kFlags.begin(), kFlags.end(), s) != kFlags.end()) {
      a.options[s] = "1";
    } else if (i + 1 < argc) {
      a.options[s] = argv[++i];
    } else {
      return MakeError(ErrorCode::kInvalidInput, "usage", "option " + s + " needs a value");
    }
  }
  return a;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "timelined: %s\n", what.c_str());
  return 1;
}

int Usage(const std::string& what) {
  std::fprintf(stderr, "timelined: %s\n\n%s", what.c_str(), kUsage);
  return 2;
}

Result<config::Config> LoadFromArgs(const Args& a, const std::vector<std::string>& extra = {}) {
  config::Config c = config::DefaultConfig();
  if (auto it = a.options.find("--config"); it != a.options.end()) {
    auto loaded = config::LoadConfigFile(it->second);
    if (!loaded) return loaded;
    c = std::move(*loaded);
  }
  if (auto it = a.options.find("--listen"); it != a.options.end()) c.server.listen = it->second;
  if (auto it = a.options.find("--db"); it != a.options.end()) c.store.path = it->second;
  if (auto it = a.options.find("--ready-file"); it != a.options.end())
    c.server.ready_file = it->second;
  for (const auto& [k, v] : a.options) {
    if (k != "--config" && k != "--listen" && k != "--db" && k != "--ready-file" &&
        std::find(extra.begin(), extra.end(), k) == extra.end()) {
      return MakeError(ErrorCode::kInvalidInput, "usage", "unknown option " + k);
    }
  }
  if (auto v = config::ValidateConfig(c); !v) return std::unexpected(v.error());
  return c;
}

int CmdServe(Args a) {
  Role role = Role::kAll;
  if (auto it = a.options.find("--role"); it != a.options.end()) {
    auto parsed = ParseRole(it->second);
    if (!parsed) return Usage("unknown role '" + it->second + "' (expected all, ingest or store)");
    role = *parsed;
    a.options.erase(it);  // serve's own option; LoadFromArgs refuses unknown ones
  }
  auto c = LoadFromArgs(a);
  if (!c) return Fail(c.error().detail.empty() ? c.error().message : c.error().detail);
  if (role != Role::kAll && c->kafka.brokers.empty()) {
    return Fail(std::string("--role ") + RoleName(role) +
                " needs Kafka: set [kafka] brokers in the config");
  }
  SetUpLogging(c->log.level, c->log.format);
  return Serve(std::move(*c), role);
}

int CmdCheckConfig(const Args& a) {
  if (a.options.count("--keys")) {
    std::fputs(config::DescribeKeys().c_str(), stdout);
    return 0;
  }
  if (a.positional.size() != 1) return Usage("check-config needs exactly one FILE");
  auto c = config::LoadConfigFile(a.positional[0]);
  if (!c) return Fail(c.error().detail);
  if (auto v = config::ValidateConfig(*c); !v) return Fail(v.error().detail);
  std::printf("%s: ok (listen %s, store %s, %zu token(s))\n", a.positional[0].c_str(),
              c->server.listen.c_str(), c->store.path.c_str(), c->tokens.size());
  return 0;
}

// Kubernetes events when the text parses as kubectl output, else log lines.
Result<std::vector<Event>> ParseImport(const std::string& text, Nanos now, std::string* source) {
  auto k8s = connectors::kubernetes::ParseKubectlJson(text, now);
  if (k8s && !k8s->empty()) {
    *source = "kubernetes";
    return k8s;
  }
  auto logs = connectors::logs::ParseLogBody(text, "", connectors::logs::LogOptions{}, {}, now);
  if (logs) {
    *source = "log";
    return std::move(logs->events);
  }
  return MakeError(ErrorCode::kInvalidInput, "unrecognized_file",
                   "not kubectl event JSON (" +
                       (k8s ? std::string("no events") : k8s.error().detail) + ") nor log lines (" +
                       logs.error().detail + ")");
}

int CmdImport(const Args& a) {
  if (a.positional.size() != 1) return Usage("import needs exactly one FILE (or -)");
  auto c = LoadFromArgs(a);
  if (!c) return Fail(c.error().detail);
  std::stringstream text;
  if (a.positional[0] == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(a.positional[0], std::ios::binary);
    if (!in) return Fail("cannot read " + a.positional[0]);
    text << in.rdbuf();
  }
  std::string source;
  auto events = ParseImport(text.str(), SystemClock::Instance().Now(), &source);
  if (!events) return Fail(a.positional[0] + ": " + events.error().detail);
  auto redactor = Redactor::Create(c->redaction_patterns);
  if (!redactor) return Fail(redactor.error().detail);
  int redactions = 0;
  for (Event& e : *events) redactions += (*redactor)->RedactEvent(e);
  store::StoreOptions o;
  o.path = c->store.path;
  auto st = store::SqliteEventStore::Open(o);
  if (!st) return Fail("cannot open " + o.path + ": " + st.error().detail);
  const size_t total = events->size();
  size_t inserted = 0, duplicates = 0;
  constexpr size_t kChunk = 10'000;  // one transaction each; a failure leaves whole chunks
  for (size_t i = 0; i < total; i += kChunk) {
    std::vector<Event> chunk(
        std::make_move_iterator(events->begin() + i),
        std::make_move_iterator(events->begin() + std::min(total, i + kChunk)));
    auto r = (*st)->SubmitAndWait(std::move(chunk));
    if (!r)
      return Fail("stored " + std::to_string(inserted) + " of " + std::to_string(total) +
                  ", then: " + r.error().detail + " (re-running the import is safe)");
    inserted += r->inserted;
    duplicates += r->duplicates;
  }
  std::printf("imported %zu %s events into %s: %zu new, %zu already stored, %d redactions\n", total,
              source.c_str(), o.path.c_str(), inserted, duplicates, redactions);
  return 0;
}

int CmdVerifyStore(const Args& a) {
  auto c = LoadFromArgs(a);
  if (!c) return Fail(c.error().detail);
  store::StoreOptions o;
  o.path = c->store.path;
  auto st = store::SqliteEventStore::Open(o);
  if (!st) return Fail("cannot open " + o.path + ": " + st.error().detail);
  auto report = (*st)->VerifyChain();
  if (!report) return Fail(report.error().detail);
  if (!report->ok) {
    std::fprintf(stderr,
                 "timelined: chain BROKEN at seq %lld (event %s): %s; %llu events checked\n",
                 static_cast<long long>(report->first_bad_seq), report->first_bad_id.c_str(),
                 report->reason.c_str(), static_cast<unsigned long long>(report->events_checked));
    return 1;
  }
  std::printf("chain ok: %llu events verified in %s\n",
              static_cast<unsigned long long>(report->events_checked), o.path.c_str());
  return 0;
}

// Opens an existing store (export and verify never create one).
Result<std::unique_ptr<store::SqliteEventStore>> OpenExisting(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return MakeError(ErrorCode::kNotFound, "no_store", "no store at " + path);
  }
  store::StoreOptions o;
  o.path = path;
  o.reader_connections = 2;
  return store::SqliteEventStore::Open(o);
}

// An unsaved draft of the incident as it would be generated now (trigger api).
Result<std::string> PreviewDraft(const store::SqliteEventStore& st, const config::Config& c,
                                 const std::string& id, bool markdown) {
  auto inc = st.GetIncident(id);
  if (!inc) return std::unexpected(inc.error());
  if (!inc->has_value()) return MakeError(ErrorCode::kNotFound, "not_found", "no incident " + id);
  auto latest = st.LatestDraftVersion(id);
  if (!latest) return std::unexpected(latest.error());
  const Nanos now = SystemClock::Instance().Now();
  summarizer::DraftMeta meta;
  meta.incident_id = id;
  meta.version = *latest + 1;
  meta.trigger = "api";
  meta.generated_at = now;
  auto d = summarizer::BuildDraft(**inc, config::ToSummarizerConfig(c), st, meta, now);
  if (!d) return std::unexpected(d.error());
  return markdown ? std::move(d->markdown) : std::move(d->json);
}

int CmdExport(const Args& a) {
  if (a.positional.size() != 1) return Usage("export needs exactly one INCIDENT");
  auto c = LoadFromArgs(a, {"--format", "--version"});
  if (!c) return Fail(c.error().detail.empty() ? c.error().message : c.error().detail);
  SetUpLogging("warn", c->log.format);  // stdout is the draft; keep stderr for problems
  const std::string format = a.options.contains("--format") ? a.options.at("--format") : "md";
  if (format != "md" && format != "json") return Usage("--format is md or json");
  int version = 0;
  if (auto it = a.options.find("--version"); it != a.options.end()) {
    auto [p, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), version);
    if (ec != std::errc() || p != it->second.data() + it->second.size() || version < 1) {
      return Usage("--version is a positive draft version number");
    }
  }
  auto st = OpenExisting(c->store.path);
  if (!st) return Fail(st.error().detail);
  const std::string& id = a.positional[0];
  auto d = (*st)->GetDraft(id, version);
  if (!d) return Fail(d.error().detail);
  std::string out;
  if (d->has_value()) {
    out = format == "md" ? ServedMarkdown(**d) : ServedJson(**d);
  } else if (version > 0) {
    return Fail("incident " + id + " has no draft version " + std::to_string(version));
  } else {
    auto preview = PreviewDraft(**st, *c, id, format == "md");
    if (!preview) return Fail(preview.error().detail);
    std::fprintf(stderr,
                 "timelined: incident %s has no stored draft; printing an unsaved preview "
                 "generated now\n",
                 id.c_str());
    out = std::move(*preview);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int CmdVerify(const Args& a) {
  if (a.positional.size() != 1) return Usage("verify needs exactly one FILE.md");
  auto c = LoadFromArgs(a);
  if (!c) return Fail(c.error().detail.empty() ? c.error().message : c.error().detail);
  SetUpLogging("warn", c->log.format);
  std::ifstream in(a.positional[0], std::ios::binary);
  if (!in) return Fail("cannot read " + a.positional[0]);
  std::stringstream text;
  text << in.rdbuf();
  auto st = OpenExisting(c->store.path);
  if (!st) return Fail(st.error().detail);
  auto report = summarizer::VerifyMarkdown(text.str(), **st);
  if (!report) return Fail(a.positional[0] + ": " + report.error().detail);
  if (!report->ok()) {
    std::fprintf(stderr, "timelined: %s: verification FAILED\n%s", a.positional[0].c_str(),
                 summarizer::FormatVerifyReport(*report).c_str());
    return 1;
  }
  std::printf("%s: ok: %zu cited events, %zu source entries, input digest %s matches %s\n",
              a.positional[0].c_str(), report->cited_ids, report->appendix_entries,
              report->digest_in_draft.c_str(), c->store.path.c_str());
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  std::string cmd = argv[1];
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "version" || cmd == "--version") {
    std::puts("timelined 0.1.0");
    return 0;
  }
  auto args = ParseArgs(argc, argv, 2);
  if (!args) return Usage(args.error().detail);
  if (cmd == "serve") return CmdServe(*args);
  if (cmd == "check-config") return CmdCheckConfig(*args);
  if (cmd == "verify-store") return CmdVerifyStore(*args);
  if (cmd == "import") return CmdImport(*args);
  if (cmd == "export") return CmdExport(*args);
  if (cmd == "verify") return CmdVerify(*args);
  return Usage("unknown command '" + cmd + "'");
}

}  // namespace timelined::daemon
