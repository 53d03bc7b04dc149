// utf8SequenceLength, isValidUtf8 and sanitizeText: what counts as valid UTF-8, and cuts
// that never split a character.
#include "gantry/common/utf8.h"

#include <gtest/gtest.h>

namespace gantry {
namespace {

TEST(Utf8, ValidSequencesHaveTheirLength) {
  EXPECT_EQ(utf8SequenceLength("a"), 1u);
  EXPECT_EQ(utf8SequenceLength("\xC3\xA9"), 2u);           // é
  EXPECT_EQ(utf8SequenceLength("\xE2\x82\xAC rest"), 3u);  // €
  EXPECT_EQ(utf8SequenceLength("\xF0\x9F\x8E\x99"), 4u);   // 🎙
  EXPECT_EQ(utf8SequenceLength("\xF4\x8F\xBF\xBF"), 4u);   // U+10FFFF
}

TEST(Utf8, InvalidSequencesHaveLengthZero) {
  EXPECT_EQ(utf8SequenceLength("\x80"), 0u);              // stray continuation
  EXPECT_EQ(utf8SequenceLength("\xC3"), 0u);              // truncated
  EXPECT_EQ(utf8SequenceLength("\xC3("), 0u);             // bad continuation
  EXPECT_EQ(utf8SequenceLength("\xC0\x80"), 0u);          // overlong NUL
  EXPECT_EQ(utf8SequenceLength("\xE0\x80\xAF"), 0u);      // overlong '/'
  EXPECT_EQ(utf8SequenceLength("\xED\xA0\x80"), 0u);      // surrogate
  EXPECT_EQ(utf8SequenceLength("\xF4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(utf8SequenceLength("\xFF"), 0u);
}

TEST(Utf8, WholeTextIsValidOnlyIfEverySequenceIs) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("plain \xE2\x82\xAC"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));         // overlong '/'
  EXPECT_FALSE(isValidUtf8("ok \xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(isValidUtf8("\xE2\x82"));         // truncated
}

TEST(Utf8, SanitizeReplacesInvalidBytesAndNeverSplitsACharacter) {
  EXPECT_EQ(sanitizeText("ok \xFF\xC3(", 100),
            "ok ?"
            "?(");
  EXPECT_EQ(sanitizeText("caf\xC3\xA9", 4), "caf");  // é does not fit whole
  EXPECT_EQ(sanitizeText("caf\xC3\xA9", 5), "caf\xC3\xA9");
  EXPECT_EQ(sanitizeText("", 10), "");
}

}  // namespace
}  // namespace gantry
