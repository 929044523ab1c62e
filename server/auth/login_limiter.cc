#include "server/auth/login_limiter.h"

namespace tessera::server {

int64_t LoginLimiter::Check(const std::string& key, TimeMs now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  if (now - it->second.window_start >= kWindowMs) {
    entries_.erase(it);
    return 0;
  }
  if (it->second.failures < kMaxFailures) return 0;
  return (it->second.window_start + kWindowMs - now + 999) / 1000;
}

void LoginLimiter::Bump(const std::string& key, TimeMs now) {
  Entry& e = entries_[key];
  if (e.failures == 0 || now - e.window_start >= kWindowMs) {
    e.failures = 0;
    e.window_start = now;
  }
  ++e.failures;
}

int64_t LoginLimiter::RetryAfterSeconds(const std::string& email, const std::string& address,
                                        TimeMs now) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t a = Check("e:" + email, now);
  // Addresses get a larger budget: several people may share one NAT.
  int64_t b = 0;
  auto it = entries_.find("a:" + address);
  if (it != entries_.end() && now - it->second.window_start < kWindowMs &&
      it->second.failures >= kMaxFailures * 5) {
    b = (it->second.window_start + kWindowMs - now + 999) / 1000;
  }
  return a > b ? a : b;
}

void LoginLimiter::RecordFailure(const std::string& email, const std::string& address,
                                 TimeMs now) {
  std::lock_guard<std::mutex> lock(mu_);
  Bump("e:" + email, now);
  Bump("a:" + address, now);
  // Bound memory under a spray of random emails.
  if (entries_.size() > 100000) entries_.clear();
}

void LoginLimiter::RecordSuccess(const std::string& email) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase("e:" + email);
}

}  // namespace tessera::server
