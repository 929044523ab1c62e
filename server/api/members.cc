// /api/projects/{id}/members: who works on a project, with which role.
#include "server/api/views.h"
#include "server/app.h"
#include "server/context.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {

HttpResponse ListMembers(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kAnnotator);
  if (!s.ok()) return ErrorResponse(s);
  auto members = ctx.store().ListMembers(*id);
  if (!members.ok()) return ErrorResponse(members.status());
  json out = json::array();
  for (const Membership& m : *members) {
    auto u = ctx.store().GetUser(m.user_id);
    if (!u.ok()) continue;
    out.push_back(json{{"user", UserBriefJson(*u)}, {"role", RoleName(m.role)}});
  }
  return JsonResponse(200, out);
}

HttpResponse AddMember(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto body = ctx.JsonObjectBody();
  if (!body.ok()) return ErrorResponse(body.status());
  Result<User> user = Status::FieldInvalid("user", "give the member as \"user\": <user id> "
                                                   "or \"email\": \"...\"");
  if (body->contains("user")) {
    auto uid = IntField(*body, "user", true);
    if (!uid.ok()) return ErrorResponse(uid.status());
    user = ctx.store().GetUser(*uid);
  } else if (body->contains("email")) {
    auto email = StringField(*body, "email", true);
    if (!email.ok()) return ErrorResponse(email.status());
    user = ctx.store().GetUserByEmail(ToLower(Trim(*email)));
  }
  if (!user.ok()) {
    if (user.status().code() == Code::kNotFound) {
      return ErrorResponse(Status::FieldInvalid("user", "no such user; create the account "
                                                        "first (POST /api/users)"));
    }
    return ErrorResponse(user.status());
  }
  auto role_name = StringField(*body, "role", false, "annotator");
  if (!role_name.ok()) return ErrorResponse(role_name.status());
  auto role = ParseRole(*role_name);
  if (!role) {
    return ErrorResponse(Status::FieldInvalid(
        "role", "role '" + *role_name + "' is not one of: annotator, reviewer, manager, owner"));
  }
  if (*role == Role::kOwner && ctx.ProjectRole(*id) != Role::kOwner) {
    return ErrorResponse(Status::PermissionDenied("only an owner may make another owner"));
  }
  auto before = ctx.store().GetRole(*id, user->id);
  s = ctx.store().SetMember(*id, user->id, *role);
  if (!s.ok()) return ErrorResponse(s);
  json detail = {{"email", user->email}, {"role", RoleName(*role)}};
  if (before.ok() && *before) detail["previous_role"] = RoleName(**before);
  ctx.Audit("member.set_role", *id, "user", user->id, detail);
  return JsonResponse(201, json{{"user", UserBriefJson(*user)}, {"role", RoleName(*role)}});
}

HttpResponse RemoveMember(RequestContext& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ErrorResponse(id.status());
  auto uid = ctx.IdParam("user_id");
  if (!uid.ok()) return ErrorResponse(uid.status());
  Status s = ctx.RequireProjectRole(*id, Role::kManager);
  if (!s.ok()) return ErrorResponse(s);
  auto role = ctx.store().GetRole(*id, *uid);
  if (!role.ok()) return ErrorResponse(role.status());
  if (!*role) return ErrorResponse(404, "user " + std::to_string(*uid) + " is not a member");
  if (**role == Role::kOwner && ctx.ProjectRole(*id) != Role::kOwner) {
    return ErrorResponse(Status::PermissionDenied("only an owner may remove an owner"));
  }
  s = ctx.store().RemoveMember(*id, *uid);
  if (!s.ok()) return ErrorResponse(s);
  ctx.Audit("member.remove", *id, "user", *uid, {{"previous_role", RoleName(**role)}});
  return NoContent();
}

}  // namespace

void RegisterMemberRoutes(Router& r) {
  r.Add("GET", "/api/projects/{id}/members", Access::kAuthenticated, ListMembers);
  r.Add("POST", "/api/projects/{id}/members", Access::kAuthenticated, AddMember);
  r.Add("DELETE", "/api/projects/{id}/members/{user_id}", Access::kAuthenticated, RemoveMember);
}

}  // namespace tessera::server
