// Reading the values of Label Studio result items for the agreement (see
// result_values.h).
#include "src/quality/result_values.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tessera/quality.h"

namespace tessera::result_values {

namespace q = quality;
using nlohmann::json;

namespace {

// The member `key` of `value`, or nullopt.
std::optional<Element> Member(Value value, std::string_view key) {
  Element out;
  if (value.at_key(key).get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::optional<double> NumberOf(std::optional<Element> e) {
  double out = 0;
  if (!e || !e->is_number() || e->get_double().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

double Num(Value v, const char* key) { return NumberOf(Member(v, key)).value_or(0.0); }

// JSON equality as nlohmann's operator== has it (numbers by value, whatever
// their type; objects by their members, in any order).
bool SameJson(Element a, Element b) {
  if (a.is_number() && b.is_number()) {
    int64_t ia = 0, ib = 0;
    if (a.get_int64().get(ia) == simdjson::SUCCESS && b.get_int64().get(ib) == simdjson::SUCCESS) return ia == ib;
    return *NumberOf(a) == *NumberOf(b);
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string_view(a) == std::string_view(b);
    case simdjson::dom::element_type::BOOL:
      return bool(a) == bool(b);
    case simdjson::dom::element_type::NULL_VALUE:
      return true;
    case simdjson::dom::element_type::ARRAY: {
      simdjson::dom::array x = a, y = b;
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
        if (!SameJson(*i, *j)) return false;
      return true;
    }
    case simdjson::dom::element_type::OBJECT: {
      simdjson::dom::object x = a, y = b;
      if (x.size() != y.size()) return false;
      for (auto [key, value] : x) {
        Element other;
        if (y.at_key(key).get(other) != simdjson::SUCCESS || !SameJson(value, other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// Two optional members equal as nlohmann's value(key, json()) compares
// them: a missing one reads as null.
bool SameOrBothNull(std::optional<Element> a, std::optional<Element> b) {
  auto null = [](const std::optional<Element>& e) { return !e || e->is_null(); };
  if (null(a) || null(b)) return null(a) && null(b);
  return SameJson(*a, *b);
}

// An element as nlohmann's dump() writes it (for answers that are not text).
std::string Dump(Element e) { return json::parse(simdjson::to_string(e)).dump(); }

// The first label of a region item, whatever its labels key is called.
std::string RegionLabel(Value value) {
  for (const char* key : {"rectanglelabels", "polygonlabels", "keypointlabels", "labels",
                          "hypertextlabels", "paragraphlabels", "ellipselabels"}) {
    simdjson::dom::array labels;
    std::string_view first;
    if (value.at_key(key).get_array().get(labels) == simdjson::SUCCESS && labels.size() > 0) {
      if (labels.at(0).get_string().get(first) == simdjson::SUCCESS) return std::string(first);
    }
  }
  return "";
}

// The polygon of a region's "points" ([x, y] pairs; others left out).
q::Polygon PointsOf(Value v) {
  q::Polygon out;
  simdjson::dom::array points;
  if (v.at_key("points").get_array().get(points) != simdjson::SUCCESS) return out;
  for (Element p : points) {
    simdjson::dom::array xy;
    if (p.get_array().get(xy) != simdjson::SUCCESS || xy.size() < 2) continue;
    std::optional<double> x = NumberOf(xy.at(0).value_unsafe()), y = NumberOf(xy.at(1).value_unsafe());
    if (x && y) out.push_back({*x, *y});
  }
  return out;
}

}  // namespace

// The values of the result items of one control in one annotation (items
// whose "from_name" is the control and whose "value" is an object).
std::vector<Value> ItemsOf(Element result, const std::string& control) {
  std::vector<Value> out;
  simdjson::dom::array items;
  if (result.get_array().get(items) != simdjson::SUCCESS) return out;
  for (Element item : items) {
    simdjson::dom::object object;
    std::string_view from;
    Value value;
    if (item.get_object().get(object) == simdjson::SUCCESS &&
        object.at_key("from_name").get_string().get(from) == simdjson::SUCCESS && from == control &&
        object.at_key("value").get_object().get(value) == simdjson::SUCCESS) {
      out.push_back(value);
    }
  }
  return out;
}

// A categorical/numeric answer of one annotator for one control, or nullopt.
std::optional<std::string> CategoryKey(const std::vector<Value>& items) {
  if (items.empty()) return std::nullopt;
  const Value v = items.front();
  for (const char* key : {"choices", "taxonomy"}) {
    simdjson::dom::array list;
    if (v.at_key(key).get_array().get(list) != simdjson::SUCCESS) continue;
    std::vector<std::string> parts;
    for (Element c : list) {
      std::string_view text;
      parts.push_back(c.get_string().get(text) == simdjson::SUCCESS ? std::string(text) : Dump(c));
    }
    std::sort(parts.begin(), parts.end());
    std::string joined;
    for (const auto& p : parts) joined += (joined.empty() ? "" : " | ") + p;
    return joined;
  }
  return std::nullopt;
}

std::optional<double> NumericAnswer(const std::vector<Value>& items, const char* key) {
  if (items.empty()) return std::nullopt;
  return NumberOf(Member(items.front(), key));
}

// F1 of an optimal matching between two annotators' regions.
double RegionF1(const std::vector<Value>& a, const std::vector<Value>& b, const AgreementOptions& options) {
  std::vector<std::vector<double>> sim(a.size(), std::vector<double>(b.size(), 0.0));
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) {
      const Value va = a[i], vb = b[j];
      if (RegionLabel(va) != RegionLabel(vb)) continue;
      if (Member(va, "points") && Member(vb, "points")) {
        auto iou = q::PolygonIoU(PointsOf(va), PointsOf(vb));
        sim[i][j] = iou.ok() ? *iou : 0.0;
      } else if (auto sa = Member(va, "start"), sb = Member(vb, "start"); sa && sb) {
        bool same = SameJson(*sa, *sb) && SameOrBothNull(Member(va, "end"), Member(vb, "end"));
        sim[i][j] = same ? 1.0 : 0.0;
      } else if (Member(va, "height") && Member(vb, "height")) {
        q::Box ba{Num(va, "x"), Num(va, "y"), Num(va, "width"), Num(va, "height")};
        q::Box bb{Num(vb, "x"), Num(vb, "y"), Num(vb, "width"), Num(vb, "height")};
        sim[i][j] = q::BoxIoU(ba, bb);
      } else if (Member(va, "x") && Member(vb, "x")) {  // keypoints
        double dx = Num(va, "x") - Num(vb, "x"), dy = Num(va, "y") - Num(vb, "y");
        sim[i][j] = std::sqrt(dx * dx + dy * dy) <= options.keypoint_radius ? 1.0 : 0.0;
      }
    }
  }
  double threshold = options.iou_threshold;
  return q::MatchBySimilarity(sim, threshold).f1;
}

std::string JoinedText(const std::vector<Value>& items) {
  std::string out;
  for (const Value v : items) {
    std::optional<Element> text = Member(v, "text");
    if (!text) continue;
    std::string_view one;
    simdjson::dom::array many;
    if (text->get_string().get(one) == simdjson::SUCCESS) out += one;
    if (text->get_array().get(many) == simdjson::SUCCESS) {
      for (Element t : many) {
        if (t.get_string().get(one) != simdjson::SUCCESS) continue;
        if (!out.empty()) out += "\n";
        out += one;
      }
    }
  }
  return out;
}

}  // namespace tessera::result_values
