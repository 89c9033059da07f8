#pragma once
// A reader of the protobuf wire format (protobuf.dev/programming-guides/encoding), for the
// few messages timelined accepts (the Loki push; OTLP next). No schema and no allocation:
// the caller walks a message's fields and descends into the length-delimited ones itself.
// Pure, thread-safe per reader.
//
//   ProtoReader r(bytes);
//   ProtoField f;
//   while (r.Next(&f)) { if (f.number == 1 && f.type == WireType::kLen) … }
//   if (r.failed()) … // malformed: truncated, a varint over 10 bytes, field number 0,
//                     // a group (wire types 3 and 4, which proto3 never writes) or type 6/7
#include <cstdint>
#include <string_view>

namespace timelined::connectors {

enum class WireType : uint8_t { kVarint = 0, kI64 = 1, kLen = 2, kI32 = 5 };

struct ProtoField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;      // kVarint, kI64 and kI32 (little-endian, zero-extended)
  std::string_view bytes;  // kLen: the payload, a view into the reader's input
};

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) : data_(data) {}

  // The next field into *f: true; false at the end of the input or when it is malformed
  // (then failed() is true and the reader stays failed).
  bool Next(ProtoField* f);
  bool failed() const { return failed_; }

 private:
  bool Varint(uint64_t* v);
  bool Fail() {
    failed_ = true;
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// A varint field's value as the int64 (two's complement) or int32 it encodes.
inline int64_t AsInt64(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace timelined::connectors
