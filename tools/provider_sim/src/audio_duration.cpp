#include "audio_duration.h"

#include <cstdint>

namespace gantry::sim {
namespace {

uint32_t le32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

}  // namespace

std::optional<double> wavDuration(std::string_view bytes) {
  if (bytes.size() < 12 || bytes.substr(0, 4) != "RIFF" || bytes.substr(8, 4) != "WAVE") {
    return std::nullopt;
  }
  uint32_t byte_rate = 0;
  size_t at = 12;
  while (at + 8 <= bytes.size()) {
    const std::string_view id = bytes.substr(at, 4);
    const uint32_t size = le32(bytes, at + 4);
    const size_t body = at + 8;
    if (id == "fmt " && size >= 16 && body + 16 <= bytes.size()) {
      byte_rate = le32(bytes, body + 8);
    } else if (id == "data") {
      if (byte_rate == 0) {
        return std::nullopt;
      }
      // A streamed WAV may state a size larger than what follows.
      const size_t available = bytes.size() - body;
      const size_t data = size > available ? available : size;
      return static_cast<double>(data) / byte_rate;
    }
    // Chunks are padded to an even size.
    at = body + size + (size & 1u);
    if (at < body) {
      return std::nullopt;  // overflow
    }
  }
  return std::nullopt;
}

}  // namespace gantry::sim
