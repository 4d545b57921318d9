#pragma once
// Constructors of every transform step. Adding a step: one .cpp in this folder, one declaration here, one
// entry in pipeline_file.cpp, one test file in tests/etl/transform/.
#include <memory>
#include <string>
#include <vector>

#include "etl/transform/step.h"

namespace sluice::etl {

// output = Python's ipaddress.ip_address(input).is_global, as a boolean (IPv4 and IPv6). A value that is
// not an address is a CellError. The input column is kept.
std::unique_ptr<Step> make_ip_is_public_step(std::string input, std::string output);

// output = the text of each input joined by separator; NULL if any input is NULL (as pandas' + does).
std::unique_ptr<Step> make_concat_step(std::vector<std::string> inputs, std::string separator,
                                       std::string output);

enum class HashAlgorithm { kMd5, kSha256, kHmacSha256 };
// output = lowercase hex digest of the input's UTF-8 text. For kHmacSha256, key is the secret (read by the
// caller from an environment variable; never logged).
std::unique_ptr<Step> make_hash_step(std::string input, std::string output, HashAlgorithm algorithm,
                                     std::string key = {});

std::unique_ptr<Step> make_drop_step(std::vector<std::string> columns);

// Renames columns: pairs of (from, to).
std::unique_ptr<Step> make_rename_step(std::vector<std::pair<std::string, std::string>> renames);

}  // namespace sluice::etl
