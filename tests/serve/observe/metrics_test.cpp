#include "serve/observe/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace sluice::serve::observe {
namespace {

TEST(CounterTest, RendersHelpTypeAndOneLinePerLabelSet) {
  Counter c("sluice_requests_total", "Requests served.");
  c.inc({{"route", "/v1/classify"}, {"code", "200"}});
  c.inc({{"route", "/v1/classify"}, {"code", "200"}}, 2);
  c.inc({{"route", "/healthz"}, {"code", "200"}});
  EXPECT_EQ(c.value({{"route", "/v1/classify"}, {"code", "200"}}), 3);
  EXPECT_EQ(c.value({{"route", "/nope"}}), 0);
  EXPECT_EQ(c.render(),
            "# HELP sluice_requests_total Requests served.\n"
            "# TYPE sluice_requests_total counter\n"
            "sluice_requests_total{route=\"/healthz\",code=\"200\"} 1\n"
            "sluice_requests_total{route=\"/v1/classify\",code=\"200\"} 3\n");
}

TEST(CounterTest, NoLabelsRendersBareName) {
  Counter c("up_total", "x");
  c.inc({});
  EXPECT_EQ(c.render(), "# HELP up_total x\n# TYPE up_total counter\nup_total 1\n");
}

TEST(CounterTest, IgnoresNegativeAndNanSteps) {
  Counter c("c", "h");
  c.inc({}, 2.5);
  c.inc({}, -1);
  c.inc({}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(c.value({}), 2.5);
}

TEST(CounterTest, EmptyFamilyRendersOnlyHeader) {
  Counter c("c", "h");
  EXPECT_EQ(c.render(), "# HELP c h\n# TYPE c counter\n");
}

TEST(MetricsEscapingTest, LabelValuesEscapeBackslashQuoteNewline) {
  Counter c("c", "h");
  c.inc({{"path", "a\\b\"c\nd"}});
  EXPECT_EQ(c.render(), "# HELP c h\n# TYPE c counter\nc{path=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsEscapingTest, HelpEscapesBackslashAndNewlineButNotQuote) {
  Gauge g("g", "say \"hi\"\\\nbye");
  EXPECT_EQ(g.render(), "# HELP g say \"hi\"\\\\\\nbye\n# TYPE g gauge\n");
}

TEST(GaugeTest, SetAddAndFullPrecisionNumbers) {
  Gauge g("g", "h");
  g.set({{"m", "a"}}, 0.1);
  g.add({{"m", "a"}}, 0.2);  // 0.30000000000000004: must round-trip, not print as 0.3
  g.add({{"m", "b"}}, -4);
  g.set({{"m", "c"}}, 1e-7);
  g.set({{"m", "d"}}, 123456789012.0);
  g.set({{"m", "e"}}, std::numeric_limits<double>::infinity());
  g.set({{"m", "f"}}, -std::numeric_limits<double>::infinity());
  g.set({{"m", "g"}}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_DOUBLE_EQ(g.value({{"m", "a"}}), 0.1 + 0.2);
  EXPECT_EQ(g.render(),
            "# HELP g h\n# TYPE g gauge\n"
            "g{m=\"a\"} 0.30000000000000004\n"
            "g{m=\"b\"} -4\n"
            "g{m=\"c\"} 1e-07\n"
            "g{m=\"d\"} 123456789012\n"
            "g{m=\"e\"} +Inf\n"
            "g{m=\"f\"} -Inf\n"
            "g{m=\"g\"} NaN\n");
}

TEST(HistogramTest, CumulativeBucketsInfSumCount) {
  Histogram h("lat_seconds", "Latency.", {0.5, 0.1, 1});  // unsorted on purpose
  Labels l{{"model", "m"}};
  h.observe(l, 0.05);
  h.observe(l, 0.1);  // le is inclusive: lands in 0.1
  h.observe(l, 0.7);
  h.observe(l, 3);
  EXPECT_EQ(h.count(l), 4u);
  EXPECT_DOUBLE_EQ(h.sum(l), 3.85);
  EXPECT_EQ(h.render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{model=\"m\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{model=\"m\",le=\"0.5\"} 2\n"
            "lat_seconds_bucket{model=\"m\",le=\"1\"} 3\n"
            "lat_seconds_bucket{model=\"m\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{model=\"m\"} 3.85\n"
            "lat_seconds_count{model=\"m\"} 4\n");
}

TEST(HistogramTest, NoLabelsAndDuplicateOrInfiniteBounds) {
  Histogram h("h", "x", {1, 1, std::numeric_limits<double>::infinity()});
  h.observe({}, 2);
  h.observe({}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(h.render(),
            "# HELP h x\n# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 0\n"
            "h_bucket{le=\"+Inf\"} 2\n"
            "h_sum NaN\n"
            "h_count 2\n");
  EXPECT_EQ(h.count({{"other", "x"}}), 0u);
  EXPECT_EQ(h.sum({{"other", "x"}}), 0);
}

TEST(RegistryTest, RendersInRegistrationOrderAndReusesFamilies) {
  Registry r;
  Gauge& g = r.gauge("b_gauge", "G.");
  Counter& c = r.counter("a_total", "C.");
  Histogram& h = r.histogram("c_seconds", "H.", {1});
  EXPECT_EQ(&r.counter("a_total", "other help"), &c);
  EXPECT_EQ(&r.gauge("b_gauge", "G."), &g);
  EXPECT_EQ(&r.histogram("c_seconds", "H.", {5}), &h);
  g.set({}, 1);
  c.inc({});
  h.observe({}, 0.5);
  EXPECT_EQ(r.render(),
            "# HELP b_gauge G.\n# TYPE b_gauge gauge\nb_gauge 1\n"
            "# HELP a_total C.\n# TYPE a_total counter\na_total 1\n"
            "# HELP c_seconds H.\n# TYPE c_seconds histogram\n"
            "c_seconds_bucket{le=\"1\"} 1\nc_seconds_bucket{le=\"+Inf\"} 1\n"
            "c_seconds_sum 0.5\nc_seconds_count 1\n");
}

TEST(RegistryTest, LatencyBucketsAreSortedMillisecondsToThirtySeconds) {
  auto b = latency_buckets();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), 0.001);
  EXPECT_EQ(b.back(), 30);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
}

TEST(MetricsConcurrencyTest, ConcurrentUpdatesLoseNothing) {
  constexpr int kThreads = 8;
  constexpr int kIncs = 20000;
  Registry r;
  Counter& c = r.counter("c_total", "h");
  Gauge& g = r.gauge("g", "h");
  Histogram& h = r.histogram("h_seconds", "h", latency_buckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads share one label set, and each also has its own, so both the insert and the
      // update paths race.
      Labels own{{"thread", std::to_string(t)}};
      for (int i = 0; i < kIncs; ++i) {
        c.inc({{"shared", "yes"}});
        c.inc(own);
        g.add({}, 1);
        h.observe({}, 0.002);
        if (i % 1000 == 0) (void)r.render();  // rendering concurrently must be safe too
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value({{"shared", "yes"}}), kThreads * kIncs);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(c.value({{"thread", std::to_string(t)}}), kIncs);
  EXPECT_EQ(g.value({}), kThreads * kIncs);
  EXPECT_EQ(h.count({}), static_cast<uint64_t>(kThreads * kIncs));
}

}  // namespace
}  // namespace sluice::serve::observe
