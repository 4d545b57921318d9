#include "etl/transform/pipeline_file.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "test_support/temp_dir.h"

namespace sluice::etl {
namespace {

// The reference input: DATASET.xlsx's header, with the sheet's column letters as origins.
Schema reference_schema() {
  return {{"id", ColumnType::kUnknown, "A"},        {"first_name", ColumnType::kUnknown, "B"},
          {"last_name", ColumnType::kUnknown, "C"}, {"email", ColumnType::kUnknown, "D"},
          {"gender", ColumnType::kUnknown, "E"},    {"ip_address", ColumnType::kUnknown, "F"}};
}

Value text(const char* s) { return Value(std::string(s)); }

Batch reference_rows() {
  Batch batch;
  batch.columns = {
      {int64_t{1}, int64_t{2}, int64_t{3}},
      {text("Ada"), text("Alan"), Value{}},
      {text("Lovelace"), text("Turing"), text("Hopper")},
      {text("email@example.name"), Value{}, text("1234567890@example.com")},
      {text("Female"), text("Male"), text("Female")},
      {text("8.8.8.8"), text("192.168.0.1"), text("999.1.2.3")},
  };
  batch.source_rows = {2, 3, 4};
  return batch;
}

std::vector<std::string> names(const Schema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema) out.push_back(f.name);
  return out;
}

// Binds every step in turn, as the pipeline runner does.
common::Result<Schema> bind_all(const Pipeline& pipeline, Schema schema) {
  for (const auto& step : pipeline) {
    auto bound = step->bind(schema);
    if (!bound) return bound.status();
    schema = std::move(bound.value());
  }
  return schema;
}

std::string error_of(const std::string& toml) {
  auto parsed = parse_pipeline(toml, "pipeline.toml");
  EXPECT_FALSE(parsed.is_ok()) << "accepted:\n" << toml;
  if (parsed.is_ok()) return {};
  EXPECT_EQ(parsed.status().code(), common::Code::kInvalidArgument);
  return parsed.status().message();
}

constexpr const char* kReferenceFile = R"(
[[step]]
type = "ip_is_public"
input = "ip_address"
output = "is_public_ip"

[[step]]
type = "concat"
inputs = ["first_name", "last_name"]
separator = " "
output = "full_name"

[[step]]
type = "hash"
input = "email"
output = "obfuscated_email"
algorithm = "md5"

[[step]]
type = "drop"
columns = ["first_name", "last_name", "email"]

[[step]]
type = "rename"
columns = { gender = "sex" }
)";

TEST(ReferencePipelineTest, GivesThePythonProjectsColumnsAndValues) {
  Pipeline pipeline = reference_pipeline();
  ASSERT_EQ(pipeline.size(), 4u);
  EXPECT_EQ(pipeline[0]->describe(), "ip_is_public(ip_address) -> is_public_ip");
  EXPECT_EQ(pipeline[1]->describe(), "concat(first_name, last_name, separator=' ') -> full_name");
  EXPECT_EQ(pipeline[2]->describe(), "hash md5(email) -> obfuscated_email");
  EXPECT_EQ(pipeline[3]->describe(), "drop first_name, last_name, email");
  auto schema = bind_all(pipeline, reference_schema());
  ASSERT_TRUE(schema.is_ok()) << schema.status().message();
  EXPECT_EQ(names(*schema), (std::vector<std::string>{"id", "gender", "ip_address", "is_public_ip",
                                                      "full_name", "obfuscated_email"}));
  EXPECT_EQ((*schema)[2].origin, "F");

  Batch batch = reference_rows();
  std::vector<CellError> errors;
  for (const auto& step : pipeline) step->apply(batch, errors);
  ASSERT_EQ(batch.columns.size(), 6u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].row, 2u);
  EXPECT_EQ(errors[0].column, "ip_address");
  EXPECT_EQ(errors[0].origin, "F");
  EXPECT_EQ(errors[0].message, "'999.1.2.3' is not an IPv4 or IPv6 address");
  EXPECT_EQ(batch.columns[0], (std::vector<Value>{int64_t{1}, int64_t{2}, int64_t{3}}));
  EXPECT_EQ(batch.columns[1], (std::vector<Value>{text("Female"), text("Male"), text("Female")}));
  EXPECT_EQ(batch.columns[3], (std::vector<Value>{true, false, Value{}}));
  EXPECT_EQ(batch.columns[4], (std::vector<Value>{text("Ada Lovelace"), text("Alan Turing"), Value{}}));
  EXPECT_EQ(batch.columns[5], (std::vector<Value>{text("2ef659be1fc27bd70f99043e7ad2a27a"), Value{},
                                                  text("59556d584ddf28283824ab6e9f1b3076")}));
}

TEST(PipelineFileTest, ParsesEveryStepType) {
  auto parsed = parse_pipeline(kReferenceFile, "pipeline.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  const Pipeline& pipeline = *parsed;
  ASSERT_EQ(pipeline.size(), 5u);
  EXPECT_EQ(pipeline[0]->describe(), "ip_is_public(ip_address) -> is_public_ip");
  EXPECT_EQ(pipeline[1]->describe(), "concat(first_name, last_name, separator=' ') -> full_name");
  EXPECT_EQ(pipeline[2]->describe(), "hash md5(email) -> obfuscated_email");
  EXPECT_EQ(pipeline[3]->describe(), "drop first_name, last_name, email");
  EXPECT_EQ(pipeline[4]->describe(), "rename gender -> sex");
  auto schema = bind_all(pipeline, reference_schema());
  ASSERT_TRUE(schema.is_ok()) << schema.status().message();
  EXPECT_EQ(names(*schema), (std::vector<std::string>{"id", "sex", "ip_address", "is_public_ip", "full_name",
                                                      "obfuscated_email"}));
}

TEST(PipelineFileTest, DefaultsAlgorithmToMd5AndSeparatorToNothing) {
  auto parsed = parse_pipeline(R"(
[[step]]
type = "hash"
input = "email"
output = "h"
[[step]]
type = "concat"
inputs = ["first_name", "last_name"]
output = "n"
[[step]]
type = "hash"
input = "email"
output = "s"
algorithm = "sha256"
)",
                               "p.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  EXPECT_EQ((*parsed)[0]->describe(), "hash md5(email) -> h");
  EXPECT_EQ((*parsed)[1]->describe(), "concat(first_name, last_name, separator='') -> n");
  EXPECT_EQ((*parsed)[2]->describe(), "hash sha256(email) -> s");
}

TEST(PipelineFileTest, AnEmptyStepArrayIsAPipelineThatChangesNothing) {
  auto parsed = parse_pipeline("step = []\n", "p.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  EXPECT_TRUE(parsed->empty());
}

TEST(PipelineFileTest, ErrorsNameTheFileTheStepAndTheKey) {
  EXPECT_EQ(error_of(R"(
[[step]]
type = "drop"
columns = ["a"]
[[step]]
type = "drop"
columns = ["b"]
[[step]]
type = "hash"
input = "email"
output = "h"
algorithm = "sha1"
)"),
            "pipeline.toml: step 3 (hash): unknown algorithm 'sha1' (expected md5, sha256 or hmac-sha256)");
  EXPECT_EQ(error_of("[[step]]\ntype = \"ip_is_public\"\ninput = \"ip\"\nouptut = \"x\"\n"),
            "pipeline.toml: step 1 (ip_is_public): unknown key 'ouptut' (expected type, input, output)");
  EXPECT_EQ(error_of("[[step]]\ntype = \"ip_is_public\"\ninput = \"ip\"\n"),
            "pipeline.toml: step 1 (ip_is_public): missing key 'output'");
  EXPECT_EQ(error_of("[[step]]\ntype = \"ip_is_public\"\ninput = 3\noutput = \"x\"\n"),
            "pipeline.toml: step 1 (ip_is_public): key 'input' must be a string, not an integer");
  EXPECT_EQ(error_of("[[step]]\ntype = \"ip_is_public\"\ninput = \"\"\noutput = \"x\"\n"),
            "pipeline.toml: step 1 (ip_is_public): key 'input' must not be empty");
  EXPECT_EQ(error_of("[[step]]\ntype = \"hsah\"\n"),
            "pipeline.toml: step 1: unknown step type 'hsah' (expected ip_is_public, concat, hash, drop or "
            "rename)");
  EXPECT_EQ(
      error_of("[[step]]\ninput = \"x\"\n"),
      "pipeline.toml: step 1: missing key 'type' (expected ip_is_public, concat, hash, drop or rename)");
  EXPECT_EQ(error_of("[[step]]\ntype = 1\n"),
            "pipeline.toml: step 1: key 'type' must be a string, not an integer");
}

TEST(PipelineFileTest, ListKeysMustBeNonEmptyArraysOfNames) {
  const std::string concat_expected =
      "pipeline.toml: step 1 (concat): key 'inputs' must be a non-empty array of column names, e.g. inputs = "
      "[\"first_name\", \"last_name\"]";
  EXPECT_EQ(error_of("[[step]]\ntype = \"concat\"\ninputs = \"first_name\"\noutput = \"x\"\n"),
            concat_expected);
  EXPECT_EQ(error_of("[[step]]\ntype = \"concat\"\ninputs = []\noutput = \"x\"\n"), concat_expected);
  EXPECT_EQ(error_of("[[step]]\ntype = \"concat\"\ninputs = [\"a\", 2]\noutput = \"x\"\n"), concat_expected);
  EXPECT_EQ(error_of("[[step]]\ntype = \"concat\"\noutput = \"x\"\n"),
            "pipeline.toml: step 1 (concat): missing key 'inputs' (key 'inputs' must be a non-empty array of "
            "column names, e.g. inputs = [\"first_name\", \"last_name\"])");
  EXPECT_EQ(error_of("[[step]]\ntype = \"concat\"\ninputs = [\"a\"]\nseparator = 1\noutput = \"x\"\n"),
            "pipeline.toml: step 1 (concat): key 'separator' must be a string, not an integer");
  EXPECT_EQ(
      error_of("[[step]]\ntype = \"drop\"\ncolumns = [\"\"]\n"),
      "pipeline.toml: step 1 (drop): key 'columns' must be a non-empty array of column names, e.g. columns "
      "= [\"first_name\", \"last_name\"]");
  EXPECT_EQ(error_of("[[step]]\ntype = \"drop\"\ncolumn = [\"a\"]\n"),
            "pipeline.toml: step 1 (drop): unknown key 'column' (expected type, columns)");
}

TEST(PipelineFileTest, RenameTakesATableOfOldToNewNames) {
  auto parsed = parse_pipeline(R"(
[[step]]
type = "rename"
columns = { gender = "sex", "ip address" = "ip" }
)",
                               "p.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  const std::string description = (*parsed)[0]->describe();
  EXPECT_NE(description.find("gender -> sex"), std::string::npos) << description;
  EXPECT_NE(description.find("ip address -> ip"), std::string::npos) << description;

  const std::string expected =
      "pipeline.toml: step 1 (rename): key 'columns' must be a non-empty table of old name = \"new name\", "
      "e.g. "
      "columns = { gender = \"sex\" }";
  EXPECT_EQ(error_of("[[step]]\ntype = \"rename\"\ncolumns = [\"gender\", \"sex\"]\n"), expected);
  EXPECT_EQ(error_of("[[step]]\ntype = \"rename\"\ncolumns = {}\n"), expected);
  EXPECT_EQ(error_of("[[step]]\ntype = \"rename\"\ncolumns = { gender = 1 }\n"), expected);
  EXPECT_EQ(error_of("[[step]]\ntype = \"rename\"\ncolumns = { gender = \"\" }\n"), expected);
}

TEST(PipelineFileTest, AcceptsAByteOrderMarkAndWindowsLineEnds) {
  // What Notepad saves.
  auto parsed =
      parse_pipeline("\xef\xbb\xbf[[step]]\r\ntype = \"drop\"\r\ncolumns = [\"email\"]\r\n", "p.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  EXPECT_EQ((*parsed)[0]->describe(), "drop email");
}

TEST(PipelineFileTest, SyntaxErrorsGiveLineAndColumn) {
  const std::string message = error_of("[[step]]\ntype = \"drop\"\ncolumns = [\"a\",\n\n  oops]\n");
  EXPECT_EQ(message.rfind("pipeline.toml:5:3: invalid TOML: ", 0), 0u) << message;
}

TEST(PipelineFileTest, TheFileHoldsOnlySteps) {
  EXPECT_EQ(error_of("stpe = []\n"),
            "pipeline.toml: unknown key 'stpe' (a pipeline file holds only [[step]] tables)");
  EXPECT_EQ(error_of(""),
            "pipeline.toml: no [[step]] tables (write step = [] for a pipeline that changes nothing)");
  EXPECT_EQ(error_of("[step]\ntype = \"drop\"\ncolumns = [\"a\"]\n"),
            "pipeline.toml: 'step' must be an array of tables: write [[step]], not [step]");
  EXPECT_EQ(error_of("step = [1]\n"), "pipeline.toml: step 1: must be a table, not an integer");
}

class HmacKeyTest : public ::testing::Test {
 protected:
  static constexpr const char* kVariable = "SLUICE_TEST_PIPELINE_HASH_KEY";
  void TearDown() override { unsetenv(kVariable); }

  static std::string hmac_file(const std::string& extra) {
    return "[[step]]\ntype = \"hash\"\ninput = \"email\"\noutput = \"h\"\nalgorithm = \"hmac-sha256\"\n" +
           extra;
  }
};

TEST_F(HmacKeyTest, ReadsTheKeyFromTheNamedVariable) {
  setenv(kVariable, "Jefe", 1);
  auto parsed = parse_pipeline(hmac_file("key_env = \"SLUICE_TEST_PIPELINE_HASH_KEY\"\n"), "p.toml");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  Pipeline& pipeline = *parsed;
  EXPECT_EQ(pipeline[0]->describe(), "hash hmac-sha256(email) -> h");
  ASSERT_TRUE(pipeline[0]->bind({{"email", ColumnType::kUnknown, "A"}}).is_ok());
  // Changing the variable afterwards does not change the step: the key was read once.
  setenv(kVariable, "other", 1);
  Batch batch;
  batch.columns = {{text("what do ya want for nothing?")}};
  batch.source_rows = {2};
  std::vector<CellError> errors;
  pipeline[0]->apply(batch, errors);
  EXPECT_EQ(batch.columns[1][0], text("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
}

TEST_F(HmacKeyTest, AMissingUnsetOrEmptyKeyIsAnErrorThatNeverShowsTheKey) {
  EXPECT_EQ(
      error_of(hmac_file("")),
      "pipeline.toml: step 1 (hash): missing key 'key_env' (algorithm 'hmac-sha256' needs the name of the "
      "environment variable that holds the secret key, e.g. key_env = \"SLUICE_HASH_KEY\")");
  const std::string with_env = hmac_file("key_env = \"SLUICE_TEST_PIPELINE_HASH_KEY\"\n");
  EXPECT_EQ(
      error_of(with_env),
      "pipeline.toml: step 1 (hash): environment variable 'SLUICE_TEST_PIPELINE_HASH_KEY' (key_env) is not "
      "set; it must hold the secret key for hmac-sha256");
  setenv(kVariable, "", 1);
  EXPECT_EQ(error_of(with_env),
            "pipeline.toml: step 1 (hash): environment variable 'SLUICE_TEST_PIPELINE_HASH_KEY' (key_env) is "
            "empty; it must hold the secret key for hmac-sha256");
  // With the key set, a later error in the same file must not print it.
  setenv(kVariable, "TOP-SECRET-VALUE", 1);
  const std::string message = error_of(with_env + "colour = \"red\"\n");
  EXPECT_EQ(message.find("TOP-SECRET-VALUE"), std::string::npos) << message;
  EXPECT_EQ(message,
            "pipeline.toml: step 1 (hash): unknown key 'colour' (expected type, input, output, algorithm, "
            "key_env)");
}

TEST_F(HmacKeyTest, KeyEnvWithAnUnkeyedAlgorithmIsAnError) {
  setenv(kVariable, "k", 1);
  EXPECT_EQ(error_of("[[step]]\ntype = \"hash\"\ninput = \"e\"\noutput = \"h\"\n"
                     "key_env = \"SLUICE_TEST_PIPELINE_HASH_KEY\"\n"),
            "pipeline.toml: step 1 (hash): key 'key_env' is only used by algorithm 'hmac-sha256'");
}

TEST(PipelineFileTest, LoadsAFileAndReportsAMissingOne) {
  testing::TempDir dir;
  const std::string path = dir.write("pipeline.toml", kReferenceFile);
  auto loaded = load_pipeline_file(path);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  EXPECT_EQ(loaded->size(), 5u);

  const std::string bad = dir.write("bad.toml", "[[step]]\ntype = \"drop\"\ncolumns = []\n");
  auto failed = load_pipeline_file(bad);
  ASSERT_FALSE(failed.is_ok());
  EXPECT_EQ(failed.status().message().rfind(bad + ": step 1 (drop): key 'columns'", 0), 0u)
      << failed.status().message();

  auto missing = load_pipeline_file(dir.file("nope.toml"));
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), common::Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            dir.file("nope.toml") + ": cannot open the pipeline file: No such file or directory");

  auto directory = load_pipeline_file(dir.path());
  ASSERT_FALSE(directory.is_ok());
  EXPECT_EQ(directory.status().message(), dir.path() + ": cannot read the pipeline file: Is a directory");
}

}  // namespace
}  // namespace sluice::etl

// Found by fuzz/pipeline_file_fuzz.cpp: toml++ 3.3.0 asserts (UB under NDEBUG) on these table headers.
TEST(PipelineFileTest, RefusesATableHeaderWithoutAName) {
  for (const char* text : {"[\n", "[[=", "[[[1]]]\n", "[[step]]\ntype = \"drop\"\n[ \t\n"}) {
    auto parsed = sluice::etl::parse_pipeline(text, "p.toml");
    ASSERT_FALSE(parsed.is_ok()) << text;
    EXPECT_NE(parsed.status().message().find("p.toml:"), std::string::npos) << parsed.status().message();
  }
}
