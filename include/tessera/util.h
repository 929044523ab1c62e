// Small leaf helpers used across the library: clock, random tokens, hashing,
// string utilities. No dependencies on the rest of Tessera.
//
// Thread-safety: all functions are safe to call concurrently.
#ifndef TESSERA_UTIL_H_
#define TESSERA_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/model.h"
#include "tessera/status.h"

namespace tessera {

// Must be called once before any other function here (initializes libsodium).
// Safe to call more than once.
void InitCrypto();

TimeMs NowMs();

// ISO 8601 UTC with microseconds and a trailing 'Z', as Label Studio prints
// times: 2024-01-31T12:00:00.000000Z.
std::string FormatIsoTime(TimeMs ms);
// The same, appended to `out` (no locale, no allocation beyond `out`'s own).
void AppendIsoTime(std::string& out, TimeMs ms);

// `bytes` bytes from the OS CSPRNG, hex-encoded (2*bytes characters).
std::string RandomHex(size_t bytes);
// A short random id of letters, digits, '_' and '-' (like LS region ids).
std::string RandomRegionId(size_t length = 10);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Lower-case hex SHA-256 of a file's contents, read in 1 MiB chunks.
Result<std::string> Sha256FileHex(const std::string& path);
// Lower-case hex MD5 (RFC 1321) of `data` / of a file's contents. Not for
// security: only the checksum Label Studio reports for an export ("md5").
std::string Md5Hex(std::string_view data);
Result<std::string> Md5FileHex(const std::string& path);

// Constant-time comparison; false if lengths differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

std::string ToLower(std::string_view s);
std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);

// Parses a base-10 integer occupying all of `s`; false on any junk or overflow.
bool ParseInt64(std::string_view s, int64_t* out);

}  // namespace tessera

#endif  // TESSERA_UTIL_H_
