#include "daemon/cli.h"

#include <librdkafka/rdkafka.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/version.hpp>
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/kubernetes/kubectl_import.h"
#include "connectors/logs/log_parser.h"
#include "daemon/app.h"
#include "daemon/config/config.h"
#include "daemon/config/describe_keys.h"
#include "daemon/drafts_service.h"
#include "daemon/logging.h"
#include "daemon/serve.h"
#include "store/local_feed.h"
#include "store/sqlite_store.h"
#include "summarizer/config.h"
#include "summarizer/draft.h"
#include "summarizer/verify.h"

namespace timelined::daemon {
namespace {

constexpr size_t kKeysWidth = 100;  // check-config --keys wraps its lines at this width

// One entry per command: its usage (printed by `timelined COMMAND --help` and in the
// overview), the options it accepts and how many positional arguments it takes. Anything
// else on its command line is a usage error (exit 2), never silently ignored.
struct OptionSpec {
  std::string_view name;  // "--config"
  bool takes_value;
};

struct CommandSpec {
  std::string_view name;
  std::string_view usage;  // synopsis and description, as printed
  std::vector<OptionSpec> options;
  size_t min_positional;
  size_t max_positional;
};

const std::vector<CommandSpec>& Commands() {
  static const auto* const kCommands = new std::vector<CommandSpec>{
      {"serve",
       R"(  serve [--config FILE] [--listen HOST:PORT] [--db PATH] [--ready-file FILE]
        [--role all|ingest|store]
                          run the daemon (no config: 127.0.0.1:8080, data/timelined.db);
                          all (default): ingest and store in one process (through Kafka
                          when [kafka] brokers is set); ingest: produce to Kafka, no
                          SQLite; store: consume Kafka into SQLite and serve reads.
                          SIGTERM/SIGINT: /readyz 503 for [server] drain_ms, then stop
)",
       {{"--config", true},
        {"--listen", true},
        {"--db", true},
        {"--ready-file", true},
        {"--role", true}},
       0,
       0},
      {"check-config",
       R"(  check-config FILE       validate a config file; exit 1 naming the first problem
  check-config --keys     list every config key with its type, default and meaning
)",
       {{"--keys", false}},
       0,
       1},
      {"import",
       R"(  import FILE [--config FILE | --db PATH]
                          store kubectl event JSON (-o json or -w -o json) or NDJSON/JSON
                          log lines from FILE (- for stdin), redacted like any ingest
)",
       {{"--config", true}, {"--db", true}},
       1,
       1},
      {"export",
       R"(  export INCIDENT [--format md|json] [--version N] [--config FILE | --db PATH]
                          print the incident's stored draft (latest, or version N); with no
                          stored draft, print an unsaved preview built now (noted on stderr)
)",
       {{"--format", true}, {"--version", true}, {"--config", true}, {"--db", true}},
       1,
       1},
      {"verify",
       R"(  verify FILE.md [--strict] [--config FILE | --db PATH]
                          check an exported draft against the store: every cited event
                          exists, hashes and the input digest match; exit 1 naming the line.
                          Then compare its rows with the draft as generated (the stored
                          version its header names): unchanged, edited, added by hand,
                          removed; --strict: exit 1 on any of the last three
)",
       {{"--strict", false}, {"--config", true}, {"--db", true}},
       1,
       1},
      {"verify-store",
       R"(  verify-store [--config FILE | --db PATH]
                          re-hash the evidence chain; exit 1 on any broken link or when
                          there is no store at the path (none is created)
)",
       {{"--config", true}, {"--db", true}},
       0,
       0},
      {"version",
       R"(  version                 print the version and build information (also --version)
)",
       {},
       0,
       0},
      {"help",
       R"(  help [COMMAND]          print this help, or one command's (also COMMAND --help)
)",
       {},
       0,
       1},
  };
  return *kCommands;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::string FullUsage() {
  std::string out =
      "usage: timelined <command> [options]   (options: --name VALUE or --name=VALUE)\n\n"
      "commands:\n";
  for (const CommandSpec& c : Commands()) out += c.usage;
  out += "\n`timelined COMMAND --help` prints one command's usage.\n";
  return out;
}

std::string CommandUsage(const CommandSpec& c) {
  return "usage: timelined " + std::string(c.name) + " ...\n\n" + std::string(c.usage);
}

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name value; flags map to "1"
  bool help = false;
};

// Parses argv[first..] against the command's spec: `--name VALUE`, `--name=VALUE`, flags,
// `--help`/`-h`, `--` (everything after it is positional), `-` (a positional: stdin). An
// unknown option, a repeated one, a missing value, a value given to a flag or a positional
// argument the command does not take is an error naming it.
Result<Args> ParseArgs(const CommandSpec& spec, int argc, char** argv, int first) {
  Args a;
  auto bad = [](std::string what) {
    return MakeError(ErrorCode::kInvalidInput, "usage", std::move(what));
  };
  // --help wins over anything else on the line (an unknown option next to it included).
  for (int i = first; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      a.help = true;
      return a;
    }
  }
  bool options_done = false;
  for (int i = first; i < argc; ++i) {
    std::string s = argv[i];
    if (options_done || s == "-" || s.empty() || s[0] != '-') {
      a.positional.push_back(std::move(s));
      continue;
    }
    if (s == "--") {
      options_done = true;
      continue;
    }
    if (s.rfind("--", 0) != 0) {
      return bad("unknown option " + s + " for " + std::string(spec.name) +
                 " (options are spelled --name)");
    }
    std::string name = s;
    std::optional<std::string> value;
    if (auto eq = s.find('='); eq != std::string::npos) {
      name = s.substr(0, eq);
      value = s.substr(eq + 1);
    }
    auto opt = std::find_if(spec.options.begin(), spec.options.end(),
                            [&](const OptionSpec& o) { return o.name == name; });
    if (opt == spec.options.end()) {
      return bad("unknown option " + name + " for " + std::string(spec.name));
    }
    if (a.options.contains(name)) return bad("option " + name + " given twice");
    if (!opt->takes_value) {
      if (value) return bad("option " + name + " takes no value");
      a.options[name] = "1";
      continue;
    }
    if (!value) {
      // `--config --db x` is a forgotten value, not a file named "--db".
      if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--")) {
        return bad("option " + name + " needs a value");
      }
      value = argv[++i];
    }
    a.options[name] = std::move(*value);
  }
  if (a.positional.size() > spec.max_positional) {
    return bad("unexpected argument '" + a.positional[spec.max_positional] + "' for " +
               std::string(spec.name));
  }
  if (a.positional.size() < spec.min_positional) {
    return bad(std::string(spec.name) + " needs " +
               (spec.min_positional == 1 ? "an argument" : "more arguments"));
  }
  return a;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "timelined: %s\n", what.c_str());
  return 1;
}

// A usage error: the problem, then the usage (of the command when known), exit 2.
int Usage(const std::string& what, const CommandSpec* spec = nullptr) {
  std::string usage = spec != nullptr ? CommandUsage(*spec) : FullUsage();
  std::fprintf(stderr, "timelined: %s\n\n%s", what.c_str(), usage.c_str());
  return 2;
}

std::string VersionText() {
#if defined(__clang__)
  const std::string compiler = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  const std::string compiler = std::string("GCC ") + __VERSION__;
#else
  const std::string compiler = "unknown compiler";
#endif
#if defined(NDEBUG)
  const char* assertions = "assertions off";
#else
  const char* assertions = "assertions on";
#endif
  const std::string build_type = TIMELINED_BUILD_TYPE;
  std::string out = std::string("timelined ") + TIMELINED_VERSION + "\n";
  out += "build: " + (build_type.empty() ? std::string("no build type") : build_type) + ", " +
         compiler + ", C++ " + std::to_string(__cplusplus) + ", " + assertions + "\n";
  out += std::string("libraries: SQLite ") + sqlite3_libversion() + ", librdkafka " +
         rd_kafka_version_str() + ", Boost " + std::to_string(BOOST_VERSION / 100000) + "." +
         std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100) +
         "\n";
  return out;
}

// The config (file, then --listen/--db/--ready-file over it), validated. ParseArgs has already
// refused any option the command does not take.
Result<config::Config> LoadFromArgs(const Args& a) {
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
  if (auto v = config::ValidateConfig(c); !v) return std::unexpected(v.error());
  return c;
}

int CmdServe(const Args& a) {
  Role role = Role::kAll;
  if (auto it = a.options.find("--role"); it != a.options.end()) {
    auto parsed = ParseRole(it->second);
    if (!parsed)
      return Usage("unknown role '" + it->second + "' (expected all, ingest or store)",
                   FindCommand("serve"));
    role = *parsed;
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
  const CommandSpec* spec = FindCommand("check-config");
  if (a.options.count("--keys")) {
    if (!a.positional.empty()) return Usage("check-config --keys takes no FILE", spec);
    std::fputs(config::DescribeKeys(kKeysWidth).c_str(), stdout);
    return 0;
  }
  if (a.positional.size() != 1) return Usage("check-config needs exactly one FILE", spec);
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
        std::make_move_iterator(events->begin() + static_cast<std::ptrdiff_t>(i)),
        std::make_move_iterator(events->begin() +
                                static_cast<std::ptrdiff_t>(std::min(total, i + kChunk))));
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

// Opens an existing store: the commands that only read (verify-store, export, verify) never
// create one, so a mistyped path is an error naming it instead of an empty store that
// "verifies".
Result<std::unique_ptr<store::SqliteEventStore>> OpenExisting(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return MakeError(ErrorCode::kNotFound, "no_store",
                     "no store at " + path + " (check --db or [store] path; nothing was created)");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return MakeError(ErrorCode::kInvalidInput, "no_store", path + " is not a store file");
  }
  store::StoreOptions o;
  o.path = path;
  o.reader_connections = 2;
  return store::SqliteEventStore::Open(o);
}

int CmdVerifyStore(const Args& a) {
  auto c = LoadFromArgs(a);
  if (!c) return Fail(c.error().detail.empty() ? c.error().message : c.error().detail);
  auto st = OpenExisting(c->store.path);
  if (!st) return Fail(st.error().detail);
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
              static_cast<unsigned long long>(report->events_checked), c->store.path.c_str());
  return 0;
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
  // Nothing is stored, so no stored citation list exists to check a compact Markdown
  // against: a preview links and lists every citation (verify checks it on its own).
  summarizer::SummarizerConfig config = config::ToSummarizerConfig(c);
  config.limits.full_citations = true;
  auto d = summarizer::BuildDraft(**inc, config, st, meta, now);
  if (!d) return std::unexpected(d.error());
  return markdown ? std::move(d->markdown) : std::move(d->json);
}

int CmdExport(const Args& a) {
  const CommandSpec* spec = FindCommand("export");
  auto c = LoadFromArgs(a);
  if (!c) return Fail(c.error().detail.empty() ? c.error().message : c.error().detail);
  SetUpLogging("warn", c->log.format);  // stdout is the draft; keep stderr for problems
  const std::string format = a.options.contains("--format") ? a.options.at("--format") : "md";
  if (format != "md" && format != "json") return Usage("--format is md or json", spec);
  int version = 0;
  if (auto it = a.options.find("--version"); it != a.options.end()) {
    auto [p, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), version);
    if (ec != std::errc() || p != it->second.data() + it->second.size() || version < 1) {
      return Usage("--version is a positive draft version number", spec);
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
  auto c = LoadFromArgs(a);
  if (!c) return Fail(c.error().detail.empty() ? c.error().message : c.error().detail);
  SetUpLogging("warn", c->log.format);
  const bool strict = a.options.contains("--strict");
  std::ifstream in(a.positional[0], std::ios::binary);
  if (!in) return Fail("cannot read " + a.positional[0]);
  std::stringstream text;
  text << in.rdbuf();
  const std::string md = text.str();
  auto st = OpenExisting(c->store.path);
  if (!st) return Fail(st.error().detail);
  // The draft as generated, named by the header: a compact Markdown links only some of its
  // citations and is checked against its citation list; every draft's rows are compared
  // with its Markdown.
  std::optional<store::StoredDraft> generated;
  std::string no_generated;  // why rows are not compared
  if (auto ref = summarizer::DraftRefOf(md); !ref) {
    no_generated = "the header names no incident and draft version";
  } else {
    auto d = (*st)->GetDraft(ref->incident_id, ref->version);
    if (!d) return Fail(d.error().detail);
    if (d->has_value()) {
      generated = std::move(**d);
    } else {
      no_generated = "the store holds no draft " + ref->incident_id + " version " +
                     std::to_string(ref->version);
    }
  }
  std::optional<std::vector<std::string>> stored;
  if (summarizer::IsCompactDraft(md)) {
    if (!generated) {
      return Fail(a.positional[0] + ": " + no_generated +
                  ", whose citations a compact draft is checked against");
    }
    auto cited = summarizer::CitationsOfJson(generated->json);
    if (!cited) return Fail("stored draft: " + cited.error().detail);
    stored = std::move(*cited);
  }
  auto report = summarizer::VerifyMarkdown(md, **st, stored ? &*stored : nullptr);
  if (!report) return Fail(a.positional[0] + ": " + report.error().detail);
  if (!report->ok()) {
    std::fprintf(stderr, "timelined: %s: verification FAILED\n%s", a.positional[0].c_str(),
                 summarizer::FormatVerifyReport(*report).c_str());
    return 1;
  }
  if (stored) {
    std::printf(
        "%s: ok: %zu linked events, %zu cited by the stored draft, input digest %s matches %s\n",
        a.positional[0].c_str(), report->cited_ids, stored->size(), report->digest_in_draft.c_str(),
        c->store.path.c_str());
  } else {
    std::printf("%s: ok: %zu cited events, %zu source entries, input digest %s matches %s\n",
                a.positional[0].c_str(), report->cited_ids, report->appendix_entries,
                report->digest_in_draft.c_str(), c->store.path.c_str());
  }
  if (generated && generated->input_digest != report->digest_in_draft) {
    // Another draft under that number (an unsaved preview, or a header changed by hand):
    // comparing its rows would only list differences.
    no_generated = "the file is not draft " + generated->incident_id + " version " +
                   std::to_string(generated->version) + " as stored (its input digest is " +
                   generated->input_digest + ")";
    generated.reset();
  }
  if (!generated) {
    std::printf("rows not compared: %s\n", no_generated.c_str());
    if (strict) {
      std::fprintf(stderr, "timelined: %s: --strict needs the generated draft to compare with\n",
                   a.positional[0].c_str());
      return 1;
    }
    return 0;
  }
  const summarizer::RowReport rows = summarizer::CompareRows(md, generated->markdown);
  std::fputs(summarizer::FormatRowReport(rows).c_str(), stdout);
  if (strict && !rows.clean()) {
    std::fprintf(stderr, "timelined: %s: rows differ from the generated draft (--strict)\n",
                 a.positional[0].c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (argc < 2) return Usage("missing command");
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h") {
    std::fputs(FullUsage().c_str(), stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::fputs(VersionText().c_str(), stdout);
    return 0;
  }
  const CommandSpec* spec = FindCommand(cmd);
  if (spec == nullptr) return Usage("unknown command '" + cmd + "'");
  auto args = ParseArgs(*spec, argc, argv, 2);
  if (!args) return Usage(args.error().detail, spec);
  if (args->help) {
    std::fputs(CommandUsage(*spec).c_str(), stdout);
    return 0;
  }
  if (cmd == "help") {
    if (args->positional.empty()) {
      std::fputs(FullUsage().c_str(), stdout);
      return 0;
    }
    const CommandSpec* about = FindCommand(args->positional[0]);
    if (about == nullptr) return Usage("unknown command '" + args->positional[0] + "'");
    std::fputs(CommandUsage(*about).c_str(), stdout);
    return 0;
  }
  if (cmd == "version") {
    std::fputs(VersionText().c_str(), stdout);
    return 0;
  }
  if (cmd == "serve") return CmdServe(*args);
  if (cmd == "check-config") return CmdCheckConfig(*args);
  if (cmd == "verify-store") return CmdVerifyStore(*args);
  if (cmd == "import") return CmdImport(*args);
  if (cmd == "export") return CmdExport(*args);
  if (cmd == "verify") return CmdVerify(*args);
  return Usage("unknown command '" + cmd + "'");
}

}  // namespace timelined::daemon
