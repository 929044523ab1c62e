// Pieces of ValidateResult(), split by what they check. Internal to
// src/config.
#ifndef TESSERA_SRC_CONFIG_RESULT_CHECKS_H_
#define TESSERA_SRC_CONFIG_RESULT_CHECKS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "tessera/config.h"

namespace tessera::config_internal {

// One result item being checked, with what it refers to.
struct ResultItem {
  size_t index = 0;
  std::string from_name;
  std::string to_name;
  std::string type;                     // lower case
  const LabelingConfig* config = nullptr;
  const ControlTag* control = nullptr;
  const ObjectTag* object = nullptr;    // nullptr when to_name is the control itself
};

// "result[3] from_name="tag": <message>"
Status ItemError(const ResultItem& item, const std::string& message);

// "<RectangleLabels name="tag">"
std::string Describe(const ControlTag& control);

// JSON type names for messages: "a string", "an object", "null".
std::string JsonKind(const nlohmann::json& value);

// result_values.cc: geometry, spans and scalar answers in `value`.
Status CheckValueShape(const ResultItem& item, const nlohmann::json& value);

// result_labels.cc: label/choice values belong to the control's options.
Status CheckValueLabels(const ResultItem& item, const nlohmann::json& value);

}  // namespace tessera::config_internal

#endif  // TESSERA_SRC_CONFIG_RESULT_CHECKS_H_
