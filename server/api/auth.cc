// Sign-in and the current user: /user/login (Label Studio's form login, used
// by the SDK's email/password client), /api/auth/login (JSON, used by the web
// app), logout, whoami and the API token.
#include "server/api/views.h"
#include "server/app.h"
#include "server/auth/password.h"
#include "server/auth/session_auth.h"
#include "server/context.h"
#include "server/net/url.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

struct Credentials {
  std::string email;
  std::string password;
};

// Checks the password with lock-out; on success starts a session on `res`.
Status SignIn(RequestContext& ctx, const Credentials& c, HttpResponse* res) {
  std::string email = ToLower(Trim(c.email));
  TimeMs now = NowMs();
  auto& limiter = ctx.app().login_limiter();
  if (int64_t wait = limiter.RetryAfterSeconds(email, ctx.request().remote_address, now)) {
    return Status::TooManyRequests("too many failed sign-ins for this account; try again in " +
                                   std::to_string((wait + 59) / 60) +
                                   " minutes or ask an admin to reset the password");
  }
  auto user = ctx.store().GetUserByEmail(email);
  bool ok = user.ok() && user->is_active && VerifyPassword(user->password_hash, c.password);
  if (!ok) {
    limiter.RecordFailure(email, ctx.request().remote_address, now);
    return Status::Unauthenticated("wrong email or password");
  }
  limiter.RecordSuccess(email);
  ctx.store().TouchUser(user->id, now);
  return StartSession(ctx.store(), *user, ctx.request(), ctx.app().options().session_days,
                      ctx.app().options().secure_cookies, res);
}

HttpResponse ApiLogin(RequestContext& ctx) {
  // A JSON body cannot be sent cross-site without a CORS preflight, which we
  // never grant, so this endpoint needs no CSRF token.
  if (ctx.request().Header("content-type").find("application/json") == std::string::npos) {
    return ErrorResponse(Status::UnsupportedMedia(
        "send the credentials as JSON: {\"email\": ..., \"password\": ...}"));
  }
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto email = StringField(*body, "email", true);
  if (!email.ok()) return ErrorResponse(email.status());
  auto password = StringField(*body, "password", true);
  if (!password.ok()) return ErrorResponse(password.status());
  HttpResponse res;
  Status s = SignIn(ctx, {*email, *password}, &res);
  if (!s.ok()) return ErrorResponse(s);
  auto user = ctx.store().GetUserByEmail(ToLower(Trim(*email)));
  HttpResponse out = JsonResponse(200, UserJson(*user));
  out.headers.insert(out.headers.end(), res.headers.begin(), res.headers.end());
  return out;
}

HttpResponse FormLoginPage(RequestContext& ctx) {
  // Label Studio clients GET the login page first to receive a csrftoken
  // cookie, then POST the form with csrfmiddlewaretoken set to it.
  std::string token = GetCookie(ctx.request(), kCsrfCookie);
  if (token.empty() || token.size() > 128) token = RandomHex(20);
  HttpResponse res;
  res.SetHeader("Content-Type", "text/html; charset=utf-8");
  res.body =
      "<!doctype html><title>Tessera sign-in</title><form method=post action=/user/login>"
      "<input type=hidden name=csrfmiddlewaretoken value=\"" + token + "\">"
      "<label>Email <input name=email type=email autocomplete=username></label>"
      "<label>Password <input name=password type=password autocomplete=current-password>"
      "</label><button>Sign in</button></form>";
  res.headers.emplace_back("Set-Cookie",
                           CookieHeader(kCsrfCookie, token, 365LL * 24 * 3600, false,
                                        ctx.app().options().secure_cookies || ctx.request().secure));
  return res;
}

HttpResponse FormLogin(RequestContext& ctx) {
  std::multimap<std::string, std::string> form;
  ParseQueryString(ctx.request().body, &form);
  auto get = [&](const char* k) {
    auto it = form.find(k);
    return it == form.end() ? std::string() : it->second;
  };
  std::string cookie = GetCookie(ctx.request(), kCsrfCookie);
  std::string field = get("csrfmiddlewaretoken");
  if (cookie.empty() || !ConstantTimeEquals(cookie, field)) {
    return ErrorResponse(Status::PermissionDenied(
        "CSRF check failed: GET /user/login first, then post the form with "
        "csrfmiddlewaretoken equal to the csrftoken cookie"));
  }
  HttpResponse res;
  Status s = SignIn(ctx, {get("email"), get("password")}, &res);
  if (!s.ok()) return ErrorResponse(s);
  res.status = 302;
  res.SetHeader("Location", "/projects");
  return res;
}

HttpResponse Logout(RequestContext& ctx) {
  HttpResponse res = JsonResponse(200, json{{"detail", "signed out"}});
  EndSession(ctx.store(), ctx.request(), ctx.app().options().secure_cookies, &res);
  return res;
}

HttpResponse WhoAmI(RequestContext& ctx) { return JsonResponse(200, UserJson(*ctx.user())); }

HttpResponse GetToken(RequestContext& ctx) {
  auto token = ctx.store().GetApiToken(ctx.user_id());
  if (!token.ok() && token.status().code() == Code::kNotFound) {
    std::string fresh = RandomHex(20);
    Status s = ctx.store().SetApiToken(ctx.user_id(), fresh);
    if (!s.ok()) return ErrorResponse(s);
    return JsonResponse(200, json{{"token", fresh}});
  }
  if (!token.ok()) return ErrorResponse(token.status());
  return JsonResponse(200, json{{"token", *token}});
}

HttpResponse ResetToken(RequestContext& ctx) {
  std::string fresh = RandomHex(20);
  Status s = ctx.store().SetApiToken(ctx.user_id(), fresh);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("user.reset_token", 0, "user", ctx.user_id());
  return JsonResponse(201, json{{"token", fresh}});
}

}  // namespace

void RegisterAuthRoutes(Router& r) {
  r.Add("GET", "/user/login", Access::kPublic, FormLoginPage);
  r.Add("POST", "/user/login", Access::kPublic, FormLogin);
  r.Add("POST", "/api/auth/login", Access::kPublic, ApiLogin);
  r.Add("POST", "/api/auth/logout", Access::kAuthenticated, Logout);
  r.Add("GET", "/user/logout", Access::kAuthenticated, Logout);
  r.Add("GET", "/api/current-user/whoami", Access::kAuthenticated, WhoAmI);
  r.Add("GET", "/api/current-user/token", Access::kAuthenticated, GetToken);
  r.Add("POST", "/api/current-user/reset-token", Access::kAuthenticated, ResetToken);
}

}  // namespace tessera::server
