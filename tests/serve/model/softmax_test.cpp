#include "serve/model/softmax.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace sluice::serve::model {
namespace {

TEST(SoftmaxTest, MatchesTheDefinition) {
  std::vector<float> row{1.0f, 2.0f, 3.0f};
  ASSERT_TRUE(softmax_rows(row.data(), 1, 3).is_ok());
  const double sum = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(row[0], std::exp(1.0) / sum, 1e-7);
  EXPECT_NEAR(row[1], std::exp(2.0) / sum, 1e-7);
  EXPECT_NEAR(row[2], std::exp(3.0) / sum, 1e-7);
}

TEST(SoftmaxTest, LargeLogitsNeitherOverflowNorUnderflow) {
  // exp(1000) overflows float; exp(-1000) underflows to 0 for every entry without the max subtraction.
  std::vector<float> rows{1000.0f, 999.0f, 998.0f, -1000.0f, -1001.0f, -1002.0f};
  ASSERT_TRUE(softmax_rows(rows.data(), 2, 3).is_ok());
  for (int r = 0; r < 2; ++r) {
    EXPECT_NEAR(rows[r * 3 + 0], 0.66524096f, 1e-6);
    EXPECT_NEAR(rows[r * 3 + 1], 0.24472847f, 1e-6);
    EXPECT_NEAR(rows[r * 3 + 2], 0.09003057f, 1e-6);
  }
}

TEST(SoftmaxTest, RowsAreIndependentAndSumToOne) {
  std::vector<float> rows(4 * 1000);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>((i * 7919) % 1000) / 50.0f - 10.0f;
  rows[2000] = 1e4f;  // one row dominated by a single logit
  ASSERT_TRUE(softmax_rows(rows.data(), 4, 1000).is_ok());
  for (int r = 0; r < 4; ++r) {
    double sum = std::accumulate(rows.begin() + r * 1000, rows.begin() + (r + 1) * 1000, 0.0);
    EXPECT_NEAR(sum, 1.0, 1e-5) << "row " << r;
  }
  EXPECT_FLOAT_EQ(rows[2000], 1.0f);
}

TEST(SoftmaxTest, EqualLogitsGiveTheUniformDistribution) {
  std::vector<float> row(10, 42.0f);
  ASSERT_TRUE(softmax_rows(row.data(), 1, 10).is_ok());
  for (float p : row) EXPECT_FLOAT_EQ(p, 0.1f);
}

TEST(SoftmaxTest, NonFiniteOutputIsAnError) {
  std::vector<float> nan_row{0.0f, std::numeric_limits<float>::quiet_NaN(), 1.0f};
  EXPECT_EQ(softmax_rows(nan_row.data(), 1, 3).code(), common::Code::kInternal);
  std::vector<float> inf_rows{0.0f, 1.0f, 2.0f, std::numeric_limits<float>::infinity(), 0.0f, 0.0f};
  common::Status st = softmax_rows(inf_rows.data(), 2, 3);
  EXPECT_EQ(st.code(), common::Code::kInternal);
  EXPECT_EQ(st.message(), "row 1 of the model's output is not finite");
}

}  // namespace
}  // namespace sluice::serve::model
