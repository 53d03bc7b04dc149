#include "bytea_hex.h"

#include <stdexcept>

#include "gantry/common/hex.h"

namespace gantry::broker::store {
std::string decodeByteaHex(std::string_view text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    throw std::invalid_argument("bytea value is not in hex form (bytea_output must be 'hex')");
  }
  std::string out;
  out.resize((text.size() - 2) / 2);
  for (size_t i = 2, o = 0; i < text.size(); i += 2, ++o) {
    const int hi = hexDigitValue(text[i]);
    const int lo = hexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      throw std::invalid_argument("bytea value has a non-hex digit");
    }
    out[o] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace gantry::broker::store
