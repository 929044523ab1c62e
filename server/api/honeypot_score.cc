#include "server/api/honeypot_score.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tessera/quality.h"

namespace tessera::server {

using nlohmann::json;
using quality::Box;
using quality::ChoicesExactMatch;
using quality::LabeledBox;
using quality::MatchBoxes;
using quality::MatchResult;

namespace {

// A result array split by control (from_name) and kind.
struct Parts {
  std::map<std::string, std::vector<std::string>> choices;  // from_name -> chosen values
  std::map<std::string, std::vector<LabeledBox>> boxes;     // from_name -> rectangles
  std::map<std::string, std::vector<std::string>> other;    // from_name -> value dumps
};

bool Split(const json& result, Parts* parts) {
  if (!result.is_array()) return false;
  for (const json& item : result) {
    if (!item.is_object()) return false;
    std::string from = item.value("from_name", "");
    std::string type = item.value("type", "");
    const json value = item.value("value", json::object());
    if (!value.is_object()) return false;
    if (type == "choices") {
      auto& chosen = parts->choices[from];
      for (const json& c : value.value("choices", json::array())) {
        if (c.is_string()) chosen.push_back(c.get<std::string>());
      }
    } else if (type == "rectanglelabels" || type == "rectangle") {
      LabeledBox box;
      box.box = Box{value.value("x", 0.0), value.value("y", 0.0), value.value("width", 0.0),
                    value.value("height", 0.0)};
      json labels = value.value("rectanglelabels", json::array());
      if (labels.is_array() && !labels.empty() && labels[0].is_string()) {
        box.label = labels[0].get<std::string>();
      }
      parts->boxes[from].push_back(std::move(box));
    } else {
      parts->other[from].push_back(type + ":" + value.dump());
    }
  }
  return true;
}

template <typename Map>
std::vector<std::string> Keys(const Map& a, const Map& b) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : a) keys.push_back(k);
  for (const auto& [k, v] : b) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

bool HoneypotCorrect(const json& ground_truth, const json& answer) {
  Parts gt, an;
  if (!Split(ground_truth, &gt) || !Split(answer, &an)) return false;
  for (const std::string& control : Keys(gt.choices, an.choices)) {
    if (ChoicesExactMatch(gt.choices[control], an.choices[control]) < 1) return false;
  }
  for (const std::string& control : Keys(gt.boxes, an.boxes)) {
    MatchResult m = MatchBoxes(gt.boxes[control], an.boxes[control]);
    if (!m.unmatched_reference.empty() || !m.unmatched_candidate.empty()) return false;
  }
  for (const std::string& control : Keys(gt.other, an.other)) {
    auto x = gt.other[control], y = an.other[control];
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    if (x != y) return false;
  }
  return true;
}

}  // namespace tessera::server
