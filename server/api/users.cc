// /api/users: site admins manage accounts; everyone can read and edit their own.
#include "server/api/views.h"
#include "server/app.h"
#include "server/auth/password.h"
#include "server/context.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

Status ApplyUserFields(const json& body, User* u, bool admin) {
  if (body.contains("first_name")) {
    TESSERA_ASSIGN_OR_RETURN(u->first_name, StringField(body, "first_name", false));
  }
  if (body.contains("last_name")) {
    TESSERA_ASSIGN_OR_RETURN(u->last_name, StringField(body, "last_name", false));
  }
  if (body.contains("username")) {
    TESSERA_ASSIGN_OR_RETURN(u->username, StringField(body, "username", false));
  }
  if (body.contains("password")) {
    TESSERA_ASSIGN_OR_RETURN(std::string pw, StringField(body, "password", false));
    TESSERA_RETURN_IF_ERROR(CheckNewPassword(pw));
    TESSERA_ASSIGN_OR_RETURN(u->password_hash, HashPassword(pw));
  }
  if (body.contains("is_superuser") || body.contains("is_admin")) {
    if (!admin) {
      return Status::PermissionDenied("only site administrators may grant admin rights");
    }
    const char* key = body.contains("is_admin") ? "is_admin" : "is_superuser";
    TESSERA_ASSIGN_OR_RETURN(u->is_admin, BoolField(body, key, u->is_admin));
  }
  if (body.contains("is_active")) {
    if (!admin) return Status::PermissionDenied("only site administrators may deactivate users");
    TESSERA_ASSIGN_OR_RETURN(u->is_active, BoolField(body, "is_active", u->is_active));
  }
  return Status::Ok();
}

HttpResponse ListUsers(RequestContext& ctx) {
  if (!ctx.is_admin()) return JsonResponse(200, json::array({UserJson(*ctx.user())}));
  auto users = ctx.store().ListUsers();
  if (!users.ok()) return ErrorResponse(users.status());
  json out = json::array();
  for (const User& u : *users) out.push_back(UserJson(u));
  return JsonResponse(200, out);
}

HttpResponse CreateUser(RequestContext& ctx) {
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  auto email = StringField(*body, "email", true);
  if (!email.ok()) return ErrorResponse(email.status());
  User u;
  u.email = ToLower(Trim(*email));
  if (u.email.find('@') == std::string::npos || u.email.size() > 254) {
    return ErrorResponse(Status::FieldInvalid("email", "email '" + *email +
                                                           "' is not an email address"));
  }
  u.username = u.email;
  Status s = ApplyUserFields(*body, &u, true);
  if (!s.ok()) return ErrorResponse(s);
  u.created_at = NowMs();
  s = ctx.store().CreateUser(&u);
  if (!s.ok()) {
    if (s.code() == Code::kAlreadyExists) {
      return ErrorResponse(Status::AlreadyExists("user with email " + u.email + " already exists")
                               .AddFieldError("email", "already exists"));
    }
    return ErrorResponse(s);
  }
  ctx.Audit("user.create", 0, "user", u.id, {{"email", u.email}, {"is_admin", u.is_admin}});
  return JsonResponse(201, UserJson(u));
}

Result<User> LoadUser(RequestContext& ctx) {
  TESSERA_ASSIGN_OR_RETURN(Id id, ctx.IdParam("id"));
  if (id != ctx.user_id() && !ctx.is_admin()) {
    return Status::NotFound("user " + std::to_string(id) + " not found");
  }
  return ctx.store().GetUser(id);
}

HttpResponse GetUser(RequestContext& ctx) {
  auto u = LoadUser(ctx);
  if (!u.ok()) return ErrorResponse(u.status());
  return JsonResponse(200, UserJson(*u));
}

HttpResponse PatchUser(RequestContext& ctx) {
  auto u = LoadUser(ctx);
  if (!u.ok()) return ErrorResponse(u.status());
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  const bool was_active = u->is_active, was_admin = u->is_admin;
  Status s = ApplyUserFields(*body, &*u, ctx.is_admin());
  if (!s.ok()) return ErrorResponse(s);
  s = ctx.store().UpdateUser(*u);
  if (!s.ok()) return ErrorResponse(s);
  // Profile edits are the user's own business; access changes are audited.
  if (u->is_active != was_active || u->is_admin != was_admin) {
    ctx.Audit("user.update_access", 0, "user", u->id,
              {{"email", u->email}, {"is_active", u->is_active}, {"is_admin", u->is_admin},
               {"was_active", was_active}, {"was_admin", was_admin}});
  }
  return JsonResponse(200, UserJson(*u));
}

}  // namespace

void RegisterUserRoutes(Router& r) {
  r.Add("GET", "/api/users", Access::kAuthenticated, ListUsers);
  r.Add("POST", "/api/users", Access::kAdmin, CreateUser);
  r.Add("GET", "/api/users/{id}", Access::kAuthenticated, GetUser);
  r.Add("PATCH", "/api/users/{id}", Access::kAuthenticated, PatchUser);
}

}  // namespace tessera::server
