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

std::vector<HoneypotScore> ScoreHoneypotAnswers(const std::vector<Annotation>& annotations) {
  std::vector<HoneypotScore> out;
  std::vector<size_t> truths;
  for (size_t idx = 0; idx < annotations.size(); ++idx) {
    if (annotations[idx].ground_truth) truths.push_back(idx);
  }
  if (truths.empty()) return out;
  out.assign(annotations.size(), HoneypotScore::kNone);
  std::map<size_t, json> parsed;  // ground truths read so far, by position
  for (size_t idx = 0; idx < annotations.size(); ++idx) {
    const Annotation& answer = annotations[idx];
    if (answer.ground_truth || answer.was_cancelled || answer.completed_by <= 0) continue;
    const Annotation* truth = nullptr;
    size_t truth_idx = 0;
    for (size_t t : truths) {
      const Annotation& g = annotations[t];
      if (g.completed_by > 0 && g.completed_by == answer.completed_by) continue;
      if (truth == nullptr || g.id > truth->id) {
        truth = &g;
        truth_idx = t;
      }
    }
    if (truth == nullptr) continue;
    auto [at, fresh] = parsed.try_emplace(truth_idx);
    if (fresh) at->second = json::parse(truth->result, nullptr, false);
    out[idx] = HoneypotCorrect(at->second, json::parse(answer.result, nullptr, false)) ? HoneypotScore::kRight
                                                                                         : HoneypotScore::kWrong;
  }
  return out;
}

}  // namespace tessera::server
