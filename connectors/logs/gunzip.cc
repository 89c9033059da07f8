#include "connectors/logs/gunzip.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>

namespace timelined::connectors::logs {
namespace {

constexpr size_t kChunk = 64 * 1024;

// Owns a z_stream set up for gzip decoding.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool ok() const { return ok_; }
  z_stream& zs() { return zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

auto Corrupt(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_gzip", std::move(detail));
}

}  // namespace

Result<std::string> Gunzip(std::string_view compressed, size_t max_output) {
  if (compressed.size() > UINT_MAX) {
    return MakeError(ErrorCode::kTooLarge, "body_too_large", "compressed body over 4 GiB");
  }
  Inflater inflater;
  if (!inflater.ok()) return MakeError(ErrorCode::kInternal, "zlib_init_failed");
  z_stream& zs = inflater.zs();
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  std::array<char, kChunk> buf;
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return Corrupt(zs.msg != nullptr ? zs.msg : "corrupt gzip data");
    }
    const size_t produced = buf.size() - zs.avail_out;
    if (out.size() + produced > max_output) {
      return MakeError(ErrorCode::kTooLarge, "body_too_large",
                       "decompressed body exceeds " + std::to_string(max_output) + " bytes");
    }
    out.append(buf.data(), produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) return out;
      // Another gzip member follows (concatenated streams are valid gzip).
      if (inflateReset(&zs) != Z_OK) return Corrupt("cannot reset for the next member");
      continue;
    }
    if (rc == Z_BUF_ERROR || (produced == 0 && zs.avail_in == 0)) {
      return Corrupt("truncated gzip data");
    }
  }
}

}  // namespace timelined::connectors::logs
