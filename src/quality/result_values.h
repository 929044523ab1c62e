// The values of Label Studio result items as the project agreement
// (project_agreement.cc) reads them, from results parsed with simdjson (on a
// 10M-task project the agreement cache parses 3M of them in a whole read).
// Values compare as JSON values, as nlohmann compares them: numbers by value
// whatever their type, objects by their members in any order; answers that
// are not text are keyed by nlohmann's dump(). Stateless functions.
#ifndef TESSERA_SRC_QUALITY_RESULT_VALUES_H_
#define TESSERA_SRC_QUALITY_RESULT_VALUES_H_

#include <optional>
#include <string>
#include <vector>

#include <simdjson.h>

#include "tessera/agreement.h"

namespace tessera::result_values {

// One result item's "value" object, which every measure below reads.
using Value = simdjson::dom::object;
using Element = simdjson::dom::element;

// The values of the result items of one control in one annotation's result
// (items whose "from_name" is the control and whose "value" is an object).
std::vector<Value> ItemsOf(Element result, const std::string& control);

// A categorical answer (choices or taxonomy, sorted and joined by " | "),
// or nullopt.
std::optional<std::string> CategoryKey(const std::vector<Value>& items);

// The number under `key` of the first item, or nullopt.
std::optional<double> NumericAnswer(const std::vector<Value>& items, const char* key);

// F1 of an optimal matching between two annotators' regions (same label;
// polygon or box IoU, equal span offsets, keypoints within the radius).
double RegionF1(const std::vector<Value>& a, const std::vector<Value>& b, const AgreementOptions& options);

// The text of text-area items, joined.
std::string JoinedText(const std::vector<Value>& items);

}  // namespace tessera::result_values

#endif  // TESSERA_SRC_QUALITY_RESULT_VALUES_H_
