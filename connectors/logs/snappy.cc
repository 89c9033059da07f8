#include "connectors/logs/snappy.h"

#include <snappy.h>

namespace timelined::connectors::logs {

Result<std::string> SnappyUncompress(std::string_view compressed, size_t max_output) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &length)) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_snappy",
                     "the body is not a snappy block (Loki protobuf pushes are snappy-compressed)");
  }
  if (length > max_output) {
    return MakeError(ErrorCode::kTooLarge, "body_too_large",
                     "the snappy block would decompress to " + std::to_string(length) +
                         " bytes, over the limit of " + std::to_string(max_output));
  }
  std::string out(length, '\0');
  if (!snappy::RawUncompress(compressed.data(), compressed.size(), out.data())) {
    return MakeError(ErrorCode::kInvalidInput, "invalid_snappy",
                     "the snappy block is corrupt or truncated");
  }
  return out;
}

}  // namespace timelined::connectors::logs
