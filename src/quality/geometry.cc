// Region overlap: box IoU, exact polygon intersection area, keypoint OKS.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

double Cross(const Point& origin, const Point& a, const Point& b) {
  return (a.x - origin.x) * (b.y - origin.y) - (a.y - origin.y) * (b.x - origin.x);
}

double SignedArea(const Polygon& polygon) {
  double twice = 0;
  for (size_t idx = 0; idx < polygon.size(); ++idx) {
    const Point& a = polygon[idx];
    const Point& b = polygon[(idx + 1) % polygon.size()];
    twice += a.x * b.y - b.x * a.y;
  }
  return twice / 2.0;
}

// Clips the convex polygon `subject` to the half-plane left of edge a->b
// (Sutherland–Hodgman, one edge).
Polygon ClipToLeftOf(const Polygon& subject, const Point& a, const Point& b) {
  Polygon out;
  for (size_t idx = 0; idx < subject.size(); ++idx) {
    const Point& current = subject[idx];
    const Point& next = subject[(idx + 1) % subject.size()];
    const double side_current = Cross(a, b, current), side_next = Cross(a, b, next);
    if (side_current >= 0) out.push_back(current);
    if ((side_current >= 0) != (side_next >= 0)) {
      const double t = side_current / (side_current - side_next);
      out.push_back({current.x + t * (next.x - current.x), current.y + t * (next.y - current.y)});
    }
  }
  return out;
}

// Area of the intersection of two counter-clockwise triangles.
double TriangleIntersectionArea(const Polygon& first, const Polygon& second) {
  Polygon clipped = first;
  for (size_t edge = 0; edge < 3 && !clipped.empty(); ++edge) {
    clipped = ClipToLeftOf(clipped, second[edge], second[(edge + 1) % 3]);
  }
  return clipped.size() < 3 ? 0.0 : std::abs(SignedArea(clipped));
}

// Fan triangles (p0, p_i, p_i+1), each made counter-clockwise, with the sign
// of its original orientation.
struct FanTriangle {
  Polygon corners;
  double sign = 1;
};

std::vector<FanTriangle> Fan(const Polygon& polygon) {
  std::vector<FanTriangle> fan;
  for (size_t idx = 1; idx + 1 < polygon.size(); ++idx) {
    Polygon corners = {polygon[0], polygon[idx], polygon[idx + 1]};
    const double area = Cross(corners[0], corners[1], corners[2]);
    if (area == 0) continue;
    if (area < 0) std::swap(corners[1], corners[2]);
    fan.push_back({std::move(corners), area > 0 ? 1.0 : -1.0});
  }
  return fan;
}

}  // namespace

const std::array<double, 17> kCocoPersonSigmas = {
    .026, .025, .025, .035, .035, .079, .079, .072, .072,
    .062, .062, .107, .107, .087, .087, .089, .089};

double BoxIoU(const Box& a, const Box& b) {
  const double overlap_w = std::min(a.x + a.width, b.x + b.width) - std::max(a.x, b.x);
  const double overlap_h = std::min(a.y + a.height, b.y + b.height) - std::max(a.y, b.y);
  const double intersection = overlap_w > 0 && overlap_h > 0 ? overlap_w * overlap_h : 0.0;
  const double union_area = a.width * a.height + b.width * b.height - intersection;
  return union_area > 0 ? intersection / union_area : 0.0;
}

double PolygonArea(const Polygon& polygon) {
  return polygon.size() < 3 ? 0.0 : std::abs(SignedArea(polygon));
}

double PolygonIntersectionArea(const Polygon& a, const Polygon& b) {
  if (a.size() < 3 || b.size() < 3) return 0.0;
  // The winding function of a closed polygon equals the signed sum of the
  // indicators of its fan triangles, so the overlap integral splits into
  // convex triangle pairs. Orientation signs cancel in the absolute value.
  const std::vector<FanTriangle> fan_a = Fan(a), fan_b = Fan(b);
  double total = 0;
  for (const FanTriangle& tri_a : fan_a) {
    for (const FanTriangle& tri_b : fan_b) {
      total += tri_a.sign * tri_b.sign * TriangleIntersectionArea(tri_a.corners, tri_b.corners);
    }
  }
  return std::abs(total);
}

Result<double> PolygonIoU(const Polygon& a, const Polygon& b) {
  if (a.size() < 3 || b.size() < 3) {
    return Status::InvalidArgument("a polygon needs at least 3 vertices");
  }
  for (const Polygon* polygon : {&a, &b}) {
    for (const Point& point : *polygon) {
      if (!std::isfinite(point.x) || !std::isfinite(point.y)) {
        return Status::InvalidArgument("polygon vertex is not finite");
      }
    }
  }
  const double intersection = PolygonIntersectionArea(a, b);
  const double union_area = PolygonArea(a) + PolygonArea(b) - intersection;
  return union_area > 0 ? intersection / union_area : 0.0;
}

Result<double> KeypointOKS(const std::vector<Keypoint>& ground_truth,
                           const std::vector<Keypoint>& predicted, double area,
                           const std::vector<double>& sigmas) {
  if (ground_truth.size() != predicted.size() || ground_truth.size() != sigmas.size()) {
    return Status::InvalidArgument("OKS needs the same number of ground-truth keypoints, "
                                   "predicted keypoints and sigmas");
  }
  if (!(area >= 0)) return Status::InvalidArgument("OKS object area must be >= 0");
  double total = 0;
  size_t labelled = 0;
  for (size_t idx = 0; idx < ground_truth.size(); ++idx) {
    if (ground_truth[idx].visibility <= 0) continue;
    const double dx = predicted[idx].x - ground_truth[idx].x;
    const double dy = predicted[idx].y - ground_truth[idx].y;
    const double variance = (2 * sigmas[idx]) * (2 * sigmas[idx]);
    // pycocotools adds machine epsilon to the area so a zero area is finite.
    const double e = (dx * dx + dy * dy) / variance /
                     (area + std::numeric_limits<double>::epsilon()) / 2.0;
    total += std::exp(-e);
    ++labelled;
  }
  if (labelled == 0) return Status::InvalidArgument("OKS needs a labelled ground-truth keypoint");
  return total / static_cast<double>(labelled);
}

}  // namespace tessera::quality
