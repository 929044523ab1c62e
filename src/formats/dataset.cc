// Small helpers shared by the dataset formats.
#include "src/formats/dataset.h"

#include <algorithm>
#include <cmath>
#include <charconv>
#include <limits>

namespace tessera::formats {

std::vector<std::string> Tally::Lines() const {
  std::vector<std::string> lines;
  for (const auto& [reason, count] : counts_) lines.push_back(reason + ": " + std::to_string(count));
  return lines;
}

std::string BaseName(std::string_view path) {
  // Label Studio's local-files URLs carry the path in ?d=...
  size_t d = path.find("?d=");
  if (d != std::string_view::npos) {
    path = path.substr(d + 3);
  } else {
    size_t query = path.find_first_of("?#");
    if (query != std::string_view::npos) path = path.substr(0, query);
  }
  size_t amp = path.find('&');
  if (amp != std::string_view::npos) path = path.substr(0, amp);
  size_t slash = path.find_last_of("/\\");
  if (slash != std::string_view::npos) path = path.substr(slash + 1);
  return std::string(path);
}

std::string Stem(std::string_view path) {
  std::string base = BaseName(path);
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  return base;
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "0";
  if (value == 0) return "0";  // also -0
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::vector<double> Bounds(const std::vector<double>& points) {
  if (points.size() < 2) return {0, 0, 0, 0};
  double x1 = std::numeric_limits<double>::max(), y1 = x1;
  double x2 = std::numeric_limits<double>::lowest(), y2 = x2;
  for (size_t i = 0; i + 1 < points.size(); i += 2) {
    x1 = std::min(x1, points[i]);
    x2 = std::max(x2, points[i]);
    y1 = std::min(y1, points[i + 1]);
    y2 = std::max(y2, points[i + 1]);
  }
  return {x1, y1, x2, y2};
}

}  // namespace tessera::formats
