// Pre-filtering of imported tasks: finds the items not worth a human's time
// before they reach the labeling queue.
//
// Three layers:
//   * Measurements, pure functions of the bytes: ContentHash64 (exact
//     duplicates), MeasureImage (decodable? size, a 64-bit perceptual hash,
//     sharpness as the variance of the Laplacian), SimHash64 (near-duplicate
//     texts).
//   * PrefilterConfig, the per-project settings (which checks run, thresholds),
//     read from and written as JSON with errors that name the field.
//   * Prefilter, which judges one task at a time against everything it has
//     seen (the project's earlier tasks, then the tasks of this import) and
//     returns the reason a task is kept out of the queue, or none.
//
// Reasons, as the import reply counts them: "duplicate", "near_duplicate",
// "blurry", "unreadable" (cannot be decoded, or smaller than the minimum
// size), "empty" (a text object whose text is blank).
//
// Thread-safety: the free functions are reentrant (MeasureImage may be called
// from several threads at once); a Prefilter is not thread-safe.
#ifndef TESSERA_SRC_MEDIA_PREFILTER_H_
#define TESSERA_SRC_MEDIA_PREFILTER_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera {

// The first 64 bits of the SHA-256 of `bytes` (exact-duplicate detection; a
// collision among a million items has a probability near 3e-8).
uint64_t ContentHash64(std::string_view bytes);

// Number of differing bits.
int HammingDistance(uint64_t a, uint64_t b);

struct ImageMeasure {
  bool readable = false;
  std::string error;        // why it is not readable
  int width = 0;            // of the full image, in pixels
  int height = 0;
  uint64_t phash = 0;       // DCT perceptual hash (similar images: small Hamming distance)
  double sharpness = 0;     // variance of the Laplacian of the grayscale image
                            // scaled down to 256 px on its long side (smaller
                            // images as they are), so it does not depend on
                            // the resolution the photograph was saved at
};

// Decodes an encoded image (JPEG, PNG, BMP, WebP, TIFF, ...) and measures it.
// JPEGs are decoded at a reduced scale (libjpeg's 1/2, 1/4, 1/8 DCT scaling,
// chosen from the size in the header) when the result still has 256 px on its
// long side: several times faster on large photos, and it does not change what
// is measured (the hash and the sharpness both work on the 256 px image).
ImageMeasure MeasureImage(std::string_view encoded);

// The same for a file; an unreadable file gives readable = false.
ImageMeasure MeasureImageFile(const std::filesystem::path& path);

// A whole file in one read (no per-character stream copying); nullopt when it
// cannot be opened or read.
std::optional<std::string> ReadWholeFile(const std::filesystem::path& path);

// 64-bit SimHash over the text's lower-cased word 3-shingles (words alone
// when the text has fewer than three). Near-identical texts differ in few bits.
uint64_t SimHash64(std::string_view text);

// True when `text` has no non-whitespace character.
bool IsBlank(std::string_view text);

struct PrefilterConfig {
  bool enabled = false;               // master switch; off by default
  bool duplicates = true;             // exact duplicates (same bytes / same data)
  bool near_duplicate_images = true;
  int image_distance = 6;             // max pHash Hamming distance, 0..32
  bool near_duplicate_texts = true;
  int text_distance = 3;              // max SimHash Hamming distance, 0..32
  bool blurry = true;
  double blur_threshold = 60;         // sharpness below this is blurry
  bool unreadable = true;
  int min_width = 32;                 // smaller images count as unreadable
  int min_height = 32;
  bool empty = true;

  // Parses the settings object; unknown keys and wrong types are errors that
  // name the key and what it accepts. Missing keys keep their defaults.
  static Result<PrefilterConfig> FromJson(std::string_view json);
  std::string ToJson() const;
};

// The reasons in the order reports list them.
std::span<const std::string_view> PrefilterReasons();

// What is known about one task when it is judged. The caller fills what
// applies: `content` always (hash of the media bytes, or of the task data),
// `image` for each local image the task shows, `texts` for its text objects.
struct TaskEvidence {
  Id task_id = 0;
  uint64_t content = 0;
  std::vector<ImageMeasure> images;
  std::vector<std::string_view> texts;
};

// The stored 64-bit hash nearest to a query, within a fixed maximum Hamming
// distance. Multi-index hashing: the 64 bits are cut into max_distance + 1
// bands, and two hashes within the distance agree exactly on at least one
// band (pigeonhole), so only entries that share a band value with the query
// are compared. When the distance would leave bands narrower than 4 bits
// (max_distance > 15) the index scans linearly instead.
class HammingIndex {
 public:
  explicit HammingIndex(int max_distance);

  void Add(Id id, uint64_t value);
  // The entry with the smallest distance <= max_distance (the earliest added
  // among equals), and that distance.
  std::optional<std::pair<Id, int>> Nearest(uint64_t value) const;
  size_t size() const { return values_.size(); }

 private:
  struct Band {
    int shift;
    uint64_t mask;
  };
  int max_distance_;
  std::vector<Band> bands_;  // empty: linear scan
  std::vector<Id> ids_;
  std::vector<uint64_t> values_;
  // Per band: band value -> (hash, entry index), the hash kept inline so a
  // bucket is scanned sequentially rather than by random access.
  std::vector<std::unordered_map<uint64_t, std::vector<std::pair<uint64_t, uint32_t>>>> buckets_;
};

struct PrefilterVerdict {
  std::string reason;  // "" = keep in the queue
  std::string detail;  // human-readable: "duplicate of task 12", ...
};

class Prefilter {
 public:
  // `known` are the hashes of the project's earlier tasks.
  Prefilter(PrefilterConfig config, std::span<const TaskHash> known);

  // Judges a task and remembers its hashes, so later tasks of the same import
  // are compared with it. The first task of a duplicate group stays; the
  // later ones are flagged.
  PrefilterVerdict Judge(const TaskEvidence& task);

  // The hashes Judge computed for the tasks it saw (to store).
  const std::vector<TaskHash>& new_hashes() const { return new_hashes_; }

 private:
  void Remember(Id task_id, std::string_view kind, uint64_t value);

  PrefilterConfig config_;
  std::unordered_map<uint64_t, Id> content_;
  HammingIndex phash_;
  HammingIndex simhash_;
  std::vector<TaskHash> new_hashes_;
};

}  // namespace tessera

#endif  // TESSERA_SRC_MEDIA_PREFILTER_H_
