// Raster masks in the two run-length encodings datasets use.
//
// Label Studio's brush RLE (results of type "brushlabels", value
// {"format": "rle", "rle": [bytes...]}): the region's RGBA image
// (original_width * original_height * 4 bytes, row-major) packed with
// @thi.ng/rle-pack's bit stream, most significant bit first:
//   32 bits  number of words (bytes of the RGBA image)
//    5 bits  word size - 1 (8-bit words: 7)
//   4 x 4 bits  the four run-length field sizes - 1 (usually 3, 4, 8, 16 bits)
// then chunks until every word is out:
//    1 bit   1: a repeat (one value, n times); 0: a literal run (n values)
//    2 bits  which of the four field sizes holds n - 1
//    that many bits  n - 1
//    word(s) the value (repeat) or the n values (literal)
// Trailing bits up to the byte boundary are zero. The mask is the alpha
// channel (byte 3 of each pixel), as label-studio-converter's brush export
// reads it; encoding writes each mask value into all four channels.
//
// COCO RLE (segmentation {"size": [h, w], "counts": ...}): run lengths over
// the pixels in column-major (Fortran) order, alternating 0s and 1s and
// starting with a run of 0s (possibly empty). "counts" is a list of integers
// (uncompressed, as Datumaro and iscrowd annotations write it) or
// pycocotools' compressed string: each count, minus the count two before it
// from the fourth on, in 5-bit little-endian groups with a continuation bit
// (0x20) and sign extension from bit 0x10, each group + 48 as a character.
//
// Thread-safety: pure functions.
#ifndef TESSERA_SRC_FORMATS_BRUSH_RLE_H_
#define TESSERA_SRC_FORMATS_BRUSH_RLE_H_

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/status.h"

namespace tessera::formats {

// Largest mask decoded, in pixels (a 16384 x 16384 image).
inline constexpr int64_t kMaxMaskPixels = int64_t{1} << 28;

struct LsRleHeader {
  uint32_t words = 0;
  int word_size = 0;               // bits, 1..32
  std::array<int, 4> run_bits{};   // bits of each run-length class, 1..16
};

// The header of an LS RLE stream; InvalidArgument when shorter than 53 bits.
Result<LsRleHeader> ReadLsRleHeader(std::span<const uint8_t> bytes);
// The words of an LS RLE stream (each cut to its low 8 bits, as the
// converter keeps them). InvalidArgument when truncated, when a run passes
// the declared count, or when the count is above `max_words`.
Result<std::vector<uint8_t>> DecodeLsRle(std::span<const uint8_t> bytes, uint64_t max_words);
// Packs 8-bit words with run fields of 3, 4, 8 and 16 bits (the converter's
// and the editor's defaults): runs of two or more as repeats, single values
// gathered into literal runs.
std::vector<uint8_t> EncodeLsRle(std::span<const uint8_t> words);

// A brush result's "rle" array as a width x height mask (alpha channel).
// FieldInvalid("rle") naming what is wrong (not bytes, wrong count, ...).
Result<std::vector<uint8_t>> MaskFromLsRle(const nlohmann::json& rle, int64_t width, int64_t height);
// A mask as a brush result's "rle" array (value v -> RGBA v, v, v, v).
nlohmann::json LsRleFromMask(const std::vector<uint8_t>& mask);

// COCO RLE counts of a width x height row-major mask (non-zero = inside).
std::vector<uint32_t> CocoCountsFromMask(const std::vector<uint8_t>& mask, int64_t width, int64_t height);
// A row-major mask (0 or 1) from COCO counts; InvalidArgument unless they sum to width * height.
Result<std::vector<uint8_t>> MaskFromCocoCounts(const std::vector<uint32_t>& counts, int64_t width,
                                                int64_t height);
// pycocotools' compressed string form of counts, and back.
std::string CocoCountsToString(const std::vector<uint32_t>& counts);
Result<std::vector<uint32_t>> CocoCountsFromString(std::string_view text);
// A COCO "segmentation" object {"size": [h, w], "counts": list or string}
// as a mask; the size must match the image's.
Result<std::vector<uint8_t>> MaskFromCocoSegmentation(const nlohmann::json& segmentation, int64_t width,
                                                      int64_t height);

// CVAT's mask RLE (CVAT for images 1.1: <mask rle="..." left= top= width=
// height=>): run lengths over the mask's box, row-major, alternating 0s and
// 1s and starting with a run of 0s (possibly empty).
struct CvatMaskRle {
  std::vector<uint32_t> counts;
  int64_t left = 0, top = 0, width = 0, height = 0;  // the box, in pixels of the image
};
// The RLE of a width x height row-major mask over its pixels' tight box;
// counts empty when no pixel is inside.
CvatMaskRle CvatRleFromMask(const std::vector<uint8_t>& mask, int64_t width, int64_t height);
// The image-sized mask (255 inside: opaque, as Label Studio draws brushes) of a CVAT RLE whose box must lie inside
// the image_width x image_height image and whose counts must sum to its
// area; InvalidArgument naming what is wrong otherwise.
Result<std::vector<uint8_t>> MaskFromCvatRle(const CvatMaskRle& rle, int64_t image_width, int64_t image_height);

// Pixels inside, and COCO's bbox [x, y, w, h] of them (zeros when empty).
int64_t MaskArea(const std::vector<uint8_t>& mask);
std::array<double, 4> MaskBbox(const std::vector<uint8_t>& mask, int64_t width, int64_t height);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_BRUSH_RLE_H_
