#include "summarizer/ids.h"

#include <algorithm>

namespace timelined::summarizer {
namespace {

// Rank of a base32 character in ASCII order ('2'..'7' sort before 'a'..'z'), so packed
// bytes compare like the strings.
int Rank(char c) {
  if (c >= '2' && c <= '7') return c - '2';
  if (c >= 'a' && c <= 'z') return 6 + (c - 'a');
  return -1;
}

char Unrank(int r) { return r < 6 ? static_cast<char>('2' + r) : static_cast<char>('a' + r - 6); }

bool IsPrefixChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

std::optional<PackedId> PackId(std::string_view id) {
  if (id.size() != 19 || id[2] != '_' || !IsPrefixChar(id[0]) || !IsPrefixChar(id[1]))
    return std::nullopt;
  uint8_t b[12];
  b[0] = static_cast<uint8_t>(id[0]);
  b[1] = static_cast<uint8_t>(id[1]);
  for (int half = 0; half < 2; ++half) {  // 16 chars x 5 bits = 80 bits, 40 at a time
    uint64_t bits = 0;
    for (int k = 0; k < 8; ++k) {
      int r = Rank(id[3 + half * 8 + k]);
      if (r < 0) return std::nullopt;
      bits = (bits << 5) | static_cast<uint64_t>(r);
    }
    for (int k = 0; k < 5; ++k) b[2 + half * 5 + k] = static_cast<uint8_t>(bits >> (8 * (4 - k)));
  }
  PackedId p;
  for (size_t i = 0; i < 3; ++i) {
    p.w[i] = (uint32_t{b[4 * i]} << 24) | (uint32_t{b[4 * i + 1]} << 16) |
             (uint32_t{b[4 * i + 2]} << 8) | uint32_t{b[4 * i + 3]};
  }
  return p;
}

std::string UnpackId(const PackedId& p) {
  uint8_t b[12];
  for (int i = 0; i < 12; ++i) b[i] = static_cast<uint8_t>(p.w[i / 4] >> (8 * (3 - i % 4)));
  std::string id(19, '_');
  id[0] = static_cast<char>(b[0]);
  id[1] = static_cast<char>(b[1]);
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = 0;
    for (int k = 0; k < 5; ++k) bits = (bits << 8) | b[2 + half * 5 + k];
    for (int k = 7; k >= 0; --k) {
      id[3 + half * 8 + k] = Unrank(static_cast<int>(bits & 31));
      bits >>= 5;
    }
  }
  return id;
}

void IdList::Add(std::string_view id) {
  if (auto p = PackId(id)) {
    packed_.push_back(*p);
  } else {
    other_.emplace_back(id);
  }
}

void IdList::Append(const IdList& other) {
  packed_.insert(packed_.end(), other.packed_.begin(), other.packed_.end());
  other_.insert(other_.end(), other.other_.begin(), other.other_.end());
}

void IdList::SortUnique() {
  std::sort(packed_.begin(), packed_.end());
  packed_.erase(std::unique(packed_.begin(), packed_.end()), packed_.end());
  std::sort(other_.begin(), other_.end());
  other_.erase(std::unique(other_.begin(), other_.end()), other_.end());
}

bool IdList::Contains(std::string_view id) const {
  if (auto p = PackId(id)) return std::binary_search(packed_.begin(), packed_.end(), *p);
  return std::binary_search(other_.begin(), other_.end(), id);
}

std::vector<std::string> IdList::ToStrings() const {
  std::vector<std::string> out;
  out.reserve(size());
  ForEach([&out](std::string_view id) { out.emplace_back(id); });
  return out;
}

}  // namespace timelined::summarizer
