#pragma once
// .env files, read as python-dotenv's `dotenv run` reads them (the reference project's launcher):
// KEY=VALUE lines, optional `export `, '#' comments, single quotes (literal), double quotes (with \n, \t,
// \", \\ escapes and line breaks), ${VAR} expansion in unquoted and double-quoted values. Like `dotenv run`,
// values from the file override variables already set in the environment.
#include <map>
#include <string>

#include "common/status.h"

namespace sluice::common {

// Parses text; errors name path and line ("app.env:3: expected KEY=VALUE").
Result<std::map<std::string, std::string>> parse_env_file(const std::string& text, const std::string& path);
// Reads path and sets each variable in this process's environment.
Status load_env_file(const std::string& path);

}  // namespace sluice::common
