#include "summarizer/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "store/model/hash.h"
#include "summarizer/ids.h"

namespace timelined::summarizer {
namespace {

using Raw = std::array<uint8_t, 32>;

bool DecodeLowerHex64(std::string_view hex, Raw* out) {
  if (hex.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (char c : {hex[2 * i], hex[2 * i + 1]}) {
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    (*out)[i] = static_cast<uint8_t>(v);
  }
  return true;
}

// EVP wrapper; the digest is lower-case hex.
class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256Stream() { EVP_MD_CTX_free(ctx_); }
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view s) { EVP_DigestUpdate(ctx_, s.data(), s.size()); }
  std::string Hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, md, &n);
    return HexEncode(md, n);
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

struct InputDigestBuilder::State {
  std::vector<std::pair<PackedId, Raw>> packed;
  std::vector<std::pair<std::string, std::string>> other;  // IDs or hashes that do not pack
};

InputDigestBuilder::InputDigestBuilder() : state_(std::make_unique<State>()) {}
InputDigestBuilder::~InputDigestBuilder() = default;

void InputDigestBuilder::Add(std::string_view id, std::string_view raw_sha256) {
  auto p = PackId(id);
  Raw raw;
  if (p && DecodeLowerHex64(raw_sha256, &raw)) {
    state_->packed.emplace_back(*p, raw);
  } else {
    state_->other.emplace_back(std::string(id), std::string(raw_sha256));
  }
}

std::string InputDigestBuilder::Finish() {
  auto& packed = state_->packed;
  auto& other = state_->other;
  auto same_id = [](const auto& a, const auto& b) { return a.first == b.first; };
  std::sort(packed.begin(), packed.end());
  packed.erase(std::unique(packed.begin(), packed.end(), same_id), packed.end());
  std::sort(other.begin(), other.end());
  other.erase(std::unique(other.begin(), other.end(), same_id), other.end());
  Sha256Stream sha;
  std::string line;
  size_t i = 0, j = 0;
  while (i < packed.size() || j < other.size()) {
    std::string id = i < packed.size() ? UnpackId(packed[i].first) : std::string();
    if (j < other.size() && (i == packed.size() || other[j].first < id)) {
      line = other[j].first + ":" + other[j].second + "\n";
      ++j;
    } else {
      line = id + ":" + HexEncode(packed[i].second.data(), 32) + "\n";
      ++i;
      while (j < other.size() && other[j].first == id) ++j;  // same ID added both ways
    }
    sha.Update(line);
  }
  return sha.Hex();
}

std::string InputDigest(const std::vector<Event>& cited) {
  InputDigestBuilder b;
  for (const Event& e : cited) b.Add(e.id, e.raw_sha256);
  return b.Finish();
}

}  // namespace timelined::summarizer
