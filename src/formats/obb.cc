// Oriented boxes and their corners (see obb.h).
#include "src/formats/obb.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace tessera::formats {
namespace {

struct Point {
  double x = 0, y = 0;
};
using Quad = std::array<Point, 4>;

// Twice the signed area: > 0 when the corners run clockwise on screen (y
// down), Label Studio's direction.
double SignedArea2(const Quad& q) {
  double sum = 0;
  for (size_t corner = 0; corner < 4; ++corner) {
    const Point& a = q[corner];
    const Point& b = q[(corner + 1) % 4];
    sum += a.x * b.y - b.x * a.y;
  }
  return sum;
}

// Degrees in [0, 360).
double Degrees(double radians) {
  double deg = radians * 180.0 / M_PI;
  if (deg < 0) deg += 360.0;
  if (deg >= 360.0) deg -= 360.0;
  return deg + 0.0;  // no -0
}

struct Rect {
  double x = 0, y = 0, w = 0, h = 0, rotation = 0;
  double deviation = 0;  // largest distance of a fitted corner from the given one
};

// The rectangle closest to corners listed in Label Studio's order (top-left,
// top-right, bottom-right, bottom-left): the centre is their mean, the
// direction that of the two width edges together, the sides the mean lengths
// of the opposite edges. For a rectangle this is the rectangle itself.
Rect FitRectangle(const Quad& q) {
  double ux = (q[1].x - q[0].x) + (q[2].x - q[3].x), uy = (q[1].y - q[0].y) + (q[2].y - q[3].y);
  double w = (std::hypot(q[1].x - q[0].x, q[1].y - q[0].y) + std::hypot(q[2].x - q[3].x, q[2].y - q[3].y)) / 2;
  double h = (std::hypot(q[3].x - q[0].x, q[3].y - q[0].y) + std::hypot(q[2].x - q[1].x, q[2].y - q[1].y)) / 2;
  double rad = std::atan2(uy, ux);
  double c = std::cos(rad), s = std::sin(rad);
  double cx = (q[0].x + q[1].x + q[2].x + q[3].x) / 4, cy = (q[0].y + q[1].y + q[2].y + q[3].y) / 4;
  Rect rect;
  rect.x = cx - w / 2 * c + h / 2 * s;
  rect.y = cy - w / 2 * s - h / 2 * c;
  rect.w = w;
  rect.h = h;
  rect.rotation = Degrees(rad);
  Shape box;
  box.points = {rect.x, rect.y, rect.x + w, rect.y + h};
  box.rotation = rect.rotation;
  Corners fitted = BoxCorners(box);
  for (size_t corner = 0; corner < 4; ++corner) {
    double d = std::hypot(fitted[2 * corner] - q[corner].x, fitted[2 * corner + 1] - q[corner].y);
    rect.deviation = std::max(rect.deviation, std::isnan(d) ? INFINITY : d);
  }
  return rect;
}

// OpenCV's minimum-area rotated rectangle around the corners, in Label
// Studio's direction. OpenCV works in float, so the corners go in relative
// to their mean (float precision then scales with the box, not the image).
Quad MinAreaRectangle(const Quad& q) {
  double mx = (q[0].x + q[1].x + q[2].x + q[3].x) / 4, my = (q[0].y + q[1].y + q[2].y + q[3].y) / 4;
  std::vector<cv::Point2f> points;
  for (const Point& p : q) points.emplace_back(static_cast<float>(p.x - mx), static_cast<float>(p.y - my));
  cv::Point2f out[4];
  cv::minAreaRect(points).points(out);
  Quad rect;
  for (size_t corner = 0; corner < 4; ++corner) rect[corner] = {out[corner].x + mx, out[corner].y + my};
  if (SignedArea2(rect) < 0) std::swap(rect[1], rect[3]);
  return rect;
}

Quad StartingAt(const Quad& q, size_t first) {
  Quad out;
  for (size_t corner = 0; corner < 4; ++corner) out[corner] = q[(first + corner) % 4];
  return out;
}

// The corner nearest `p`.
size_t Nearest(const Quad& q, const Point& p) {
  size_t best = 0;
  for (size_t corner = 1; corner < 4; ++corner) {
    if (std::hypot(q[corner].x - p.x, q[corner].y - p.y) < std::hypot(q[best].x - p.x, q[best].y - p.y)) {
      best = corner;
    }
  }
  return best;
}

// The corner to start from for the rotation nearest 0 (ties: the earlier).
size_t MostUpright(const Quad& q) {
  size_t best = 0;
  double best_turn = INFINITY;
  for (size_t corner = 0; corner < 4; ++corner) {
    const Point& a = q[corner];
    const Point& b = q[(corner + 1) % 4];
    double deg = Degrees(std::atan2(b.y - a.y, b.x - a.x));
    double turn = std::min(deg, 360.0 - deg);
    if (turn < best_turn) {
      best_turn = turn;
      best = corner;
    }
  }
  return best;
}

}  // namespace

Corners BoxCorners(const Shape& box) {
  Corners out{};
  if (box.points.size() != 4) return out;
  double x = box.points[0], y = box.points[1], w = box.points[2] - x, h = box.points[3] - y;
  double rad = box.rotation * M_PI / 180.0, c = std::cos(rad), s = std::sin(rad);
  out = {x, y, x + w * c, y + w * s, x + w * c - h * s, y + w * s + h * c, x - h * s, y + h * c};
  return out;
}

CornerFit BoxFromCorners(const Corners& corners, double tolerance, Shape* box) {
  for (double v : corners) {
    if (!std::isfinite(v) || std::abs(v) > 1e12) return CornerFit::kDegenerate;
  }
  Quad q;
  for (size_t corner = 0; corner < 4; ++corner) q[corner] = {corners[2 * corner], corners[2 * corner + 1]};
  const bool ls_direction = SignedArea2(q) >= 0;
  if (!ls_direction) std::swap(q[1], q[3]);  // same corners, Label Studio's direction
  CornerFit fit = CornerFit::kExact;
  if (!(FitRectangle(q).deviation <= tolerance)) {
    fit = CornerFit::kApproximated;
    Quad rect;
    try {
      rect = MinAreaRectangle(q);
    } catch (const cv::Exception&) {
      return CornerFit::kDegenerate;
    }
    q = ls_direction ? StartingAt(rect, Nearest(rect, q[0])) : rect;
  }
  if (!ls_direction) q = StartingAt(q, MostUpright(q));
  Rect rect = FitRectangle(q);
  double longer = std::max(rect.w, rect.h), shorter = std::min(rect.w, rect.h);
  // OpenCV's float leaves a sliver where collinear corners have none.
  double thinnest = fit == CornerFit::kApproximated ? 1e-6 * longer : 0;
  if (!std::isfinite(longer) || !(shorter > thinnest)) return CornerFit::kDegenerate;
  box->type = ShapeType::kBox;
  box->points = {rect.x, rect.y, rect.x + rect.w, rect.y + rect.h};
  box->rotation = rect.rotation;
  return fit;
}

}  // namespace tessera::formats
