#pragma once
// MetricsRegistry: counters, gauges and histograms rendered as Prometheus text.
// Label sets are bounded by the callers (route patterns, sources, reasons). Thread-safe.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace timelined::http {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Label order does not matter ({a,b} and {b,a} are one series). Add/Set/Observe on an
// undeclared name declare it (counter/gauge/histogram with default bounds, no help); a call
// of the wrong kind (Add on a histogram) and negative counter increments are ignored.
// Rendering omits families with no series; families sort by name, series by labels.
class MetricsRegistry {
 public:
  // Declares a metric family (once; later calls with the same name are no-ops).
  void DeclareCounter(const std::string& name, const std::string& help);
  void DeclareGauge(const std::string& name, const std::string& help);
  void DeclareHistogram(const std::string& name, const std::string& help,
                        std::vector<double> bounds);

  void Add(const std::string& name, const Labels& labels, double value = 1);
  void Set(const std::string& name, const Labels& labels, double value);
  void Observe(const std::string& name, const Labels& labels, double value);
  // For tests: a counter's or gauge's value, a histogram's count; 0 when absent.
  double Value(const std::string& name, const Labels& labels = {}) const;

  // Collectors run at render time to set gauges/counters from other components' stats.
  void AddCollector(std::function<void(MetricsRegistry&)> collector);
  // Sets a histogram from precomputed cumulative bucket counts (len = bounds + 1).
  void SetHistogram(const std::string& name, const Labels& labels,
                    const std::vector<uint64_t>& cumulative, double sum);

  std::string RenderPrometheus();

  struct Family;  // one metric family; opaque, defined in metrics.cc

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Family>> families_;
  std::vector<std::function<void(MetricsRegistry&)>> collectors_;
};

}  // namespace timelined::http
