#include "tessera/util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <vector>

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

// FormatIsoTime as it was (gmtime_r and snprintf), the reference for the
// direct formatter.
std::string IsoTimeThroughGmtime(TimeMs ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int micros = static_cast<int>((ms % 1000) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
  return buf;
}

TEST(UtilTest, IsoTimeKnownValues) {
  EXPECT_EQ(FormatIsoTime(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatIsoTime(999), "1970-01-01T00:00:00.999000Z");
  EXPECT_EQ(FormatIsoTime(951'782'400'000), "2000-02-29T00:00:00.000000Z");  // 400-year leap day
  EXPECT_EQ(FormatIsoTime(1'709'251'199'123), "2024-02-29T23:59:59.123000Z");
  EXPECT_EQ(FormatIsoTime(4'107'542'399'999), "2100-02-28T23:59:59.999000Z");
  EXPECT_EQ(FormatIsoTime(4'107'542'400'000), "2100-03-01T00:00:00.000000Z");  // 2100 is not leap
  EXPECT_EQ(FormatIsoTime(253'402'300'799'999), "9999-12-31T23:59:59.999000Z");
  std::string out = "x";
  AppendIsoTime(out, 86'400'001);
  EXPECT_EQ(out, "x1970-01-02T00:00:00.001000Z");
}

TEST(UtilTest, IsoTimeMatchesGmtime) {
  std::vector<TimeMs> times = {0, 1, 999, 1000, 86'399'999, 86'400'000, 68'169'599'999,
                               68'169'600'000,  // 1972-02-29
                               951'868'799'999, 951'868'800'000, 4'107'542'400'000,
                               4'102'444'800'000, 253'402'300'799'999,
                               253'402'300'800'000,  // year 10000: five digits
                               253'402'300'800'001, 300'000'000'000'000, -1, -999, -1000,
                               -86'400'001, -2'208'988'800'000};
  // Every day boundary (and the millisecond either side) over 2000-2103,
  // which covers 2000 and 2100 and each leap year between.
  for (TimeMs day_ms = 946'684'800'000; day_ms < 4'230'000'000'000; day_ms += 86'400'000) {
    times.push_back(day_ms - 1);
    times.push_back(day_ms);
    times.push_back(day_ms + 1);
  }
  uint64_t state = 88172645463325252ull;  // xorshift64: spread over [0, year 10000)
  for (int sample_idx = 0; sample_idx < 200'000; ++sample_idx) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    times.push_back(static_cast<TimeMs>(state % 253'402'300'800'000ull));
  }
  for (TimeMs ms : times) ASSERT_EQ(FormatIsoTime(ms), IsoTimeThroughGmtime(ms)) << "ms = " << ms;
}

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
