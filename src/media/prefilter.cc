#include "src/media/prefilter.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cmath>
#include <fstream>
#include <optional>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "tessera/util.h"

namespace tessera {

using nlohmann::json;

uint64_t ContentHash64(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size());
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | digest[i];
  return value;
}

int HammingDistance(uint64_t a, uint64_t b) { return std::popcount(a ^ b); }

namespace {

// The long side, in pixels, that sharpness is measured at: larger images are
// scaled down to it (see WorkingImage) so that the same photograph scores about
// the same at any resolution and one threshold fits all inputs. Smaller
// images are measured at their own size (scaling them up would only blur
// them). The perceptual hash is computed from the same working image.
constexpr int kWorkingSide = 256;

// The perceptual hash: the 8x8 lowest frequencies of the DCT of a 32x32
// grayscale thumbnail, one bit each for "above the median" (the DC term,
// the mean brightness, is left out of the median).
uint64_t PerceptualHash(const cv::Mat& gray) {
  cv::Mat small, f, freq;
  cv::resize(gray, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  small.convertTo(f, CV_32F);
  cv::dct(f, freq);
  std::array<float, 64> low;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) low[y * 8 + x] = freq.at<float>(y, x);
  std::array<float, 63> ac;
  std::copy(low.begin() + 1, low.end(), ac.begin());
  std::nth_element(ac.begin(), ac.begin() + 31, ac.end());
  float median = ac[31];
  uint64_t hash = 0;
  for (int i = 0; i < 64; ++i) hash = (hash << 1) | (low[i] > median ? 1u : 0u);
  return hash;
}

// Variance of the Laplacian of the working image (see kWorkingSide).
double Sharpness(const cv::Mat& work) {
  cv::Mat lap;
  cv::Laplacian(work, lap, CV_32F);  // exact for 8-bit input, and faster than CV_64F
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

uint32_t BigEndian(std::string_view b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

struct JpegSize {
  int width = 0;
  int height = 0;
};

// The stored size of a JPEG, from its SOF segment, read without decoding;
// nullopt for other formats or a header that does not parse (the decoder
// then decides). Only JPEG decoding can be scaled down (PNG is inflated whole
// whatever OpenCV is asked), so only JPEG headers are read.
std::optional<JpegSize> ReadJpegSize(std::string_view b) {
  if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF ||
      static_cast<unsigned char>(b[1]) != 0xD8) {
    return std::nullopt;
  }
  size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) return std::nullopt;
    unsigned marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // end, or scan data before a frame
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (at + 9 > b.size()) return std::nullopt;
      return JpegSize{static_cast<int>(BigEndian(b, at + 7, 2)),
                      static_cast<int>(BigEndian(b, at + 5, 2))};
    }
    at += 2 + BigEndian(b, at + 2, 2);
  }
  return std::nullopt;
}

// The largest JPEG DCT scale (1/1, 1/2, 1/4, 1/8) whose output still has a
// long side of at least kWorkingSide, so nothing measured is lost.
int JpegReduction(const JpegSize& h) {
  if (h.width <= 0 || h.height <= 0) return 1;  // height 0: defined later (DNL)
  int long_side = std::max(h.width, h.height);
  for (int r : {8, 4, 2}) {
    if ((long_side + r - 1) / r >= kWorkingSide) return r;
  }
  return 1;
}

// Scales a decoded image down to kWorkingSide on its long side, in two steps
// that behave the same whatever the input size: averaging k x k blocks (the
// largest integer k that stays at or above kWorkingSide; the JPEG decoder has
// already done a power of two of it), then bicubic for the remaining factor,
// which is below 2. A single area resize by a factor just above 1 would
// average neighbours at a phase that drifts across the image and lower the
// sharpness of some sizes by up to 3x.
cv::Mat WorkingImage(const cv::Mat& gray) {
  cv::Mat work = gray;
  int k = std::max(gray.cols, gray.rows) / kWorkingSide;
  if (k >= 2) {
    cv::Mat whole_blocks = gray(cv::Rect(0, 0, gray.cols / k * k, gray.rows / k * k));
    cv::resize(whole_blocks, work, cv::Size(gray.cols / k, gray.rows / k), 0, 0, cv::INTER_AREA);
  }
  int long_side = std::max(work.cols, work.rows);
  if (long_side > kWorkingSide) {
    double s = static_cast<double>(kWorkingSide) / long_side;
    cv::Size size(std::max(1, static_cast<int>(std::lround(work.cols * s))),
                  std::max(1, static_cast<int>(std::lround(work.rows * s))));
    cv::Mat scaled;
    cv::resize(work, scaled, size, 0, 0, cv::INTER_CUBIC);
    work = scaled;
  }
  return work;
}

}  // namespace

ImageMeasure MeasureImage(std::string_view encoded) {
  ImageMeasure m;
  if (encoded.empty()) {
    m.error = "the file is empty";
    return m;
  }
  std::optional<JpegSize> header = ReadJpegSize(encoded);
  int reduction = header ? JpegReduction(*header) : 1;
  static constexpr int kModes[] = {cv::IMREAD_GRAYSCALE, cv::IMREAD_GRAYSCALE,
                                   cv::IMREAD_REDUCED_GRAYSCALE_2, 0,
                                   cv::IMREAD_REDUCED_GRAYSCALE_4, 0, 0, 0,
                                   cv::IMREAD_REDUCED_GRAYSCALE_8};
  cv::Mat gray;
  try {
    // imdecode does not copy the input; the Mat only points at it.
    cv::Mat buf(1, static_cast<int>(encoded.size()), CV_8U,
                const_cast<char*>(encoded.data()));
    gray = cv::imdecode(buf, kModes[reduction]);
  } catch (const cv::Exception& e) {
    m.error = std::string("cannot decode the image: ") + e.what();
    return m;
  }
  if (gray.empty() || gray.cols <= 0 || gray.rows <= 0) {
    m.error = "cannot decode the image (not a supported format, or truncated)";
    return m;
  }
  m.readable = true;
  m.width = gray.cols;
  m.height = gray.rows;
  if (reduction > 1) {
    // The full size is the header's, turned as the decoder turned it (EXIF
    // orientation): libjpeg's scaled output is ceil(size / reduction).
    bool turned = gray.cols != (header->width + reduction - 1) / reduction;
    m.width = turned ? header->height : header->width;
    m.height = turned ? header->width : header->height;
  }
  cv::Mat work = WorkingImage(gray);
  m.phash = PerceptualHash(work);
  m.sharpness = Sharpness(work);
  return m;
}

std::optional<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  std::streamoff size = in.tellg();
  if (size < 0) return std::nullopt;
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return std::nullopt;
  return bytes;
}

ImageMeasure MeasureImageFile(const std::filesystem::path& path) {
  std::optional<std::string> bytes = ReadWholeFile(path);
  if (!bytes) {
    ImageMeasure m;
    m.error = "cannot read the file";
    return m;
  }
  return MeasureImage(*bytes);
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

uint64_t SimHash64(std::string_view text) {
  // Words: runs of letters/digits (bytes >= 0x80 count as letters, so UTF-8
  // words stay whole), lower-cased.
  std::vector<std::string> words;
  std::string word;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      word.push_back(static_cast<char>(std::tolower(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  if (words.empty()) return 0;

  // A fixed key: the hash must be the same on every run and machine.
  static const std::array<unsigned char, crypto_shorthash_KEYBYTES> kKey{};
  std::array<int, 64> votes{};
  auto add = [&](std::string_view feature) {
    std::array<unsigned char, crypto_shorthash_BYTES> out;
    crypto_shorthash(out.data(), reinterpret_cast<const unsigned char*>(feature.data()),
                     feature.size(), kKey.data());
    uint64_t h = 0;
    for (unsigned char b : out) h = (h << 8) | b;
    for (int bit = 0; bit < 64; ++bit) votes[bit] += (h >> bit) & 1 ? 1 : -1;
  };
  if (words.size() < 3) {
    for (const auto& w : words) add(w);
  } else {
    std::string shingle;
    for (size_t i = 0; i + 2 < words.size(); ++i) {
      shingle = words[i] + ' ' + words[i + 1] + ' ' + words[i + 2];
      add(shingle);
    }
  }
  uint64_t hash = 0;
  for (int bit = 0; bit < 64; ++bit)
    if (votes[bit] > 0) hash |= uint64_t{1} << bit;
  return hash;
}

// ---- configuration ----------------------------------------------------------

namespace {

constexpr std::array<std::string_view, 5> kReasons = {"duplicate", "near_duplicate", "blurry",
                                                      "unreadable", "empty"};

Status BadField(const std::string& key, const std::string& want) {
  return Status::InvalidArgument("pre-filter setting '" + key + "' must be " + want);
}

}  // namespace

std::span<const std::string_view> PrefilterReasons() { return kReasons; }

Result<PrefilterConfig> PrefilterConfig::FromJson(std::string_view text) {
  PrefilterConfig c;
  if (Trim(text).empty()) return c;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("pre-filter settings must be a JSON object, e.g. "
                                   "{\"enabled\": true, \"blurry\": false}");
  }
  struct BoolField {
    const char* key;
    bool* out;
  };
  struct IntField {
    const char* key;
    int* out;
    int lo, hi;
  };
  const BoolField bools[] = {{"enabled", &c.enabled},
                             {"duplicates", &c.duplicates},
                             {"near_duplicate_images", &c.near_duplicate_images},
                             {"near_duplicate_texts", &c.near_duplicate_texts},
                             {"blurry", &c.blurry},
                             {"unreadable", &c.unreadable},
                             {"empty", &c.empty}};
  const IntField ints[] = {{"image_distance", &c.image_distance, 0, 32},
                           {"text_distance", &c.text_distance, 0, 32},
                           {"min_width", &c.min_width, 1, 100000},
                           {"min_height", &c.min_height, 1, 100000}};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const BoolField& f : bools) {
      if (key != f.key) continue;
      if (!value.is_boolean()) return BadField(key, "true or false");
      *f.out = value.get<bool>();
      known = true;
    }
    for (const IntField& f : ints) {
      if (key != f.key) continue;
      if (!value.is_number_integer() || value.get<int64_t>() < f.lo ||
          value.get<int64_t>() > f.hi) {
        return BadField(key, "an integer from " + std::to_string(f.lo) + " to " +
                                 std::to_string(f.hi));
      }
      *f.out = value.get<int>();
      known = true;
    }
    if (key == "blur_threshold") {
      if (!value.is_number() || value.get<double>() < 0 || !std::isfinite(value.get<double>()))
        return BadField(key, "a number >= 0 (variance of the Laplacian; 60 is a usual start)");
      c.blur_threshold = value.get<double>();
      known = true;
    }
    if (!known) {
      return Status::InvalidArgument(
          "unknown pre-filter setting '" + key +
          "'; the settings are enabled, duplicates, near_duplicate_images, image_distance, "
          "near_duplicate_texts, text_distance, blurry, blur_threshold, unreadable, min_width, "
          "min_height, empty");
    }
  }
  return c;
}

std::string PrefilterConfig::ToJson() const {
  return json{{"enabled", enabled},
              {"duplicates", duplicates},
              {"near_duplicate_images", near_duplicate_images},
              {"image_distance", image_distance},
              {"near_duplicate_texts", near_duplicate_texts},
              {"text_distance", text_distance},
              {"blurry", blurry},
              {"blur_threshold", blur_threshold},
              {"unreadable", unreadable},
              {"min_width", min_width},
              {"min_height", min_height},
              {"empty", empty}}
      .dump();
}

// ---- judging ----------------------------------------------------------------

HammingIndex::HammingIndex(int max_distance) : max_distance_(max_distance) {
  int count = max_distance + 1;
  if (count > 16) return;  // bands under 4 bits select most entries anyway
  int shift = 0;
  for (int b = 0; b < count; ++b) {
    int bits = 64 / count + (b < 64 % count ? 1 : 0);
    bands_.push_back({shift, bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1});
    shift += bits;
  }
  buckets_.resize(bands_.size());
}

void HammingIndex::Add(Id id, uint64_t value) {
  auto index = static_cast<uint32_t>(values_.size());
  ids_.push_back(id);
  values_.push_back(value);
  for (size_t b = 0; b < bands_.size(); ++b) {
    buckets_[b][(value >> bands_[b].shift) & bands_[b].mask].emplace_back(value, index);
  }
}

std::optional<std::pair<Id, int>> HammingIndex::Nearest(uint64_t value) const {
  size_t best = values_.size();
  int best_distance = max_distance_ + 1;
  auto consider = [&](uint64_t stored, size_t i) {
    int d = HammingDistance(stored, value);
    if (d > max_distance_) return;
    if (d < best_distance || (d == best_distance && i < best)) {
      best = i;
      best_distance = d;
    }
  };
  if (bands_.empty()) {
    for (size_t i = 0; i < values_.size(); ++i) consider(values_[i], i);
  } else {
    for (size_t b = 0; b < bands_.size(); ++b) {
      auto it = buckets_[b].find((value >> bands_[b].shift) & bands_[b].mask);
      if (it == buckets_[b].end()) continue;
      for (const auto& [stored, i] : it->second) consider(stored, i);
    }
  }
  if (best == values_.size()) return std::nullopt;
  return std::make_pair(ids_[best], best_distance);
}

Prefilter::Prefilter(PrefilterConfig config, std::span<const TaskHash> known)
    : config_(config), phash_(config.image_distance), simhash_(config.text_distance) {
  for (const TaskHash& h : known) {
    if (h.kind == "content") {
      content_.emplace(h.value, h.task_id);
    } else if (h.kind == "phash") {
      phash_.Add(h.task_id, h.value);
    } else if (h.kind == "simhash") {
      simhash_.Add(h.task_id, h.value);
    }
  }
}

void Prefilter::Remember(Id task_id, std::string_view kind, uint64_t value) {
  new_hashes_.push_back({task_id, std::string(kind), value});
}

PrefilterVerdict Prefilter::Judge(const TaskEvidence& task) {
  PrefilterVerdict v;
  auto flag = [&v](std::string reason, std::string detail) {
    if (v.reason.empty()) {
      v.reason = std::move(reason);
      v.detail = std::move(detail);
    }
  };

  // Measurements first, so every hash is stored whatever the verdict.
  Remember(task.task_id, "content", task.content);
  for (const ImageMeasure& m : task.images)
    if (m.readable) Remember(task.task_id, "phash", m.phash);
  std::vector<uint64_t> simhashes;
  for (std::string_view text : task.texts) {
    if (IsBlank(text)) continue;
    simhashes.push_back(SimHash64(text));
    Remember(task.task_id, "simhash", simhashes.back());
  }
  if (!config_.enabled) return v;

  if (config_.unreadable) {
    for (const ImageMeasure& m : task.images) {
      if (!m.readable) {
        flag("unreadable", m.error);
      } else if (m.width < config_.min_width || m.height < config_.min_height) {
        flag("unreadable", "too small: " + std::to_string(m.width) + "x" +
                               std::to_string(m.height) + " px (the minimum is " +
                               std::to_string(config_.min_width) + "x" +
                               std::to_string(config_.min_height) + ")");
      }
    }
  }
  if (config_.empty) {
    for (std::string_view text : task.texts)
      if (IsBlank(text)) flag("empty", "the text is empty");
  }
  if (config_.duplicates) {
    auto it = content_.find(task.content);
    if (it != content_.end() && it->second != task.task_id)
      flag("duplicate", "duplicate of task " + std::to_string(it->second));
  }
  if (config_.near_duplicate_images) {
    for (const ImageMeasure& m : task.images) {
      if (!m.readable) continue;
      if (auto hit = phash_.Nearest(m.phash)) {
        flag("near_duplicate", "looks like task " + std::to_string(hit->first) +
                                   " (perceptual hash distance " +
                                   std::to_string(hit->second) + " of 64)");
      }
    }
  }
  if (config_.near_duplicate_texts) {
    for (uint64_t h : simhashes) {
      if (auto hit = simhash_.Nearest(h)) {
        flag("near_duplicate", "reads like task " + std::to_string(hit->first) +
                                   " (SimHash distance " + std::to_string(hit->second) +
                                   " of 64)");
      }
    }
  }
  if (config_.blurry) {
    for (const ImageMeasure& m : task.images) {
      if (m.readable && m.sharpness < config_.blur_threshold) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "sharpness %.1f is below the threshold %g", m.sharpness,
                      config_.blur_threshold);
        flag("blurry", buf);
      }
    }
  }

  // Only tasks that stay in the queue become the reference for later ones, so
  // a chain of near-duplicates is measured against the item that was kept.
  content_.emplace(task.content, task.task_id);  // keeps the first holder
  if (v.reason.empty()) {
    for (const ImageMeasure& m : task.images)
      if (m.readable) phash_.Add(task.task_id, m.phash);
    for (uint64_t h : simhashes) simhash_.Add(task.task_id, h);
  }
  return v;
}

}  // namespace tessera
