#pragma once
// Small cryptographic helpers over OpenSSL. Pure functions; thread-safe.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace timelined {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
// Lower-case hex of SHA-256(data): 64 chars.
std::string Sha256Hex(std::string_view data);
// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);
Sha256Digest HmacSha256(std::string_view key, std::string_view message);

std::string HexEncode(const uint8_t* data, size_t n);
// Decodes hex (either case). Returns false on odd length or a non-hex character.
bool HexDecode(std::string_view hex, std::string* out);
// 0..15 for a hex digit (either case), -1 otherwise.
int HexDigitValue(char c);
// Lower-case RFC 4648 base32 (alphabet a-z2-7), no padding, of the first `bits` bits.
std::string Base32Lower(const uint8_t* data, size_t n, size_t chars);

// Compares in time that depends only on the lengths, not on the contents.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace timelined
