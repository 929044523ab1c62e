// Oriented boxes: a Label Studio rectangle and its four corners, both ways
// (YOLO_OBB in yolo.cc).
//
// Label Studio's rectangle is (x, y) its top-left corner before rotation,
// width, height, and `rotation` in degrees, clockwise on screen (y down),
// around (x, y). Its corners in Label Studio's order (label-studio-sdk's
// convert_annotation_to_yolo_obb: top-left, top-right, bottom-right,
// bottom-left) are, with c = cos(rotation), s = sin(rotation):
//   (x, y), (x + w c, y + w s), (x + w c - h s, y + w s + h c), (x - h s, y + h c)
// They run clockwise on screen: the cross product (p1 - p0) x (p3 - p0) is
// w * h > 0. Ultralytics' own writer (ops.xywhr2xyxyxyxy) lists the corners
// the other way round; both read back as the same rectangle.
//
// Thread-safety: pure functions.
#ifndef TESSERA_SRC_FORMATS_OBB_H_
#define TESSERA_SRC_FORMATS_OBB_H_

#include <array>

#include "src/formats/dataset.h"

namespace tessera::formats {

// x0 y0 x1 y1 x2 y2 x3 y3 in pixels.
using Corners = std::array<double, 8>;

// The corners of a kBox shape (points x1 y1 x2 y2 before rotation), in Label
// Studio's order.
Corners BoxCorners(const Shape& box);

enum class CornerFit {
  kExact,         // the corners form a rectangle (within the tolerance)
  kApproximated,  // they do not: the minimum-area rotated rectangle around them
  kDegenerate,    // zero width or height, or corners not finite or beyond 1e12 px; `box` is left alone
};

// A kBox shape (points x1 y1 x2 y2 before rotation, rotation in [0, 360))
// from four corners in either turning direction. A rectangle whose corners
// are each within `tolerance` pixels of the given ones counts as exact. Its
// top-left corner is the first corner when they are listed in Label Studio's
// direction (so LS -> corners -> LS gives back x, y and rotation); listed the
// other way, it is the corner that makes the rotation smallest (an upright
// box gets rotation 0). Other quadrilaterals get OpenCV's minAreaRect.
CornerFit BoxFromCorners(const Corners& corners, double tolerance, Shape* box);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_OBB_H_
