// UTF-8 checks and cuts shared by every component that turns outside text
// into something it stores or sends: protobuf string fields and Postgres
// text both refuse invalid UTF-8. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gantry {

// Length of the valid UTF-8 sequence that starts `text` (1 for ASCII), or 0
// when it is invalid: a stray continuation byte, a truncated sequence, an
// overlong form, a surrogate or a code point past U+10FFFF. REQUIRES:
// `text` is not empty.
size_t utf8SequenceLength(std::string_view text);

// Strict UTF-8 throughout, in the sense of utf8SequenceLength.
bool isValidUtf8(std::string_view text);

// Valid UTF-8 of at most max_bytes: invalid bytes become '?', and a cut
// never splits a character.
std::string sanitizeText(std::string_view text, size_t max_bytes);

}  // namespace gantry
