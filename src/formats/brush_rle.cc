// Label Studio's brush RLE (@thi.ng/rle-pack bit stream); see brush_rle.h.
#include "src/formats/brush_rle.h"

#include <algorithm>

namespace tessera::formats {
namespace {

using nlohmann::json;

constexpr size_t kHeaderBits = 32 + 5 + 4 * 4;

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint64_t left() const { return bytes_.size() * 8 - pos_; }
  // `n` (<= 32) bits, most significant first; the caller checks left().
  uint32_t Read(int n) {
    uint32_t out = 0;
    for (int i = 0; i < n; ++i, ++pos_) {
      out = (out << 1) | ((bytes_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1u);
    }
    return out;
  }

 private:
  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
};

class BitWriter {
 public:
  void Write(uint32_t value, int n) {
    for (int i = n - 1; i >= 0; --i) {
      if ((bits_ & 7) == 0) out_.push_back(0);
      if ((value >> i) & 1u) out_.back() |= static_cast<uint8_t>(0x80u >> (bits_ & 7));
      ++bits_;
    }
  }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
  uint64_t bits_ = 0;
};

constexpr std::array<int, 4> kRunBits = {3, 4, 8, 16};

// Class of the smallest run field that holds n - 1.
int RunClass(uint32_t n) {
  for (int c = 0; c < 4; ++c) {
    if (n - 1 < (1u << kRunBits[static_cast<size_t>(c)])) return c;
  }
  return 3;
}

}  // namespace

Result<LsRleHeader> ReadLsRleHeader(std::span<const uint8_t> bytes) {
  BitReader in(bytes);
  if (in.left() < kHeaderBits) {
    return Status::InvalidArgument("RLE of " + std::to_string(bytes.size()) + " bytes is shorter than its 7-byte header");
  }
  LsRleHeader header;
  header.words = in.Read(32);
  header.word_size = static_cast<int>(in.Read(5)) + 1;
  for (int& bits : header.run_bits) bits = static_cast<int>(in.Read(4)) + 1;
  return header;
}

Result<std::vector<uint8_t>> DecodeLsRle(std::span<const uint8_t> bytes, uint64_t max_words) {
  TESSERA_ASSIGN_OR_RETURN(LsRleHeader header, ReadLsRleHeader(bytes));
  if (header.words > max_words) {
    return Status::InvalidArgument("RLE declares " + std::to_string(header.words) + " values; at most " +
                                   std::to_string(max_words) + " expected");
  }
  BitReader in(bytes);
  in.Read(32);  // the header, read above
  in.Read(21);
  std::vector<uint8_t> out(header.words);
  const int ws = header.word_size;
  uint64_t i = 0;
  while (i < header.words) {
    if (in.left() < 3) return Status::InvalidArgument("RLE ends after " + std::to_string(i) + " values");
    bool repeat = in.Read(1) != 0;
    int run_bits = header.run_bits[in.Read(2)];
    if (in.left() < static_cast<uint64_t>(run_bits)) return Status::InvalidArgument("RLE ends inside a run length");
    uint64_t n = uint64_t{in.Read(run_bits)} + 1;
    if (i + n > header.words) {
      return Status::InvalidArgument("RLE run at value " + std::to_string(i) + " passes the declared count " +
                                     std::to_string(header.words));
    }
    uint64_t need = repeat ? static_cast<uint64_t>(ws) : n * static_cast<uint64_t>(ws);
    if (in.left() < need) return Status::InvalidArgument("RLE ends inside a run's values");
    if (repeat) {
      std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(i), n, static_cast<uint8_t>(in.Read(ws)));
      i += n;
    } else {
      for (uint64_t end = i + n; i < end; ++i) out[i] = static_cast<uint8_t>(in.Read(ws));
    }
  }
  return out;
}

std::vector<uint8_t> EncodeLsRle(std::span<const uint8_t> words) {
  BitWriter out;
  out.Write(static_cast<uint32_t>(words.size()), 32);
  out.Write(8 - 1, 5);
  for (int bits : kRunBits) out.Write(static_cast<uint32_t>(bits - 1), 4);
  constexpr uint32_t kMaxRun = 1u << 16;
  size_t literal_start = 0, literal_len = 0;
  auto flush_literals = [&]() {
    while (literal_len > 0) {
      uint32_t n = static_cast<uint32_t>(std::min<size_t>(literal_len, kMaxRun));
      int c = RunClass(n);
      out.Write(0, 1);
      out.Write(static_cast<uint32_t>(c), 2);
      out.Write(n - 1, kRunBits[static_cast<size_t>(c)]);
      for (uint32_t k = 0; k < n; ++k) out.Write(words[literal_start + k], 8);
      literal_start += n;
      literal_len -= n;
    }
  };
  size_t i = 0;
  while (i < words.size()) {
    size_t j = i + 1;
    while (j < words.size() && words[j] == words[i]) ++j;
    size_t run = j - i;
    if (run == 1) {
      if (literal_len == 0) literal_start = i;
      ++literal_len;
    } else {
      flush_literals();
      while (run > 0) {
        uint32_t n = static_cast<uint32_t>(std::min<size_t>(run, kMaxRun));
        int c = RunClass(n);
        out.Write(1, 1);
        out.Write(static_cast<uint32_t>(c), 2);
        out.Write(n - 1, kRunBits[static_cast<size_t>(c)]);
        out.Write(words[i], 8);
        run -= n;
      }
    }
    i = j;
  }
  flush_literals();
  return out.Take();
}

Result<std::vector<uint8_t>> MaskFromLsRle(const json& rle, int64_t width, int64_t height) {
  if (!rle.is_array() || rle.empty()) return Status::FieldInvalid("rle", "rle must be a non-empty array of bytes (0-255)");
  if (width <= 0 || height <= 0 || width * height > kMaxMaskPixels) {
    return Status::FieldInvalid("rle", "a brush mask needs original_width and original_height with at most " +
                                           std::to_string(kMaxMaskPixels) + " pixels; got " + std::to_string(width) +
                                           "x" + std::to_string(height));
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(rle.size());
  for (const json& v : rle) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 255) {
      return Status::FieldInvalid("rle", "rle must hold integers 0-255; got " + v.dump());
    }
    bytes.push_back(static_cast<uint8_t>(v.get<int64_t>()));
  }
  const uint64_t words = static_cast<uint64_t>(width * height) * 4;
  auto header = ReadLsRleHeader(bytes);
  if (!header.ok()) return Status::FieldInvalid("rle", header.status().message());
  if (header->words != words) {
    return Status::FieldInvalid("rle", "rle holds " + std::to_string(header->words) + " values; a " +
                                           std::to_string(width) + "x" + std::to_string(height) +
                                           " RGBA image has " + std::to_string(words));
  }
  auto rgba = DecodeLsRle(bytes, words);
  if (!rgba.ok()) return Status::FieldInvalid("rle", rgba.status().message());
  std::vector<uint8_t> mask(static_cast<size_t>(width * height));
  for (size_t p = 0; p < mask.size(); ++p) mask[p] = (*rgba)[p * 4 + 3];
  return mask;
}

json LsRleFromMask(const std::vector<uint8_t>& mask) {
  std::vector<uint8_t> rgba(mask.size() * 4);
  for (size_t p = 0; p < mask.size(); ++p) std::fill_n(rgba.begin() + static_cast<std::ptrdiff_t>(p * 4), 4, mask[p]);
  std::vector<uint8_t> packed = EncodeLsRle(rgba);
  json out = json::array();
  out.get_ref<json::array_t&>().reserve(packed.size());
  for (uint8_t b : packed) out.push_back(b);
  return out;
}

}  // namespace tessera::formats
