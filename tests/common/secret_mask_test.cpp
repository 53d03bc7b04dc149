// maskConnectionSecrets: both libpq forms lose their
// password and nothing else, alone or quoted inside a message.
#include "gantry/common/secret_mask.h"

#include <gtest/gtest.h>

namespace gantry {
namespace {

TEST(SecretMask, UriPasswordIsMaskedAndTheRestKept) {
  EXPECT_EQ(maskConnectionSecrets("postgresql://gantry:s3cret@db:5432/gantry"),
            "postgresql://gantry:****@db:5432/gantry");
  EXPECT_EQ(maskConnectionSecrets("postgres://u:p%40ss@h1,h2/db?sslmode=require"),
            "postgres://u:****@h1,h2/db?sslmode=require");
}

TEST(SecretMask, UriWithoutPasswordIsUnchanged) {
  for (const char* url : {"postgresql://gantry@db/gantry", "postgresql://db:5432/gantry",
                          "postgresql:///gantry?host=/run/postgresql", "tcp://127.0.0.1:5555"}) {
    EXPECT_EQ(maskConnectionSecrets(url), url);
  }
}

TEST(SecretMask, UriPasswordHoldingASlashIsStillMasked) {
  EXPECT_EQ(maskConnectionSecrets("postgresql://u:pa/ss@db/gantry"),
            "postgresql://u:****@db/gantry");
}

TEST(SecretMask, UriQueryPasswordIsMasked) {
  EXPECT_EQ(maskConnectionSecrets("postgresql://u@db/gantry?password=s3cret&sslmode=require"),
            "postgresql://u@db/gantry?password=****&sslmode=require");
}

TEST(SecretMask, KeywordPasswordIsMaskedAndTheRestKept) {
  EXPECT_EQ(maskConnectionSecrets("host=db password=s3cret dbname=gantry"),
            "host=db password=**** dbname=gantry");
  EXPECT_EQ(maskConnectionSecrets("host=db password = s3cret"), "host=db password = ****");
  EXPECT_EQ(maskConnectionSecrets("password=a&b host=db"), "password=**** host=db");
}

TEST(SecretMask, QuotedKeywordPasswordIsMaskedWhole) {
  EXPECT_EQ(maskConnectionSecrets(R"(host=db password='with space \' quote' user=gantry)"),
            "host=db password=**** user=gantry");
  EXPECT_EQ(maskConnectionSecrets("password='unterminated"), "password=****");
}

TEST(SecretMask, ConnectionStringsInsideAMessageAreMasked) {
  EXPECT_EQ(maskConnectionSecrets("unexpected arguments: postgresql://u:pw@db/x extra"),
            "unexpected arguments: postgresql://u:****@db/x extra");
  // An unquoted value runs to the next space: hiding a closing quote too
  // is the price of never showing a password that holds one.
  EXPECT_EQ(maskConnectionSecrets("bad conninfo \"host=db password=pw\": oops"),
            "bad conninfo \"host=db password=**** oops");
}

TEST(SecretMask, WordsThatMerelyContainPasswordAreLeftAlone) {
  EXPECT_EQ(maskConnectionSecrets("password authentication failed for user \"gantry\""),
            "password authentication failed for user \"gantry\"");
  EXPECT_EQ(maskConnectionSecrets("passwords=1 mypassword=2"), "passwords=1 mypassword=2");
}

TEST(SecretMask, MaskSecretSaysOnlyWhetherItIsSet) {
  EXPECT_EQ(maskSecret("key-123"), "****");
  EXPECT_EQ(maskSecret(""), "");
}

}  // namespace
}  // namespace gantry
