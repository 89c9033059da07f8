#pragma once
// Compact storage for event IDs. A grouped timeline line cites every member event, so a
// group of a million log lines keeps a million IDs: as std::string that is ~64 bytes each,
// packed it is 12. A standard ID ("lg_" + 16 chars of [a-z2-7]) packs into 2 prefix bytes
// + 80 bits, ordered so that comparing packed bytes equals comparing the strings; anything
// else is kept as a string. Not thread-safe; values.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace timelined::summarizer {

// 12 bytes as three big-endian words: comparing words compares the ID strings.
struct PackedId {
  uint32_t w[3] = {0, 0, 0};
  auto operator<=>(const PackedId&) const = default;
  bool operator==(const PackedId&) const = default;
};

// nullopt when `id` is not "<2 chars of [a-z0-9]>_<16 chars of [a-z2-7]>".
std::optional<PackedId> PackId(std::string_view id);
std::string UnpackId(const PackedId& p);

class IdList {
 public:
  void Add(std::string_view id);
  void Append(const IdList& other);
  // Sorts by string order and drops duplicates. Required before Contains/ForEach order.
  void SortUnique();
  size_t size() const { return packed_.size() + other_.size(); }
  bool empty() const { return size() == 0; }
  // After SortUnique.
  bool Contains(std::string_view id) const;
  // Calls fn(std::string_view) for each ID in string order (after SortUnique).
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  std::vector<std::string> ToStrings() const;

 private:
  std::vector<PackedId> packed_;
  std::vector<std::string> other_;
};

template <typename Fn>
void IdList::ForEach(Fn&& fn) const {
  size_t i = 0, j = 0;
  std::string cur;
  while (i < packed_.size() || j < other_.size()) {
    if (i < packed_.size()) cur = UnpackId(packed_[i]);
    if (j < other_.size() && (i == packed_.size() || other_[j] < cur)) {
      fn(std::string_view(other_[j++]));
    } else {
      fn(std::string_view(cur));
      ++i;
    }
  }
}

}  // namespace timelined::summarizer
