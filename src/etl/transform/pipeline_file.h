#pragma once
// The declarative pipeline: the reference project's steps by default, or a TOML file (docs/pipeline-file.md).
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "etl/transform/step.h"

namespace sluice::etl {

using Pipeline = std::vector<std::unique_ptr<Step>>;

// ip_is_public(ip_address -> is_public_ip), concat(first_name " " last_name -> full_name),
// hash md5(email -> obfuscated_email), drop(first_name, last_name, email).
Pipeline reference_pipeline();

// Parses a pipeline file. Errors name the file, the step number and the key.
common::Result<Pipeline> load_pipeline_file(const std::string& path);
// Same, from text (path is only used in messages).
common::Result<Pipeline> parse_pipeline(const std::string& text, const std::string& path);

}  // namespace sluice::etl
