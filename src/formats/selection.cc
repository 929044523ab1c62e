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

// Votes on one control's value: per distinct value (dumped), the number of
// voters that gave it and the items of the first that did.
struct Votes {
  std::map<std::string, std::pair<size_t, std::vector<const json*>>> by_value;
  std::vector<std::string> order;  // values in the order first seen

  void Add(const std::vector<const json*>& items) {
    json values = json::array();
    for (const json* item : items) values.push_back(NormalizedValue(*item));
    std::sort(values.begin(), values.end());
    auto& [count, first_items] = by_value[values.dump()];
    if (count++ == 0) {
      first_items = items;
      order.push_back(values.dump());
    }
  }
  // The items of the value given by at least `quorum` voters, or null.
  const std::vector<const json*>* Winner(size_t quorum) const {
    const std::pair<size_t, std::vector<const json*>>* best = nullptr;
    for (const std::string& value : order) {
      const auto& candidate = by_value.at(value);
      if (!best || candidate.first > best->first) best = &candidate;
    }
    return best && best->first >= quorum ? &best->second : nullptr;
  }
};

std::string ControlName(const std::string& key) { return key.substr(0, key.find(kSep)); }

// A merged region's item: "consensus<number>" as its id and the first
// member's from_name, to_name, type and image size.
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

// Merges the results of a task's voters (see selection.h).
class ConsensusBuilder {
 public:
  ConsensusBuilder(size_t voters, Tally& skipped) : quorum_(voters / 2 + 1), skipped_(skipped) {}

  // One voter's result array; the items must outlive Build().
  void AddVoter(const json& result) {
    const size_t voter = voter_count_++;
    std::vector<std::string> region_ids;
    for (const json& item : result) {
      if (item.is_object() && IsRegionType(StringField(item, "type"))) region_ids.push_back(StringField(item, "id"));
    }
    std::map<std::string, std::vector<const json*>> given;  // whole-task classifications per control
    for (const json& item : result) {
      if (!item.is_object()) continue;
      const std::string type = StringField(item, "type");
      const std::string id = StringField(item, "id");
      const std::string control = StringField(item, "from_name") + kSep + StringField(item, "to_name");
      const json empty = json::object();
      const json& value = item.contains("value") && item["value"].is_object() ? item["value"] : empty;
      if (IsClassificationType(type)) {
        if (!id.empty() && std::find(region_ids.begin(), region_ids.end(), id) != region_ids.end()) {
          per_region_[{voter, id}][control].push_back(&item);
        } else {
          given[control].push_back(&item);
        }
      } else if (type == "rectanglelabels" || type == "rectangle") {
        AddBox(voter, control + kSep + type, item, value);
      } else if (type == "polygonlabels" || type == "polygon") {
        AddPolygon(voter, control + kSep + type, item, value);
      } else if (type == "labels") {
        AddSpan(voter, control, item, value);
      } else {
        skipped_.Add("consensus: " + (type.empty() ? std::string("untyped") : type) + " result (not merged yet)");
      }
    }
    for (const auto& [control, items] : given) {
      auto [it, inserted] = classifications_.try_emplace(control);
      if (inserted) control_order_.push_back(control);
      it->second.Add(items);
    }
  }

  json Build() {
    json merged = json::array();
    for (const std::string& control : control_order_) {
      if (const auto* items = classifications_[control].Winner(quorum_)) {
        for (const json* item : *items) merged.push_back(*item);
      } else {
        skipped_.Add("consensus: no majority on \"" + ControlName(control) + "\"");
      }
    }
    q::ConsensusOptions options;
    options.quorum = quorum_;
    size_t kept = 0;
    if (auto clusters = q::BoxConsensus(boxes_, options); clusters.ok()) {
      for (const q::ConsensusBox& c : *clusters) {
        const json& first = *box_refs_[c.members.front()].item;
        json item = RegionItem(first, next_id_ + 1);
        json value = first["value"];
        value["x"] = c.box.box.x;
        value["y"] = c.box.box.y;
        value["width"] = c.box.box.width;
        value["height"] = c.box.box.height;
        value["rotation"] = 0;
        item["value"] = std::move(value);
        Emit(std::move(item), c.members, box_refs_, merged);
        kept += c.members.size();
      }
    }
    if (boxes_.size() > kept) {
      skipped_.Add("consensus: box drawn by too few annotators", static_cast<int64_t>(boxes_.size() - kept));
    }
    kept = 0;
    if (auto clusters = q::PolygonConsensus(polygons_, options); clusters.ok()) {
      for (const q::ConsensusPolygon& c : *clusters) {
        const json& medoid = *polygon_refs_[c.medoid].item;
        json item = RegionItem(medoid, next_id_ + 1);
        item["value"] = medoid["value"];
        Emit(std::move(item), c.members, polygon_refs_, merged);
        kept += c.members.size();
      }
    }
    if (polygons_.size() > kept) {
      skipped_.Add("consensus: polygon drawn by too few annotators", static_cast<int64_t>(polygons_.size() - kept));
    }
    kept = 0;
    if (auto clusters = q::SpanConsensus(spans_, options); clusters.ok()) {
      for (const q::ConsensusSpan& c : *clusters) {
        const json& first = *span_refs_[c.members.front()].item;
        json item = RegionItem(first, next_id_ + 1);
        json value = first["value"];
        value["start"] = c.span.begin;
        value["end"] = c.span.end;
        value.erase("text");
        // The text of a member that marked exactly these offsets, if any.
        for (size_t member : c.members) {
          const json& v = (*span_refs_[member].item)["value"];
          if (v.value("start", -1.0) == static_cast<double>(c.span.begin) &&
              v.value("end", -1.0) == static_cast<double>(c.span.end) && v.contains("text")) {
            value["text"] = v["text"];
            break;
          }
        }
        item["value"] = std::move(value);
        Emit(std::move(item), c.members, span_refs_, merged);
        kept += c.members.size();
      }
    }
    if (spans_.size() > kept) {
      skipped_.Add("consensus: span marked by too few annotators", static_cast<int64_t>(spans_.size() - kept));
    }
    return merged;
  }

 private:
  // A region input: whose it is and its item.
  struct RegionRef {
    size_t voter = 0;
    const json* item = nullptr;
  };

  void AddBox(size_t voter, const std::string& group, const json& item, const json& value) {
    double x, y, w, h, rotation = 0;
    if (!NumberField(value, "x", &x) || !NumberField(value, "y", &y) || !NumberField(value, "width", &w) ||
        !NumberField(value, "height", &h) || w < 0 || h < 0) {
      skipped_.Add("consensus: box without x, y, width and height");
      return;
    }
    NumberField(value, "rotation", &rotation);
    if (rotation != 0) {
      skipped_.Add("consensus: rotated box (not merged yet)");
      return;
    }
    boxes_.push_back({voter, {{x, y, w, h}, group + kSep + LabelKey(value, "rectanglelabels")}});
    box_refs_.push_back({voter, &item});
  }

  void AddPolygon(size_t voter, const std::string& group, const json& item, const json& value) {
    q::Polygon polygon;
    auto points = value.find("points");
    if (points != value.end() && points->is_array()) {
      for (const json& point : *points) {
        if (!point.is_array() || point.size() < 2 || !point[0].is_number() || !point[1].is_number()) {
          polygon.clear();
          break;
        }
        polygon.push_back({point[0].get<double>(), point[1].get<double>()});
      }
    }
    if (polygon.size() < 3 || value.value("closed", true) == false) {
      skipped_.Add("consensus: polygon without 3 or more [x, y] points, or an open polyline");
      return;
    }
    polygons_.push_back({voter, {std::move(polygon), group + kSep + LabelKey(value, "polygonlabels")}});
    polygon_refs_.push_back({voter, &item});
  }

  void AddSpan(size_t voter, const std::string& group, const json& item, const json& value) {
    double start, end;
    if (!NumberField(value, "start", &start) || !NumberField(value, "end", &end) || start < 0 || end < start ||
        end > 9007199254740992.0) {  // 2^53: offsets past it are not character offsets
      skipped_.Add("consensus: span without numeric start and end (HyperText spans are not merged yet)");
      return;
    }
    spans_.push_back({voter, {group + kSep + LabelKey(value, "labels"), static_cast<size_t>(start),
                              static_cast<size_t>(end)}});
    span_refs_.push_back({voter, &item});
  }

  // Appends a merged region and, per control, the per-region classification
  // (attributes, per-region choices, ...) that most of its members gave it.
  void Emit(json item, const std::vector<size_t>& members, const std::vector<RegionRef>& refs, json& merged) {
    const std::string id = item["id"].get<std::string>();
    ++next_id_;
    merged.push_back(std::move(item));
    std::map<std::string, Votes> votes;
    std::vector<std::string> order;
    for (size_t member : members) {
      auto found = per_region_.find({refs[member].voter, StringField(*refs[member].item, "id")});
      if (found == per_region_.end()) continue;
      for (const auto& [control, items] : found->second) {
        auto [it, inserted] = votes.try_emplace(control);
        if (inserted) order.push_back(control);
        it->second.Add(items);
      }
    }
    const size_t quorum = members.size() / 2 + 1;
    for (const std::string& control : order) {
      const auto* items = votes[control].Winner(quorum);
      if (!items) {
        skipped_.Add("consensus: no majority on per-region \"" + ControlName(control) + "\"");
        continue;
      }
      for (const json* chosen : *items) {
        json copy = *chosen;
        copy["id"] = id;
        merged.push_back(std::move(copy));
      }
    }
  }

  const size_t quorum_;
  Tally& skipped_;
  size_t voter_count_ = 0;
  size_t next_id_ = 0;
  std::map<std::string, Votes> classifications_;  // whole-task, by control
  std::vector<std::string> control_order_;
  // Per-region classification items by (voter, region id), then control.
  std::map<std::pair<size_t, std::string>, std::map<std::string, std::vector<const json*>>> per_region_;
  std::vector<q::AnnotatorBox> boxes_;
  std::vector<RegionRef> box_refs_;  // parallel to boxes_
  std::vector<q::AnnotatorPolygon> polygons_;
  std::vector<RegionRef> polygon_refs_;
  std::vector<q::AnnotatorSpan> spans_;
  std::vector<RegionRef> span_refs_;
};

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

  std::vector<json> results;
  results.reserve(members.size());  // the builder keeps pointers into these
  for (const Annotation* a : members) {
    json parsed = json::parse(a->result, nullptr, false);
    if (!parsed.is_array()) {
      skipped.Add("consensus: annotation whose result is not a JSON array");
      parsed = json::array();
    }
    results.push_back(std::move(parsed));
  }
  ConsensusBuilder builder(members.size(), skipped);
  for (const json& result : results) builder.AddVoter(result);
  out.result = builder.Build().dump(-1, ' ', false, json::error_handler_t::replace);
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
