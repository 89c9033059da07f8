#pragma once
// The input digest of a draft: lower-case hex SHA-256 over the lines
//   <id> ":" <raw_sha256> "\n"
// of every cited event, sorted by id (byte order), each id once. It depends only on which
// events are cited and on the bytes they were received as, so anyone can recompute it from
// the store (verify.h does). Pure.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/event.h"

namespace timelined::summarizer {

std::string InputDigest(const std::vector<Event>& cited);

// Incremental form for large drafts: Add (any order; duplicates ignored) then Finish once.
// Keeps 44 bytes per standard ID; hashes incrementally, so no digest input string is built.
class InputDigestBuilder {
 public:
  InputDigestBuilder();
  ~InputDigestBuilder();
  void Add(std::string_view id, std::string_view raw_sha256);
  std::string Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace timelined::summarizer
