// TFRecord files and the tf.train.Example messages inside them, written and
// read without TensorFlow or generated protobuf code.
//
// A TFRecord file is a sequence of records, each framed as
//   uint64 length (little-endian), uint32 masked CRC-32C of those 8 bytes,
//   `length` bytes of data, uint32 masked CRC-32C of the data,
// where mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8.
//
// The data of each record is a tf.train.Example in protobuf wire encoding.
// Only its few message types are handled, by hand (about 200 lines: this was
// judged lighter than generating code from a .proto with libprotobuf-dev):
//   Example   { Features features = 1; }
//   Features  { map<string, Feature> feature = 1; }   (entries: key = 1, value = 2)
//   Feature   { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
//   BytesList { repeated bytes value = 1; }
//   FloatList { repeated float value = 1 [packed]; }  Int64List { repeated int64 value = 1 [packed]; }
// The decoder accepts packed and unpacked numbers and skips unknown fields.
//
// Thread-safety: plain functions and values; a RecordReader is used by one thread.
#ifndef TESSERA_SRC_FORMATS_TFRECORD_IO_H_
#define TESSERA_SRC_FORMATS_TFRECORD_IO_H_

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/status.h"

namespace tessera::formats::tfrecord {

// CRC-32C (Castagnoli), as TFRecord uses it, and TFRecord's mask of it.
uint32_t Crc32c(std::string_view data);
uint32_t MaskCrc(uint32_t crc);

// One framed record: header, data, footer.
std::string FrameRecord(std::string_view data);

// Reads framed records from a stream, checking both CRCs.
class RecordReader {
 public:
  // `max_record_bytes` bounds the memory one record may take.
  RecordReader(std::istream& in, uint64_t max_record_bytes) : in_(in), max_record_bytes_(max_record_bytes) {}
  // Reads the next record into `data`. Returns false at the end of the file.
  // A record whose data CRC does not match is skipped and reported through
  // `corrupt` (0-based record index and why); a bad length CRC or a truncated
  // record ends reading with Corruption, since the framing is lost.
  Result<bool> Next(std::string* data, std::vector<std::pair<int64_t, std::string>>* corrupt);
  int64_t index() const { return index_; }  // records read so far, good or not

 private:
  std::istream& in_;
  uint64_t max_record_bytes_;
  int64_t index_ = 0;
};

// A tf.train.Feature: exactly one of the lists is in use (per `kind`).
struct Feature {
  enum class Kind { kBytes, kFloat, kInt64 };
  Kind kind = Kind::kBytes;
  std::vector<std::string> bytes;
  std::vector<float> floats;
  std::vector<int64_t> ints;

  static Feature Bytes(std::vector<std::string> values);
  static Feature Floats(std::vector<float> values);
  static Feature Ints(std::vector<int64_t> values);
};

// A tf.train.Example: its features by name, in the order written or read.
struct Example {
  std::vector<std::pair<std::string, Feature>> features;

  void Add(std::string name, Feature feature) { features.emplace_back(std::move(name), std::move(feature)); }
  // nullptr when absent (the last one wins when a name repeats, as in protobuf maps).
  const Feature* Find(std::string_view name) const;
};

std::string EncodeExample(const Example& example);
// InvalidArgument naming what is malformed.
Result<Example> DecodeExample(std::string_view data);

}  // namespace tessera::formats::tfrecord

#endif  // TESSERA_SRC_FORMATS_TFRECORD_IO_H_
