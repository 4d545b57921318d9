#pragma once
// Helpers that every transform step shares for bind() and apply(); not part of the steps' interface.
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "etl/batch.h"

namespace sluice::etl::internal {

// The index of column `name` in schema, or kNotFound "<step>: no column '<name>' (columns: a, b, ...)".
common::Result<size_t> resolve_column(std::string_view step, const std::string& name, const Schema& schema);

// Where a derived column goes, as pandas' df[name] = ... puts it: over the existing column of that name, in
// its position, or else appended at the end. Updates schema and returns the index.
size_t place_output(Schema& schema, Field field);

// Stores a derived column at the index place_output() gave: appended when that index is one past the batch's
// last column, otherwise replacing that column.
void store_column(Batch& batch, size_t index, std::vector<Value>&& column);

}  // namespace sluice::etl::internal
