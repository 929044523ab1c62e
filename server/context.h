// RequestContext: what a route handler gets — the request, path parameters,
// the authenticated user, the App — plus helpers that turn Status values and
// JSON into responses in Label Studio's error shape.
#ifndef TESSERA_SERVER_CONTEXT_H_
#define TESSERA_SERVER_CONTEXT_H_

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/net/http_types.h"
#include "tessera/model.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera::server {

class App;

class RequestContext {
 public:
  RequestContext(App& app, HttpRequest& request, std::map<std::string, std::string> params)
      : app_(app), request_(request), params_(std::move(params)) {}

  App& app() { return app_; }
  Store& store();
  HttpRequest& request() { return request_; }

  // The signed-in user; set by the pipeline before the handler runs for any
  // route that is not public.
  const std::optional<User>& user() const { return user_; }
  void set_user(User user, bool via_session) {
    user_ = std::move(user);
    via_session_ = via_session;
  }
  bool via_session() const { return via_session_; }
  Id user_id() const { return user_ ? user_->id : 0; }
  bool is_admin() const { return user_ && user_->is_admin; }

  // A positive integer path parameter ("id"), or InvalidArgument/NotFound.
  Result<Id> IdParam(const std::string& name) const;
  const std::string& Param(const std::string& name) const;

  // Parses the body as JSON; InvalidArgument naming the line/column when malformed.
  Result<nlohmann::json> JsonBody() const;
  // Parses the body as a JSON object; InvalidArgument otherwise.
  Result<nlohmann::json> JsonObjectBody() const;

  // Project access: OK when the user is admin or has at least `min` in the project.
  // NotFound when the project does not exist or the user may not know it does.
  Status RequireProjectRole(Id project_id, Role min);
  // The user's role in the project (admins: owner). nullopt when not a member.
  std::optional<Role> ProjectRole(Id project_id);

  // Appends an entry to the audit log as the caller, with this request's id.
  // `detail` must be a JSON object. A failure to write it is logged, not
  // returned: the action it records has already happened.
  void Audit(std::string action, Id project_id, std::string object_type, Id object_id,
             const nlohmann::json& detail = nlohmann::json::object());

  // Emits a webhook event (server/webhook_events.h): writes an outbox row per
  // webhook that wants `action` and wakes the dispatcher. `payload` builds the
  // event's objects and runs only if some webhook sends payloads. Like Audit,
  // a failure is logged, not returned. Defined in webhook_events.cc.
  void EmitWebhook(std::string_view action, Id project_id,
                   const std::function<Result<nlohmann::json>()>& payload);

 private:
  App& app_;
  HttpRequest& request_;
  std::map<std::string, std::string> params_;
  std::optional<User> user_;
  bool via_session_ = false;
};

// Responses.
HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse ErrorResponse(const Status& status);
HttpResponse ErrorResponse(int http_status, const std::string& detail);
HttpResponse NoContent();
int HttpStatusFor(Code code);

// Query parameter helpers: InvalidArgument naming the parameter when junk.
Result<int64_t> QueryInt(const HttpRequest& req, const std::string& key, int64_t fallback,
                         int64_t min, int64_t max);
Result<bool> QueryBool(const HttpRequest& req, const std::string& key, bool fallback);
// A finite number in [lo, hi] (or (lo, hi] with lo_open).
Result<double> QueryNumber(const HttpRequest& req, const std::string& key, double fallback,
                           double lo, double hi, bool lo_open = false);

// JSON body field helpers: a typed field or a FieldInvalid status naming it.
Result<std::string> StringField(const nlohmann::json& obj, const char* key, bool required,
                                const std::string& fallback = "");
Result<bool> BoolField(const nlohmann::json& obj, const char* key, bool fallback);
Result<int64_t> IntField(const nlohmann::json& obj, const char* key, bool required,
                         int64_t fallback = 0);
Result<double> NumberField(const nlohmann::json& obj, const char* key, double fallback);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_CONTEXT_H_
