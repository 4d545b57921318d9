#pragma once
// Prometheus metrics (text exposition format 0.0.4). Debian 12 does package prometheus-cpp (1.0.1,
// prometheus-cpp-dev); this small writer stays until a switch is shown to keep the exposition that
// tests/serve/observe checks identical at no measurable latency, which has not been measured yet. Counters,
// gauges and histograms with label sets; every operation is thread-safe and cheap enough for the request path
// (a mutex per metric family; no allocation once a label set exists).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::serve::observe {

using Labels = std::vector<std::pair<std::string, std::string>>;  // in declaration order

class Counter {
 public:
  void inc(const Labels& labels, double by = 1);  // a negative or NaN `by` is ignored: counters only rise
  double value(const Labels& labels) const;       // 0 for an unseen label set
  // internal
  Counter(std::string name, std::string help);
  const std::string& name() const { return name_; }
  std::string render() const;

 private:
  std::string name_, help_;
  mutable std::mutex mu_;
  std::map<Labels, double> values_;
};

class Gauge {
 public:
  void set(const Labels& labels, double v);
  void add(const Labels& labels, double by);
  double value(const Labels& labels) const;
  Gauge(std::string name, std::string help);
  const std::string& name() const { return name_; }
  std::string render() const;

 private:
  std::string name_, help_;
  mutable std::mutex mu_;
  std::map<Labels, double> values_;
};

class Histogram {
 public:
  void observe(const Labels& labels, double v);
  uint64_t count(const Labels& labels) const;
  double sum(const Labels& labels) const;
  // Bounds are sorted and deduplicated; NaN and ±Inf are dropped (+Inf is always the implicit last bucket).
  Histogram(std::string name, std::string help, std::vector<double> upper_bounds);
  const std::string& name() const { return name_; }
  std::string render() const;  // cumulative _bucket{le=…} lines, +Inf, _sum, _count

 private:
  struct Series {
    std::vector<uint64_t> buckets;  // non-cumulative, one per bound plus +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  std::string name_, help_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<Labels, Series> series_;
};

// Owns the metric families; render() concatenates them in registration order. Asking again for a name already
// registered as the same kind returns that family (its first help text and bounds stay). Names and label keys
// are not validated: they are constants in our code, not user input; label values may be anything.
class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help);
  Gauge& gauge(const std::string& name, const std::string& help);
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds);
  std::string render() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Counter>> counters_;
  std::vector<std::unique_ptr<Gauge>> gauges_;
  std::vector<std::unique_ptr<Histogram>> histograms_;
  std::vector<std::pair<int, size_t>> order_;  // (kind, index)
};

// Bounds in seconds for request-phase latencies: 1 ms … 30 s.
std::vector<double> latency_buckets();

}  // namespace sluice::serve::observe
