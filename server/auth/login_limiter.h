// LoginLimiter: slows down password guessing. After kMaxFailures failed logins
// for one email (or from one address) within the window, further attempts are
// refused with 429 until the window passes.
//
// Thread-safety: safe for concurrent use. State is per process (a later
// scale-out change moves it to the store).
#ifndef TESSERA_SERVER_AUTH_LOGIN_LIMITER_H_
#define TESSERA_SERVER_AUTH_LOGIN_LIMITER_H_

#include <map>
#include <mutex>
#include <string>

#include "tessera/model.h"

namespace tessera::server {

class LoginLimiter {
 public:
  static constexpr int kMaxFailures = 10;
  static constexpr TimeMs kWindowMs = 15 * 60 * 1000;

  // Seconds the caller must wait, or 0 when an attempt is allowed.
  int64_t RetryAfterSeconds(const std::string& email, const std::string& address, TimeMs now);
  void RecordFailure(const std::string& email, const std::string& address, TimeMs now);
  void RecordSuccess(const std::string& email);

 private:
  struct Entry {
    int failures = 0;
    TimeMs window_start = 0;
  };
  int64_t Check(const std::string& key, TimeMs now);
  void Bump(const std::string& key, TimeMs now);

  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace tessera::server

#endif  // TESSERA_SERVER_AUTH_LOGIN_LIMITER_H_
