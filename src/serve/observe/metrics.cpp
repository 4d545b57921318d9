#include "serve/observe/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace sluice::serve::observe {

namespace {

enum Kind { kCounterKind = 0, kGaugeKind = 1, kHistogramKind = 2 };

// Shortest text that reads back as the same double (Go's strconv.ParseFloat, which Prometheus uses, accepts
// the exponent form), with the spellings the exposition format requires for the special values.
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc() ? end : buf);
  }
}

void append_number(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

// Label values escape backslash, double quote and newline; HELP text escapes only backslash and newline.
void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

void append_header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, false);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// `{a="x",b="y"}`, or nothing for an empty set; `le` (histograms) goes last.
void append_labels(std::string& out, const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += key;
    out += "=\"";
    append_escaped(out, value, true);
    out += '"';
  }
  if (le != nullptr) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, const std::string& name, const Labels& labels, double v) {
  out += name;
  append_labels(out, labels);
  out += ' ';
  append_number(out, v);
  out += '\n';
}

}  // namespace

Counter::Counter(std::string name, std::string help) : name_(std::move(name)), help_(std::move(help)) {}

void Counter::inc(const Labels& labels, double by) {
  // A counter only goes up; a negative or NaN step would make rate() lie, so it is dropped.
  if (!(by >= 0)) return;
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  if (it == values_.end()) it = values_.emplace(labels, 0.0).first;
  it->second += by;
}

double Counter::value(const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

std::string Counter::render() const {
  std::string out;
  append_header(out, name_, help_, "counter");
  std::lock_guard lock(mu_);
  for (const auto& [labels, v] : values_) append_sample(out, name_, labels, v);
  return out;
}

Gauge::Gauge(std::string name, std::string help) : name_(std::move(name)), help_(std::move(help)) {}

void Gauge::set(const Labels& labels, double v) {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  if (it == values_.end()) {
    values_.emplace(labels, v);
  } else {
    it->second = v;
  }
}

void Gauge::add(const Labels& labels, double by) {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  if (it == values_.end()) it = values_.emplace(labels, 0.0).first;
  it->second += by;
}

double Gauge::value(const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0.0 : it->second;
}

std::string Gauge::render() const {
  std::string out;
  append_header(out, name_, help_, "gauge");
  std::lock_guard lock(mu_);
  for (const auto& [labels, v] : values_) append_sample(out, name_, labels, v);
  return out;
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> upper_bounds)
    : name_(std::move(name)), help_(std::move(help)), bounds_(std::move(upper_bounds)) {
  // The +Inf bucket is implicit; NaN or repeated bounds would render buckets Prometheus rejects.
  std::erase_if(bounds_, [](double b) { return std::isnan(b) || std::isinf(b); });
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
}

void Histogram::observe(const Labels& labels, double v) {
  // `le` is inclusive: v lands in the first bucket whose bound is >= v; NaN only in +Inf, as in the
  // official clients.
  size_t bucket =
      std::isnan(v)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  if (it == series_.end()) {
    Series s;
    s.buckets.assign(bounds_.size() + 1, 0);
    it = series_.emplace(labels, std::move(s)).first;
  }
  ++it->second.buckets[bucket];
  it->second.sum += v;
  ++it->second.count;
}

uint64_t Histogram::count(const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second.count;
}

double Histogram::sum(const Labels& labels) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0.0 : it->second.sum;
}

std::string Histogram::render() const {
  std::vector<std::string> les;
  les.reserve(bounds_.size() + 1);
  for (double b : bounds_) {
    std::string s;
    append_number(s, b);
    les.push_back(std::move(s));
  }
  les.emplace_back("+Inf");

  std::string out;
  append_header(out, name_, help_, "histogram");
  const std::string bucket_name = name_ + "_bucket";
  std::lock_guard lock(mu_);
  for (const auto& [labels, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.buckets.size(); ++i) {
      cumulative += s.buckets[i];
      out += bucket_name;
      append_labels(out, labels, &les[i]);
      out += ' ';
      append_number(out, cumulative);
      out += '\n';
    }
    append_sample(out, name_ + "_sum", labels, s.sum);
    out += name_;
    out += "_count";
    append_labels(out, labels);
    out += ' ';
    append_number(out, s.count);
    out += '\n';
  }
  return out;
}

namespace {

// Finds the family `name` of the wanted kind, or appends a new one and records its place in the order.
template <typename T, typename Make>
T& find_or_add(std::vector<std::unique_ptr<T>>& families, std::vector<std::pair<int, size_t>>& order,
               int kind, const std::string& name, Make make) {
  for (auto& family : families) {
    if (family->name() == name) return *family;
  }
  families.push_back(make());
  order.emplace_back(kind, families.size() - 1);
  return *families.back();
}

}  // namespace

Counter& Registry::counter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  return find_or_add(counters_, order_, kCounterKind, name,
                     [&] { return std::make_unique<Counter>(name, help); });
}

Gauge& Registry::gauge(const std::string& name, const std::string& help) {
  std::lock_guard lock(mu_);
  return find_or_add(gauges_, order_, kGaugeKind, name, [&] { return std::make_unique<Gauge>(name, help); });
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               std::vector<double> upper_bounds) {
  std::lock_guard lock(mu_);
  return find_or_add(histograms_, order_, kHistogramKind, name,
                     [&] { return std::make_unique<Histogram>(name, help, std::move(upper_bounds)); });
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [kind, index] : order_) {
    switch (kind) {
      case kCounterKind:
        out += counters_[index]->render();
        break;
      case kGaugeKind:
        out += gauges_[index]->render();
        break;
      default:
        out += histograms_[index]->render();
        break;
    }
  }
  return out;
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

}  // namespace sluice::serve::observe
