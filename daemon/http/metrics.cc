#include "daemon/http/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace timelined::http {

struct MetricsRegistry::Family {
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    double value = 0;               // counters and gauges
    std::vector<uint64_t> buckets;  // histograms: per-bucket (not cumulative), bounds + 1
    double sum = 0;
    uint64_t count = 0;
  };
  Type type = Type::kCounter;
  std::string help;
  std::vector<double> bounds;  // ascending, finite; +Inf is implicit
  std::map<Labels, Series> series;
};

namespace {

using Family = MetricsRegistry::Family;

constexpr std::array<double, 11> kDefaultBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                   0.5,   1,    2.5,   5,    10};

// Label order does not make a different series: {a,b} and {b,a} are one.
Labels Canonical(Labels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
  return std::string(buf, res.ptr);
}

void AppendEscaped(std::string& out, std::string_view s, bool escape_quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// name{a="x",b="y",le="0.5"} value
void AppendSample(std::string& out, std::string_view name, const Labels& labels,
                  const std::pair<std::string, std::string>* extra, std::string_view value) {
  out += name;
  if (!labels.empty() || extra != nullptr) {
    out += '{';
    bool first = true;
    auto add = [&](const std::pair<std::string, std::string>& kv) {
      if (!first) out += ',';
      first = false;
      out += kv.first;
      out += "=\"";
      AppendEscaped(out, kv.second, true);
      out += '"';
    };
    for (const auto& kv : labels) add(kv);
    if (extra != nullptr) add(*extra);
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

void RenderHistogram(std::string& out, const std::string& name, const Family& f,
                     const Labels& labels, const Family::Series& s) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < s.buckets.size(); ++i) {
    cumulative += s.buckets[i];
    std::pair<std::string, std::string> le{
        "le", i < f.bounds.size() ? FormatDouble(f.bounds[i]) : "+Inf"};
    AppendSample(out, name + "_bucket", labels, &le, std::to_string(cumulative));
  }
  AppendSample(out, name + "_sum", labels, nullptr, FormatDouble(s.sum));
  AppendSample(out, name + "_count", labels, nullptr, std::to_string(s.count));
}

const char* TypeName(Family::Type t) {
  switch (t) {
    case Family::Type::kCounter:
      return "counter";
    case Family::Type::kGauge:
      return "gauge";
    case Family::Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

std::shared_ptr<Family> MakeFamily(Family::Type type, const std::string& help,
                                   std::vector<double> bounds) {
  auto f = std::make_shared<Family>();
  f->type = type;
  f->help = help;
  if (type == Family::Type::kHistogram) {
    std::erase_if(bounds, [](double b) { return !std::isfinite(b); });
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    f->bounds = std::move(bounds);
  }
  return f;
}

}  // namespace

void MetricsRegistry::DeclareCounter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  families_.try_emplace(name, MakeFamily(Family::Type::kCounter, help, {}));
}

void MetricsRegistry::DeclareGauge(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  families_.try_emplace(name, MakeFamily(Family::Type::kGauge, help, {}));
}

void MetricsRegistry::DeclareHistogram(const std::string& name, const std::string& help,
                                       std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  if (families_.contains(name)) return;
  families_.emplace(name, MakeFamily(Family::Type::kHistogram, help, std::move(bounds)));
}

void MetricsRegistry::Add(const std::string& name, const Labels& labels, double value) {
  if (!(value >= 0)) return;  // counters only go up; also rejects NaN
  std::lock_guard lock(mu_);
  auto [it, inserted] = families_.try_emplace(name, nullptr);
  if (inserted) it->second = MakeFamily(Family::Type::kCounter, "", {});
  if (it->second->type == Family::Type::kHistogram) return;
  it->second->series[Canonical(labels)].value += value;
}

void MetricsRegistry::Set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = families_.try_emplace(name, nullptr);
  if (inserted) it->second = MakeFamily(Family::Type::kGauge, "", {});
  if (it->second->type == Family::Type::kHistogram) return;
  it->second->series[Canonical(labels)].value = value;
}

void MetricsRegistry::Observe(const std::string& name, const Labels& labels, double value) {
  if (std::isnan(value)) return;
  std::lock_guard lock(mu_);
  auto [it, inserted] = families_.try_emplace(name, nullptr);
  if (inserted)
    it->second = MakeFamily(Family::Type::kHistogram, "",
                            std::vector<double>(kDefaultBounds.begin(), kDefaultBounds.end()));
  Family& f = *it->second;
  if (f.type != Family::Type::kHistogram) return;
  Family::Series& s = f.series[Canonical(labels)];
  s.buckets.resize(f.bounds.size() + 1);
  size_t i = std::lower_bound(f.bounds.begin(), f.bounds.end(), value) - f.bounds.begin();
  ++s.buckets[i];
  s.sum += value;
  ++s.count;
}

double MetricsRegistry::Value(const std::string& name, const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second->series.find(Canonical(labels));
  if (s == it->second->series.end()) return 0;
  if (it->second->type == Family::Type::kHistogram) return static_cast<double>(s->second.count);
  return s->second.value;
}

void MetricsRegistry::AddCollector(std::function<void(MetricsRegistry&)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

void MetricsRegistry::SetHistogram(const std::string& name, const Labels& labels,
                                   const std::vector<uint64_t>& cumulative, double sum) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end() || it->second->type != Family::Type::kHistogram) return;
  Family& f = *it->second;
  if (cumulative.size() != f.bounds.size() + 1) return;
  Family::Series& s = f.series[Canonical(labels)];
  s.buckets.assign(cumulative.size(), 0);
  uint64_t prev = 0;
  for (size_t i = 0; i < cumulative.size(); ++i) {
    // A non-monotonic input is a caller bug; clamp rather than render a decreasing series.
    uint64_t c = std::max(cumulative[i], prev);
    s.buckets[i] = c - prev;
    prev = c;
  }
  s.count = prev;
  s.sum = sum;
}

std::string MetricsRegistry::RenderPrometheus() {
  std::vector<std::function<void(MetricsRegistry&)>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
  }
  // Collectors call Set/Add, which take mu_: run them unlocked.
  for (auto& c : collectors) c(*this);

  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const Family& f = *family;
    if (f.series.empty()) continue;
    if (!f.help.empty()) {
      out += "# HELP " + name + " ";
      AppendEscaped(out, f.help, false);
      out += '\n';
    }
    out += "# TYPE " + name + " " + TypeName(f.type) + "\n";
    for (const auto& [labels, series] : f.series) {
      if (f.type == Family::Type::kHistogram) {
        RenderHistogram(out, name, f, labels, series);
      } else {
        AppendSample(out, name, labels, nullptr, FormatDouble(series.value));
      }
    }
  }
  return out;
}

}  // namespace timelined::http
