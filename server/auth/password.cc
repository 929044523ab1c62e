#include "server/auth/password.h"

#include <sodium.h>

#include "tessera/util.h"

namespace tessera::server {

Status CheckNewPassword(const std::string& password) {
  if (password.size() < kMinPasswordLength) {
    return Status::FieldInvalid("password", "password must be at least " +
                                                std::to_string(kMinPasswordLength) +
                                                " characters long");
  }
  if (password.size() > 1024) {
    return Status::FieldInvalid("password", "password must be at most 1024 characters long");
  }
  return Status::Ok();
}

Result<std::string> HashPassword(const std::string& password) {
  InitCrypto();
  char out[crypto_pwhash_STRBYTES];
  // INTERACTIVE limits (64 MiB, 2 passes): the libsodium recommendation for
  // online logins; a login costs tens of milliseconds.
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Unavailable("out of memory while hashing the password; try again");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, const std::string& password) {
  if (hash.empty()) return false;
  InitCrypto();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace tessera::server
