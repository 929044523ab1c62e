// Password hashing with Argon2id (libsodium's crypto_pwhash_str).
#ifndef TESSERA_SERVER_AUTH_PASSWORD_H_
#define TESSERA_SERVER_AUTH_PASSWORD_H_

#include <string>

#include "tessera/status.h"

namespace tessera::server {

// Minimum length we accept for new passwords.
inline constexpr size_t kMinPasswordLength = 8;

// Checks a new password's strength; InvalidArgument on field "password".
Status CheckNewPassword(const std::string& password);
// Returns an encoded Argon2id hash ("$argon2id$v=19$m=...").
Result<std::string> HashPassword(const std::string& password);
// Constant-time verification against a stored hash.
bool VerifyPassword(const std::string& hash, const std::string& password);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_AUTH_PASSWORD_H_
