// TFRecord framing and tf.train.Example wire encoding (see tfrecord_io.h).
#include "src/formats/tfrecord_io.h"

#include <boost/crc.hpp>
#include <cstring>

namespace tessera::formats::tfrecord {
namespace {

// Protobuf wire types.
constexpr uint32_t kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

void PutVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutField(std::string* out, uint32_t field, std::string_view bytes) {
  PutVarint(out, (uint64_t{field} << 3) | kLengthDelimited);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

void PutFixed32(std::string* out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out->push_back(static_cast<char>((value >> shift) & 0xFF));
}

void PutFixed64(std::string* out, uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out->push_back(static_cast<char>((value >> shift) & 0xFF));
}

uint64_t GetFixed(std::string_view bytes, size_t n) {
  uint64_t value = 0;
  for (size_t i = 0; i < n; ++i) value |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  return value;
}

// Reads the fields of one message in turn.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  // Next field's number and wire type; its payload is read by one of the
  // Read* calls (or skipped by Skip).
  bool Tag(uint32_t* field, uint32_t* wire_type) {
    uint64_t tag;
    if (!Varint(&tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1FFFFFFF) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return true;
  }
  bool Varint(uint64_t* value) {
    *value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      auto byte = static_cast<unsigned char>(data_[pos_++]);
      *value |= uint64_t{byte & 0x7Fu} << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool Bytes(std::string_view* bytes) {
    uint64_t size;
    if (!Varint(&size) || size > data_.size() - pos_) return false;
    *bytes = data_.substr(pos_, static_cast<size_t>(size));
    pos_ += static_cast<size_t>(size);
    return true;
  }
  bool Fixed(size_t n, uint64_t* value) {
    if (data_.size() - pos_ < n) return false;
    *value = GetFixed(data_.substr(pos_, n), n);
    pos_ += n;
    return true;
  }
  bool Skip(uint32_t wire_type) {
    uint64_t ignored;
    std::string_view ignored_bytes;
    switch (wire_type) {
      case kVarint: return Varint(&ignored);
      case kFixed64: return Fixed(8, &ignored);
      case kLengthDelimited: return Bytes(&ignored_bytes);
      case kFixed32: return Fixed(4, &ignored);
      default: return false;  // groups are not used by these messages
    }
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

float FloatFromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

Status Malformed(const std::string& what) { return Status::InvalidArgument("malformed tf.train.Example: " + what); }

// The list inside a Feature (BytesList, FloatList or Int64List).
Status DecodeList(std::string_view data, Feature* feature) {
  WireReader r(data);
  while (!r.done()) {
    uint32_t field, wire_type;
    if (!r.Tag(&field, &wire_type)) return Malformed("bad tag in a value list");
    if (field != 1) {
      if (!r.Skip(wire_type)) return Malformed("bad field in a value list");
      continue;
    }
    if (feature->kind == Feature::Kind::kBytes) {
      std::string_view bytes;
      if (wire_type != kLengthDelimited || !r.Bytes(&bytes)) return Malformed("bad bytes value");
      feature->bytes.emplace_back(bytes);
    } else if (feature->kind == Feature::Kind::kFloat) {
      uint64_t bits;
      if (wire_type == kFixed32) {
        if (!r.Fixed(4, &bits)) return Malformed("truncated float");
        feature->floats.push_back(FloatFromBits(static_cast<uint32_t>(bits)));
      } else if (wire_type == kLengthDelimited) {
        std::string_view packed;
        if (!r.Bytes(&packed) || packed.size() % 4) return Malformed("bad packed floats");
        for (size_t at = 0; at < packed.size(); at += 4) {
          feature->floats.push_back(FloatFromBits(static_cast<uint32_t>(GetFixed(packed.substr(at, 4), 4))));
        }
      } else {
        return Malformed("float with wire type " + std::to_string(wire_type));
      }
    } else {
      uint64_t value;
      if (wire_type == kVarint) {
        if (!r.Varint(&value)) return Malformed("truncated int64");
        feature->ints.push_back(static_cast<int64_t>(value));
      } else if (wire_type == kLengthDelimited) {
        std::string_view packed;
        if (!r.Bytes(&packed)) return Malformed("bad packed int64s");
        WireReader p(packed);
        while (!p.done()) {
          if (!p.Varint(&value)) return Malformed("bad packed int64");
          feature->ints.push_back(static_cast<int64_t>(value));
        }
      } else {
        return Malformed("int64 with wire type " + std::to_string(wire_type));
      }
    }
  }
  return Status::Ok();
}

Status DecodeFeature(std::string_view data, Feature* feature) {
  WireReader r(data);
  while (!r.done()) {
    uint32_t field, wire_type;
    if (!r.Tag(&field, &wire_type)) return Malformed("bad tag in a Feature");
    if (field < 1 || field > 3 || wire_type != kLengthDelimited) {
      if (!r.Skip(wire_type)) return Malformed("bad field in a Feature");
      continue;
    }
    std::string_view list;
    if (!r.Bytes(&list)) return Malformed("truncated Feature");
    // A oneof: the last list read wins.
    *feature = Feature();
    feature->kind = field == 1 ? Feature::Kind::kBytes : field == 2 ? Feature::Kind::kFloat : Feature::Kind::kInt64;
    TESSERA_RETURN_IF_ERROR(DecodeList(list, feature));
  }
  return Status::Ok();
}

}  // namespace

uint32_t Crc32c(std::string_view data) {
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
  crc.process_bytes(data.data(), data.size());
  return crc.checksum();
}

uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

std::string FrameRecord(std::string_view data) {
  std::string out;
  out.reserve(data.size() + 16);
  PutFixed64(&out, data.size());
  PutFixed32(&out, MaskCrc(Crc32c(out)));
  out.append(data);
  PutFixed32(&out, MaskCrc(Crc32c(data)));
  return out;
}

Result<bool> RecordReader::Next(std::string* data, std::vector<std::pair<int64_t, std::string>>* corrupt) {
  for (;;) {
    char header[12];
    in_.read(header, sizeof(header));
    if (in_.gcount() == 0) return false;
    const int64_t index = index_++;
    const std::string at = "record " + std::to_string(index);
    if (in_.gcount() != sizeof(header)) return Status::Corruption(at + ": truncated header");
    std::string_view head(header, sizeof(header));
    uint64_t length = GetFixed(head.substr(0, 8), 8);
    if (static_cast<uint32_t>(GetFixed(head.substr(8, 4), 4)) != MaskCrc(Crc32c(head.substr(0, 8)))) {
      return Status::Corruption(at + ": length CRC mismatch (the file is damaged from here on)");
    }
    if (length > max_record_bytes_) {
      return Status::PayloadTooLarge(at + " is " + std::to_string(length) + " bytes; the limit is " +
                                     std::to_string(max_record_bytes_));
    }
    data->resize(static_cast<size_t>(length));
    in_.read(data->data(), static_cast<std::streamsize>(length));
    if (static_cast<uint64_t>(in_.gcount()) != length) return Status::Corruption(at + ": truncated data");
    char footer[4];
    in_.read(footer, sizeof(footer));
    if (in_.gcount() != sizeof(footer)) return Status::Corruption(at + ": truncated data CRC");
    if (static_cast<uint32_t>(GetFixed(std::string_view(footer, 4), 4)) == MaskCrc(Crc32c(*data))) return true;
    corrupt->emplace_back(index, "data CRC mismatch");
  }
}

Feature Feature::Bytes(std::vector<std::string> values) {
  Feature f;
  f.kind = Kind::kBytes;
  f.bytes = std::move(values);
  return f;
}

Feature Feature::Floats(std::vector<float> values) {
  Feature f;
  f.kind = Kind::kFloat;
  f.floats = std::move(values);
  return f;
}

Feature Feature::Ints(std::vector<int64_t> values) {
  Feature f;
  f.kind = Kind::kInt64;
  f.ints = std::move(values);
  return f;
}

const Feature* Example::Find(std::string_view name) const {
  for (auto it = features.rbegin(); it != features.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

std::string EncodeExample(const Example& example) {
  std::string features;
  for (const auto& [name, feature] : example.features) {
    std::string list;
    uint32_t kind_field = 1;
    switch (feature.kind) {
      case Feature::Kind::kBytes:
        for (const std::string& value : feature.bytes) PutField(&list, 1, value);
        break;
      case Feature::Kind::kFloat: {
        kind_field = 2;
        std::string packed;
        for (float value : feature.floats) {
          uint32_t bits;
          std::memcpy(&bits, &value, sizeof(bits));
          PutFixed32(&packed, bits);
        }
        if (!packed.empty()) PutField(&list, 1, packed);
        break;
      }
      case Feature::Kind::kInt64: {
        kind_field = 3;
        std::string packed;
        for (int64_t value : feature.ints) PutVarint(&packed, static_cast<uint64_t>(value));
        if (!packed.empty()) PutField(&list, 1, packed);
        break;
      }
    }
    std::string encoded_feature;
    PutField(&encoded_feature, kind_field, list);
    std::string entry;
    PutField(&entry, 1, name);
    PutField(&entry, 2, encoded_feature);
    PutField(&features, 1, entry);
  }
  std::string out;
  PutField(&out, 1, features);
  return out;
}

Result<Example> DecodeExample(std::string_view data) {
  Example example;
  WireReader r(data);
  while (!r.done()) {
    uint32_t field, wire_type;
    if (!r.Tag(&field, &wire_type)) return Malformed("bad tag in Example");
    std::string_view features;
    if (field != 1 || wire_type != kLengthDelimited) {
      if (!r.Skip(wire_type)) return Malformed("bad field in Example");
      continue;
    }
    if (!r.Bytes(&features)) return Malformed("truncated Features");
    WireReader fr(features);
    while (!fr.done()) {
      std::string_view entry;
      if (!fr.Tag(&field, &wire_type)) return Malformed("bad tag in Features");
      if (field != 1 || wire_type != kLengthDelimited) {
        if (!fr.Skip(wire_type)) return Malformed("bad field in Features");
        continue;
      }
      if (!fr.Bytes(&entry)) return Malformed("truncated feature entry");
      std::string name;
      Feature feature;
      WireReader er(entry);
      while (!er.done()) {
        std::string_view bytes;
        if (!er.Tag(&field, &wire_type)) return Malformed("bad tag in a feature entry");
        if ((field == 1 || field == 2) && wire_type == kLengthDelimited) {
          if (!er.Bytes(&bytes)) return Malformed("truncated feature entry");
          if (field == 1) {
            name.assign(bytes);
          } else {
            TESSERA_RETURN_IF_ERROR(DecodeFeature(bytes, &feature));
          }
        } else if (!er.Skip(wire_type)) {
          return Malformed("bad field in a feature entry");
        }
      }
      example.Add(std::move(name), std::move(feature));
    }
  }
  return example;
}

}  // namespace tessera::formats::tfrecord
