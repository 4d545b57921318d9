#include "etl/transform/step_support.h"

#include <utility>

namespace sluice::etl::internal {

common::Result<size_t> resolve_column(std::string_view step, const std::string& name, const Schema& schema) {
  const int index = find_column(schema, name);
  if (index < 0) {
    return common::not_found(std::string(step) + ": no column '" + name +
                             "' (columns: " + column_list(schema) + ")");
  }
  return static_cast<size_t>(index);
}

size_t place_output(Schema& schema, Field field) {
  const int existing = find_column(schema, field.name);
  if (existing >= 0) {
    schema[static_cast<size_t>(existing)] = std::move(field);
    return static_cast<size_t>(existing);
  }
  schema.push_back(std::move(field));
  return schema.size() - 1;
}

void store_column(Batch& batch, size_t index, std::vector<Value>&& column) {
  if (index == batch.columns.size()) {
    batch.columns.push_back(std::move(column));
  } else {
    batch.columns[index] = std::move(column);
  }
}

}  // namespace sluice::etl::internal
