// COCO's run-length masks (pycocotools conventions) and CVAT's; see brush_rle.h.
#include <algorithm>
#include <limits>

#include "src/formats/brush_rle.h"

namespace tessera::formats {

using nlohmann::json;

std::vector<uint32_t> CocoCountsFromMask(const std::vector<uint8_t>& mask, int64_t width, int64_t height) {
  std::vector<uint32_t> counts;
  bool inside = false;  // the first run counts zeros
  uint32_t run = 0;
  for (int64_t x = 0; x < width; ++x) {
    for (int64_t y = 0; y < height; ++y) {
      bool v = mask[static_cast<size_t>(y * width + x)] != 0;
      if (v != inside) {
        counts.push_back(run);
        run = 0;
        inside = v;
      }
      ++run;
    }
  }
  counts.push_back(run);
  return counts;
}

Result<std::vector<uint8_t>> MaskFromCocoCounts(const std::vector<uint32_t>& counts, int64_t width,
                                                int64_t height) {
  if (width <= 0 || height <= 0 || width * height > kMaxMaskPixels) {
    return Status::InvalidArgument("COCO RLE of " + std::to_string(width) + "x" + std::to_string(height) +
                                   " pixels (at most " + std::to_string(kMaxMaskPixels) + ")");
  }
  const uint64_t total = static_cast<uint64_t>(width * height);
  uint64_t sum = 0;
  for (uint32_t c : counts) sum += c;
  if (sum != total) {
    return Status::InvalidArgument("COCO RLE counts sum to " + std::to_string(sum) + ", not " +
                                   std::to_string(width) + "x" + std::to_string(height) + " = " +
                                   std::to_string(total));
  }
  std::vector<uint8_t> mask(static_cast<size_t>(total));
  uint64_t at = 0;  // column-major position
  for (size_t k = 0; k < counts.size(); ++k) {
    if (k % 2 == 1) {
      for (uint64_t p = at; p < at + counts[k]; ++p) {
        uint64_t x = p / static_cast<uint64_t>(height), y = p % static_cast<uint64_t>(height);
        mask[y * static_cast<uint64_t>(width) + x] = 1;
      }
    }
    at += counts[k];
  }
  return mask;
}

std::string CocoCountsToString(const std::vector<uint32_t>& counts) {
  std::string out;
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t x = counts[i];
    if (i > 2) x -= counts[i - 2];  // pycocotools' delta starts at the fourth count
    bool more = true;
    while (more) {
      int64_t c = x & 0x1f;
      x >>= 5;  // arithmetic: keeps the sign
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c |= 0x20;
      out.push_back(static_cast<char>(c + 48));
    }
  }
  return out;
}

Result<std::vector<uint32_t>> CocoCountsFromString(std::string_view text) {
  std::vector<uint32_t> counts;
  size_t p = 0;
  while (p < text.size()) {
    int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p >= text.size()) return Status::InvalidArgument("COCO RLE string ends inside a count");
      int c = static_cast<unsigned char>(text[p]) - 48;
      if (c < 0 || c > 63) return Status::InvalidArgument("COCO RLE string has a character outside '0'..'o'");
      if (k >= 12) return Status::InvalidArgument("COCO RLE string has a count longer than 12 characters");
      x |= static_cast<int64_t>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= static_cast<int64_t>(~uint64_t{0} << (5 * k));
    }
    if (counts.size() > 2) x += counts[counts.size() - 2];
    if (x < 0 || x > std::numeric_limits<uint32_t>::max()) {
      return Status::InvalidArgument("COCO RLE string decodes to a count of " + std::to_string(x));
    }
    counts.push_back(static_cast<uint32_t>(x));
  }
  return counts;
}

Result<std::vector<uint8_t>> MaskFromCocoSegmentation(const json& seg, int64_t width, int64_t height) {
  auto size = seg.find("size");
  if (size == seg.end() || !size->is_array() || size->size() != 2 || !(*size)[0].is_number_integer() ||
      !(*size)[1].is_number_integer()) {
    return Status::InvalidArgument("COCO RLE without \"size\": [height, width]");
  }
  int64_t h = (*size)[0].get<int64_t>(), w = (*size)[1].get<int64_t>();
  if (width > 0 && height > 0 && (w != width || h != height)) {
    return Status::InvalidArgument("COCO RLE size [" + std::to_string(h) + ", " + std::to_string(w) +
                                   "] differs from the image's [" + std::to_string(height) + ", " +
                                   std::to_string(width) + "]");
  }
  auto counts_it = seg.find("counts");
  std::vector<uint32_t> counts;
  if (counts_it != seg.end() && counts_it->is_string()) {
    TESSERA_ASSIGN_OR_RETURN(counts, CocoCountsFromString(counts_it->get_ref<const std::string&>()));
  } else if (counts_it != seg.end() && counts_it->is_array()) {
    for (const json& c : *counts_it) {
      if (!c.is_number_integer() || c.get<int64_t>() < 0 || c.get<int64_t>() > std::numeric_limits<uint32_t>::max()) {
        return Status::InvalidArgument("COCO RLE counts must be non-negative integers");
      }
      counts.push_back(static_cast<uint32_t>(c.get<int64_t>()));
    }
  } else {
    return Status::InvalidArgument("COCO RLE without \"counts\" (a list of integers or a string)");
  }
  return MaskFromCocoCounts(counts, w, h);
}

int64_t MaskArea(const std::vector<uint8_t>& mask) {
  return static_cast<int64_t>(mask.size()) - std::count(mask.begin(), mask.end(), uint8_t{0});
}

std::array<double, 4> MaskBbox(const std::vector<uint8_t>& mask, int64_t width, int64_t height) {
  int64_t x1 = width, y1 = height, x2 = -1, y2 = -1;
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      if (!mask[static_cast<size_t>(y * width + x)]) continue;
      x1 = std::min(x1, x), x2 = std::max(x2, x);
      y1 = std::min(y1, y), y2 = std::max(y2, y);
    }
  }
  if (x2 < 0) return {0, 0, 0, 0};
  return {static_cast<double>(x1), static_cast<double>(y1), static_cast<double>(x2 - x1 + 1),
          static_cast<double>(y2 - y1 + 1)};
}

CvatMaskRle CvatRleFromMask(const std::vector<uint8_t>& mask, int64_t width, int64_t height) {
  CvatMaskRle rle;
  const std::array<double, 4> box = MaskBbox(mask, width, height);  // whole pixels; width 0 when empty
  if (box[2] == 0) return rle;
  rle.left = static_cast<int64_t>(box[0]), rle.top = static_cast<int64_t>(box[1]);
  rle.width = static_cast<int64_t>(box[2]), rle.height = static_cast<int64_t>(box[3]);
  bool inside = false;  // the first run counts zeros
  uint32_t run = 0;
  for (int64_t y = rle.top; y < rle.top + rle.height; ++y) {
    for (int64_t x = rle.left; x < rle.left + rle.width; ++x) {
      bool v = mask[static_cast<size_t>(y * width + x)] != 0;
      if (v != inside) {
        rle.counts.push_back(run);
        run = 0;
        inside = v;
      }
      ++run;
    }
  }
  rle.counts.push_back(run);
  return rle;
}

Result<std::vector<uint8_t>> MaskFromCvatRle(const CvatMaskRle& rle, int64_t image_width, int64_t image_height) {
  if (image_width <= 0 || image_height <= 0 || image_width * image_height > kMaxMaskPixels) {
    return Status::InvalidArgument("a mask needs the image's width and height (at most " +
                                   std::to_string(kMaxMaskPixels) + " pixels); got " + std::to_string(image_width) +
                                   "x" + std::to_string(image_height));
  }
  if (rle.left < 0 || rle.top < 0 || rle.width <= 0 || rle.height <= 0 || rle.left > image_width ||
      rle.width > image_width - rle.left || rle.top > image_height || rle.height > image_height - rle.top) {
    return Status::InvalidArgument("mask box left=" + std::to_string(rle.left) + " top=" + std::to_string(rle.top) +
                                   " width=" + std::to_string(rle.width) + " height=" + std::to_string(rle.height) +
                                   " is not inside the " + std::to_string(image_width) + "x" +
                                   std::to_string(image_height) + " image");
  }
  const uint64_t area = static_cast<uint64_t>(rle.width * rle.height);
  uint64_t sum = 0;
  for (uint32_t c : rle.counts) sum += c;
  if (sum != area) {
    return Status::InvalidArgument("mask rle counts sum to " + std::to_string(sum) + ", not its box's " +
                                   std::to_string(rle.width) + "x" + std::to_string(rle.height) + " = " +
                                   std::to_string(area));
  }
  std::vector<uint8_t> mask(static_cast<size_t>(image_width * image_height));
  uint64_t at = 0;  // row-major position in the box
  for (size_t k = 0; k < rle.counts.size(); ++k) {
    if (k % 2 == 1) {
      for (uint64_t p = at; p < at + rle.counts[k]; ++p) {
        const uint64_t x = static_cast<uint64_t>(rle.left) + p % static_cast<uint64_t>(rle.width);
        const uint64_t y = static_cast<uint64_t>(rle.top) + p / static_cast<uint64_t>(rle.width);
        mask[y * static_cast<uint64_t>(image_width) + x] = 255;
      }
    }
    at += rle.counts[k];
  }
  return mask;
}

}  // namespace tessera::formats
