#include "server/auth/session_auth.h"

#include "tessera/util.h"

namespace tessera::server {

std::string GetCookie(const HttpRequest& req, const std::string& name) {
  std::string_view cookies = req.Header("cookie");
  while (!cookies.empty()) {
    size_t semi = cookies.find(';');
    std::string_view pair = Trim(cookies.substr(0, semi));
    cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (Trim(pair.substr(0, eq)) == name) return std::string(Trim(pair.substr(eq + 1)));
  }
  return "";
}

Result<AuthResult> Authenticate(Store& store, const HttpRequest& req) {
  AuthResult out;
  const std::string& authz = req.Header("authorization");
  if (!authz.empty()) {
    std::string_view v = Trim(authz);
    size_t space = v.find(' ');
    std::string scheme = ToLower(v.substr(0, space));
    std::string_view key = space == std::string_view::npos ? "" : Trim(v.substr(space + 1));
    if (scheme != "token" && scheme != "bearer") {
      return Status::Unauthenticated(
          "Authorization header must be 'Token <your API token>'; find the token at "
          "GET /api/current-user/token or in your account page");
    }
    if (key.empty() || key.size() > 256) {
      return Status::Unauthenticated("Authorization header has no token after '" +
                                     std::string(v.substr(0, space)) + "'");
    }
    auto user = store.FindUserByApiToken(std::string(key));
    if (!user.ok()) return Status::Unauthenticated("invalid API token");
    if (!user->is_active) return Status::Unauthenticated("this account is deactivated");
    out.user = std::move(*user);
    return out;
  }
  std::string sid = GetCookie(req, kSessionCookie);
  if (sid.empty() || sid.size() > 256) return out;
  auto session = store.GetSession(Sha256Hex(sid));
  if (!session.ok()) return out;  // stale cookie: anonymous
  if (session->expires_at <= NowMs()) {
    store.DeleteSession(session->token_hash);
    return out;
  }
  auto user = store.GetUser(session->user_id);
  if (!user.ok() || !user->is_active) return out;
  out.user = std::move(*user);
  out.via_session = true;
  out.session = std::move(*session);
  return out;
}

Status CheckCsrf(const HttpRequest& req, const AuthResult& auth) {
  if (!auth.via_session || !auth.session) return Status::Ok();
  const std::string& m = req.method;
  if (m == "GET" || m == "HEAD" || m == "OPTIONS") return Status::Ok();
  const std::string& header = req.Header("x-csrftoken");
  if (header.empty() || !ConstantTimeEquals(header, auth.session->csrf_token)) {
    return Status::PermissionDenied(
        "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header, or "
        "use an API token (Authorization: Token ...) for scripts");
  }
  return Status::Ok();
}

std::string CookieHeader(const std::string& name, const std::string& value, int64_t max_age,
                         bool http_only, bool secure) {
  std::string c = name + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age) +
                  "; SameSite=Lax";
  if (http_only) c += "; HttpOnly";
  if (secure) c += "; Secure";
  return c;
}

Status StartSession(Store& store, const User& user, const HttpRequest& req, int days,
                    bool secure_cookies, HttpResponse* res) {
  std::string sid = RandomHex(32);
  Session s;
  s.token_hash = Sha256Hex(sid);
  s.user_id = user.id;
  s.csrf_token = RandomHex(20);
  s.created_at = NowMs();
  s.expires_at = s.created_at + static_cast<TimeMs>(days) * 24 * 3600 * 1000;
  TESSERA_RETURN_IF_ERROR(store.CreateSession(s));
  bool secure = secure_cookies || req.secure;
  int64_t max_age = static_cast<int64_t>(days) * 24 * 3600;
  res->headers.emplace_back("Set-Cookie", CookieHeader(kSessionCookie, sid, max_age, true, secure));
  res->headers.emplace_back("Set-Cookie",
                            CookieHeader(kCsrfCookie, s.csrf_token, max_age, false, secure));
  return Status::Ok();
}

void EndSession(Store& store, const HttpRequest& req, bool secure_cookies, HttpResponse* res) {
  std::string sid = GetCookie(req, kSessionCookie);
  if (!sid.empty()) store.DeleteSession(Sha256Hex(sid));
  bool secure = secure_cookies || req.secure;
  res->headers.emplace_back("Set-Cookie", CookieHeader(kSessionCookie, "", 0, true, secure));
  res->headers.emplace_back("Set-Cookie", CookieHeader(kCsrfCookie, "", 0, false, secure));
}

}  // namespace tessera::server
