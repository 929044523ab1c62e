#include "tessera/util.h"

#include <sodium.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <vector>

namespace tessera {

void InitCrypto() {
  // sodium_init is idempotent and thread-safe; it returns 1 when already done.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
}

TimeMs NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// The general form, through gmtime_r and snprintf: kept for times outside
// [1970, 10000), where the digit counts differ (and, for negative times, the
// output has always been what this prints).
std::string FormatIsoTimeSlow(TimeMs ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int micros = static_cast<int>((ms % 1000) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
  return buf;
}

constexpr int64_t kMsPerDay = 86'400'000;
// 10000-01-01T00:00:00Z: from here on the year has five digits.
constexpr TimeMs kYear10000Ms = 253'402'300'800'000;

void PutDigits(char* at, int64_t value, int width) {
  for (int digit_idx = width - 1; digit_idx >= 0; --digit_idx) {
    at[digit_idx] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void AppendIsoTime(std::string& out, TimeMs ms) {
  if (ms < 0 || ms >= kYear10000Ms) {
    out += FormatIsoTimeSlow(ms);
    return;
  }
  // Days since 1970-01-01 to a proleptic Gregorian date: shift the epoch to
  // 0000-03-01 so that the leap day ends the year, then split into 400-year
  // eras (146097 days), years of the era and days of the year.
  const int64_t days = ms / kMsPerDay;
  const int64_t ms_of_day = ms % kMsPerDay;
  const int64_t shifted = days + 719'468;  // days from 0000-03-01 to 1970-01-01
  const int64_t era = shifted / 146'097;
  const int64_t day_of_era = shifted - era * 146'097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  const int64_t month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

  char buf[27] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0', '0', ':',
                  '0', '0', ':', '0', '0', '.', '0', '0', '0', '0', '0', '0', 'Z'};
  PutDigits(buf, year, 4);
  PutDigits(buf + 5, month, 2);
  PutDigits(buf + 8, day, 2);
  PutDigits(buf + 11, ms_of_day / 3'600'000, 2);
  PutDigits(buf + 14, ms_of_day / 60'000 % 60, 2);
  PutDigits(buf + 17, ms_of_day / 1000 % 60, 2);
  PutDigits(buf + 20, ms_of_day % 1000, 3);  // then "000" microseconds
  out.append(buf, sizeof buf);
}

std::string FormatIsoTime(TimeMs ms) {
  std::string out;
  AppendIsoTime(out, ms);
  return out;
}

std::string RandomHex(size_t bytes) {
  InitCrypto();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

std::string RandomRegionId(size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  InitCrypto();
  std::string out(length, 'x');
  for (auto& c : out) c = kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)];
  return out;
}

std::string Sha256Hex(std::string_view data) {
  InitCrypto();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

Result<std::string> Sha256FileHex(const std::string& path) {
  InitCrypto();
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IOError("cannot open " + path + " to hash it");
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<unsigned char> chunk(1 << 20);
  size_t n = 0;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0) crypto_hash_sha256_update(&state, chunk.data(), n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::IOError("error reading " + path + " while hashing it");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  size_t begin = 0, end = s.size();
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (begin < end && space(s[begin])) ++begin;
  while (end > begin && space(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }
bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return false;
  *out = value;
  return true;
}

}  // namespace tessera
