// Which annotations stand for a task in an export; annotations=consensus (see selection.h).
#include "src/formats/selection.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "tessera/quality.h"

namespace tessera::formats {
namespace {

using nlohmann::json;
namespace q = tessera::quality;

constexpr char kSep = '\x1f';

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Results that mark a region of the object (their ids are what per-region
// classifications point at).
bool IsRegionType(const std::string& type) {
  static const char* const kTools[] = {"rectangle", "polygon", "keypoint", "ellipse", "brush",
                                       "videorectangle", "bitmask", "magicwand"};
  if (EndsWith(type, "labels")) return true;
  return std::find(std::begin(kTools), std::end(kTools), type) != std::end(kTools);
}

bool IsClassificationType(const std::string& type) {
  static const char* const kTypes[] = {"choices", "textarea", "rating", "number",
                                       "datetime", "taxonomy", "pairwise", "ranker"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

std::string StringField(const json& item, const char* key) {
  auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool NumberField(const json& value, const char* key, double* out) {
  auto it = value.find(key);
  if (it == value.end() || !it->is_number()) return false;
  *out = it->get<double>();
  return true;
}

// The labels array of a region's value ("rectanglelabels", "labels"), sorted,
// as the grouping key; "" for a bare Rectangle.
std::string LabelKey(const json& value, const char* key) {
  auto it = value.find(key);
  if (it == value.end() || !it->is_array()) return "";
  json labels = *it;
  std::sort(labels.begin(), labels.end());
  return labels.dump();
}

// A whole-task classification's value, compared exactly; choices as a set.
json NormalizedValue(const json& item) {
  auto it = item.find("value");
  if (it == item.end()) return nullptr;
  json value = *it;
  auto choices = value.find("choices");
  if (choices != value.end() && choices->is_array()) std::sort(choices->begin(), choices->end());
  return value;
}

struct Votes {
  // Per distinct value (dumped): the number of members that gave it and the
  // items of the first that did.
  std::map<std::string, std::pair<size_t, std::vector<const json*>>> by_value;
  std::vector<std::string> order;  // values in the order first seen
};

json RegionItem(const json& first, size_t number) {
  json item = json::object();
  item["id"] = "consensus" + std::to_string(number);
  for (const char* key : {"from_name", "to_name", "type", "original_width", "original_height", "origin"}) {
    auto it = first.find(key);
    if (it != first.end()) item[key] = *it;
  }
  if (first.contains("original_width")) item["image_rotation"] = 0;
  return item;
}

}  // namespace

std::optional<Annotation> ConsensusAnnotation(const TaskBundle& bundle, Tally& skipped) {
  std::vector<const Annotation*> members;
  for (const Annotation& a : bundle.annotations) {
    if (!a.was_cancelled) members.push_back(&a);
  }
  if (members.empty()) return std::nullopt;
  std::stable_sort(members.begin(), members.end(), [](const Annotation* a, const Annotation* b) {
    return std::tie(a->created_at, a->id) < std::tie(b->created_at, b->id);
  });

  Annotation out;
  out.task_id = bundle.task.id;
  out.project_id = bundle.task.project_id;
  out.last_action = "consensus";
  out.created_at = members.front()->created_at;
  for (const Annotation* a : members) {
    out.lead_time += a->lead_time;
    out.created_at = std::min(out.created_at, a->created_at);
    out.updated_at = std::max(out.updated_at, a->updated_at);
  }
  if (members.size() == 1) {
    out.result = members.front()->result;
    return out;
  }

  const size_t quorum = members.size() / 2 + 1;
  std::vector<json> results;
  results.reserve(members.size());
  for (const Annotation* a : members) {
    json parsed = json::parse(a->result, nullptr, false);
    if (!parsed.is_array()) {
      skipped.Add("consensus: annotation whose result is not a JSON array");
      parsed = json::array();
    }
    results.push_back(std::move(parsed));
  }

  std::map<std::string, Votes> classifications;  // by from_name
  std::vector<std::string> control_order;
  std::vector<q::AnnotatorBox> boxes;
  std::vector<const json*> box_items;  // parallel to boxes
  std::vector<q::AnnotatorSpan> spans;
  std::vector<const json*> span_items;  // parallel to spans

  for (size_t m = 0; m < results.size(); ++m) {
    std::vector<std::string> region_ids;
    for (const json& item : results[m]) {
      if (item.is_object() && IsRegionType(StringField(item, "type"))) region_ids.push_back(StringField(item, "id"));
    }
    std::map<std::string, std::vector<const json*>> given;  // this member's classification items per control
    for (const json& item : results[m]) {
      if (!item.is_object()) continue;
      const std::string type = StringField(item, "type");
      const std::string from = StringField(item, "from_name");
      const std::string to = StringField(item, "to_name");
      const json empty = json::object();
      const json& value = item.contains("value") && item["value"].is_object() ? item["value"] : empty;
      if (IsClassificationType(type)) {
        const std::string id = StringField(item, "id");
        if (!id.empty() && std::find(region_ids.begin(), region_ids.end(), id) != region_ids.end()) {
          skipped.Add("consensus: per-region " + type + " (not merged yet)");
          continue;
        }
        given[from + kSep + to].push_back(&item);
        continue;
      }
      if (type == "rectanglelabels" || type == "rectangle") {
        double x, y, w, h, rotation = 0;
        if (!NumberField(value, "x", &x) || !NumberField(value, "y", &y) || !NumberField(value, "width", &w) ||
            !NumberField(value, "height", &h) || w < 0 || h < 0) {
          skipped.Add("consensus: box without x, y, width and height");
          continue;
        }
        NumberField(value, "rotation", &rotation);
        if (rotation != 0) {
          skipped.Add("consensus: rotated box (not merged yet)");
          continue;
        }
        const std::string group = from + kSep + to + kSep + type + kSep + LabelKey(value, "rectanglelabels");
        boxes.push_back({m, {{x, y, w, h}, group}});
        box_items.push_back(&item);
        continue;
      }
      if (type == "labels") {
        double start, end;
        if (!NumberField(value, "start", &start) || !NumberField(value, "end", &end) || start < 0 || end < start ||
            end > 9007199254740992.0) {  // 2^53: offsets past it are not character offsets
          skipped.Add("consensus: span without numeric start and end (HyperText spans are not merged yet)");
          continue;
        }
        const std::string group = from + kSep + to + kSep + LabelKey(value, "labels");
        spans.push_back({m, {group, static_cast<size_t>(start), static_cast<size_t>(end)}});
        span_items.push_back(&item);
        continue;
      }
      skipped.Add("consensus: " + (type.empty() ? std::string("untyped") : type) + " result (not merged yet)");
    }
    for (auto& [control, items] : given) {
      json values = json::array();
      for (const json* item : items) values.push_back(NormalizedValue(*item));
      std::sort(values.begin(), values.end());
      auto [it, inserted] = classifications.try_emplace(control);
      if (inserted) control_order.push_back(control);
      auto& [count, first_items] = it->second.by_value[values.dump()];
      if (count++ == 0) {
        first_items = items;
        it->second.order.push_back(values.dump());
      }
    }
  }

  json merged = json::array();
  for (const std::string& control : control_order) {
    const Votes& votes = classifications[control];
    const std::pair<size_t, std::vector<const json*>>* best = nullptr;
    for (const std::string& value : votes.order) {
      const auto& candidate = votes.by_value.at(value);
      if (!best || candidate.first > best->first) best = &candidate;
    }
    if (best && best->first >= quorum) {
      for (const json* item : best->second) merged.push_back(*item);
    } else {
      skipped.Add("consensus: no majority on \"" + control.substr(0, control.find(kSep)) + "\"");
    }
  }

  size_t number = 0;
  q::ConsensusOptions options;
  options.quorum = quorum;
  auto merged_boxes = q::BoxConsensus(boxes, options);
  size_t boxes_kept = 0;
  if (merged_boxes.ok()) {
    for (const q::ConsensusBox& c : *merged_boxes) {
      const json& first = *box_items[c.members.front()];
      json item = RegionItem(first, ++number);
      json value = first["value"];
      value["x"] = c.box.box.x;
      value["y"] = c.box.box.y;
      value["width"] = c.box.box.width;
      value["height"] = c.box.box.height;
      value["rotation"] = 0;
      item["value"] = std::move(value);
      merged.push_back(std::move(item));
      boxes_kept += c.members.size();
    }
  }
  if (boxes.size() > boxes_kept) {
    skipped.Add("consensus: box drawn by too few annotators", static_cast<int64_t>(boxes.size() - boxes_kept));
  }

  auto merged_spans = q::SpanConsensus(spans, options);
  size_t spans_kept = 0;
  if (merged_spans.ok()) {
    for (const q::ConsensusSpan& c : *merged_spans) {
      const json& first = *span_items[c.members.front()];
      json item = RegionItem(first, ++number);
      json value = first["value"];
      value["start"] = c.span.begin;
      value["end"] = c.span.end;
      value.erase("text");
      // The text of a member that marked exactly these offsets, if any.
      for (size_t member : c.members) {
        const json& v = (*span_items[member])["value"];
        if (v.value("start", -1.0) == static_cast<double>(c.span.begin) &&
            v.value("end", -1.0) == static_cast<double>(c.span.end) && v.contains("text")) {
          value["text"] = v["text"];
          break;
        }
      }
      item["value"] = std::move(value);
      merged.push_back(std::move(item));
      spans_kept += c.members.size();
    }
  }
  if (spans.size() > spans_kept) {
    skipped.Add("consensus: span marked by too few annotators", static_cast<int64_t>(spans.size() - spans_kept));
  }

  out.result = merged.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

std::vector<const Annotation*> SelectAnnotations(const TaskBundle& bundle, AnnotationSelection selection,
                                                 std::optional<Annotation>& consensus, Tally& skipped) {
  std::vector<const Annotation*> chosen;
  if (selection == AnnotationSelection::kConsensus) {
    consensus = ConsensusAnnotation(bundle, skipped);
    if (consensus) chosen.push_back(&*consensus);
    return chosen;
  }
  for (const Annotation& annotation : bundle.annotations) {
    if (annotation.was_cancelled) continue;
    if (selection == AnnotationSelection::kGroundTruth && !annotation.ground_truth) continue;
    if (selection == AnnotationSelection::kAccepted && annotation.review_state != "accepted" &&
        annotation.review_state != "fixed") {
      continue;
    }
    chosen.push_back(&annotation);
  }
  if (selection == AnnotationSelection::kLatest && chosen.size() > 1) {
    auto latest = std::max_element(chosen.begin(), chosen.end(), [](const Annotation* a, const Annotation* b) {
      return std::tie(a->updated_at, a->id) < std::tie(b->updated_at, b->id);
    });
    chosen = {*latest};
  }
  return chosen;
}

}  // namespace tessera::formats
