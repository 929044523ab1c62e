// Who is asking: resolves API tokens and session cookies to a user, checks
// CSRF on cookie-authenticated writes, and creates/ends browser sessions.
#ifndef TESSERA_SERVER_AUTH_SESSION_AUTH_H_
#define TESSERA_SERVER_AUTH_SESSION_AUTH_H_

#include <optional>
#include <string>

#include "server/net/http_types.h"
#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera::server {

inline constexpr char kSessionCookie[] = "sessionid";
inline constexpr char kCsrfCookie[] = "csrftoken";

struct AuthResult {
  std::optional<User> user;  // nullopt: anonymous
  bool via_session = false;
  std::optional<Session> session;
};

// Value of cookie `name` in the Cookie header, or "".
std::string GetCookie(const HttpRequest& req, const std::string& name);

// Resolves `Authorization: Token <key>` or the session cookie. A malformed or
// unknown token is Unauthenticated (not anonymous), so scripts see why.
Result<AuthResult> Authenticate(Store& store, const HttpRequest& req);

// For unsafe methods with cookie auth: the X-CSRFToken header must equal the
// session's CSRF token.
Status CheckCsrf(const HttpRequest& req, const AuthResult& auth);

// Creates a session for the user; sets the session and CSRF cookies on `res`.
Status StartSession(Store& store, const User& user, const HttpRequest& req, int days,
                    bool secure_cookies, HttpResponse* res);
// Ends the caller's session (if any) and clears the cookies.
void EndSession(Store& store, const HttpRequest& req, bool secure_cookies, HttpResponse* res);

// A Set-Cookie value with our defaults (Path=/, SameSite=Lax).
std::string CookieHeader(const std::string& name, const std::string& value, int64_t max_age,
                         bool http_only, bool secure);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_AUTH_SESSION_AUTH_H_
