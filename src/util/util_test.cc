#include "tessera/util.h"

#include <gtest/gtest.h>

#include "tessera/status.h"

namespace tessera {
namespace {

TEST(UtilTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(UtilTest, RandomHexHasRequestedLengthAndDiffers) {
  std::string a = RandomHex(20), b = RandomHex(20);
  EXPECT_EQ(a.size(), 40u);
  EXPECT_NE(a, b);
}

TEST(UtilTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(UtilTest, ParseInt64RejectsJunk) {
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64("42", &v));
  EXPECT_EQ(v, 42);
  EXPECT_FALSE(ParseInt64("42x", &v));
  EXPECT_FALSE(ParseInt64("", &v));
  EXPECT_FALSE(ParseInt64("99999999999999999999", &v));
}

TEST(UtilTest, IsoTime) { EXPECT_EQ(FormatIsoTime(1000), "1970-01-01T00:00:01.000000Z"); }

TEST(StatusTest, ResultCarriesValueOrStatus) {
  Result<int> good = 5;
  Result<int> bad = Status::NotFound("no such task: 7");
  EXPECT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace tessera
