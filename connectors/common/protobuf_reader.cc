#include "connectors/common/protobuf_reader.h"

namespace timelined::connectors {

bool ProtoReader::Varint(uint64_t* v) {
  uint64_t out = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) return false;
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    // The tenth byte may carry only the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) return false;
    out |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = out;
      return true;
    }
  }
  return false;
}

bool ProtoReader::Next(ProtoField* f) {
  if (failed_ || pos_ >= data_.size()) return false;
  uint64_t key = 0;
  if (!Varint(&key)) return Fail();
  const uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff) return Fail();
  f->number = static_cast<uint32_t>(number);
  f->value = 0;
  f->bytes = {};
  switch (key & 7) {
    case 0:
      f->type = WireType::kVarint;
      if (!Varint(&f->value)) return Fail();
      return true;
    case 1:
    case 5: {
      const size_t n = (key & 7) == 1 ? 8 : 4;
      if (data_.size() - pos_ < n) return Fail();
      for (size_t i = 0; i < n; ++i) {
        f->value |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
      }
      pos_ += n;
      f->type = n == 8 ? WireType::kI64 : WireType::kI32;
      return true;
    }
    case 2: {
      uint64_t len = 0;
      if (!Varint(&len) || len > data_.size() - pos_) return Fail();
      f->type = WireType::kLen;
      f->bytes = data_.substr(pos_, static_cast<size_t>(len));
      pos_ += static_cast<size_t>(len);
      return true;
    }
    default:  // 3, 4: groups; 6, 7: not defined
      return Fail();
  }
}

}  // namespace timelined::connectors
