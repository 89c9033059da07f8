#include "store/model/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace timelined {
namespace {

// Fetched once: OpenSSL 3 otherwise looks the implementation up on every call through
// EVP_sha256() / HMAC(), which costs more than hashing a short input (0.7 vs 0.3 us for
// an event ID). Kept for the life of the process.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

EVP_MAC* HmacMac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, Sha256Md(), nullptr);
  return out;
}

std::string Sha256Hex(std::string_view data) {
  Sha256Digest d = Sha256(data);
  return HexEncode(d.data(), d.size());
}

Sha256Digest HmacSha256(std::string_view key, std::string_view message) {
  Sha256Digest out{};
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_MAC_CTX* ctx = HmacMac() != nullptr ? EVP_MAC_CTX_new(HmacMac()) : nullptr) {
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    size_t len = 0;
    const bool ok = EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()),
                                 key.size(), params) == 1 &&
                    EVP_MAC_update(ctx, msg, message.size()) == 1 &&
                    EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
    EVP_MAC_CTX_free(ctx);
    if (ok) return out;
  }
  // The one-shot call as a fallback (it fetches on every call).
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), msg, message.size(), out.data(),
       &len);
  return out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  Sha256Digest d = HmacSha256(key, message);
  return HexEncode(d.data(), d.size());
}

std::string HexEncode(const uint8_t* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  std::string result(hex.size() / 2, '\0');
  for (size_t i = 0; i < result.size(); ++i) {
    int hi = HexDigitValue(hex[2 * i]);
    int lo = HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    result[i] = static_cast<char>((hi << 4) | lo);
  }
  *out = std::move(result);
  return true;
}

std::string Base32Lower(const uint8_t* data, size_t n, size_t chars) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  out.reserve(chars);
  size_t bit = 0;
  while (out.size() < chars && bit < n * 8) {
    unsigned value = 0;
    for (int k = 0; k < 5; ++k, ++bit) {
      value <<= 1;
      if (bit < n * 8) value |= (data[bit / 8] >> (7 - bit % 8)) & 1u;
    }
    out.push_back(kAlphabet[value]);
  }
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace timelined
