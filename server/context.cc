#include "server/context.h"

#include "server/app.h"
#include "server/request_log.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

Store& RequestContext::store() { return app_.store(); }

const std::string& RequestContext::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params_.find(name);
  return it == params_.end() ? kEmpty : it->second;
}

Result<Id> RequestContext::IdParam(const std::string& name) const {
  const std::string& raw = Param(name);
  int64_t value = 0;
  if (!ParseInt64(raw, &value) || value <= 0) {
    return Status::NotFound("'" + raw + "' is not a valid " + name +
                            ": ids are positive integers");
  }
  return value;
}

Result<json> RequestContext::JsonBody() const {
  if (Trim(request_.body).empty()) {
    return Status::InvalidArgument("request body is empty; send a JSON document");
  }
  try {
    return json::parse(request_.body);
  } catch (const json::parse_error& e) {
    // e.byte is 1-based; turn it into line:column for the person fixing it.
    size_t byte = e.byte == 0 ? 0 : e.byte - 1;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < byte && i < request_.body.size(); ++i) {
      if (request_.body[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    size_t pos = what.find("parse error");
    if (pos != std::string::npos) what = what.substr(pos);
    return Status::InvalidArgument("request body is not valid JSON (line " +
                                   std::to_string(line) + ", column " + std::to_string(col) +
                                   "): " + what);
  }
}

Result<json> RequestContext::JsonObjectBody() const {
  TESSERA_ASSIGN_OR_RETURN(json body, JsonBody());
  if (!body.is_object()) {
    return Status::InvalidArgument(std::string("request body must be a JSON object, got ") +
                                   body.type_name());
  }
  return body;
}

std::optional<Role> RequestContext::ProjectRole(Id project_id) {
  if (!user_) return std::nullopt;
  if (user_->is_admin) return Role::kOwner;
  auto role = store().GetRole(project_id, user_->id);
  if (!role.ok()) return std::nullopt;
  return *role;
}

Status RequestContext::RequireProjectRole(Id project_id, Role min) {
  auto project = store().GetProject(project_id);
  if (!project.ok()) return project.status();
  std::optional<Role> role = ProjectRole(project_id);
  if (!role) {
    // Non-members must not learn that the project exists.
    return Status::NotFound("project " + std::to_string(project_id) + " not found");
  }
  if (static_cast<int>(*role) < static_cast<int>(min)) {
    return Status::PermissionDenied(std::string("this needs the ") + RoleName(min) +
                                    " role (or higher) in project " +
                                    std::to_string(project_id) + "; you are " +
                                    RoleName(*role));
  }
  return Status::Ok();
}

void RequestContext::Audit(std::string action, Id project_id, std::string object_type,
                           Id object_id, const nlohmann::json& detail) {
  AuditEntry entry;
  entry.user_id = user_id();
  entry.action = std::move(action);
  entry.project_id = project_id;
  entry.object_type = std::move(object_type);
  entry.object_id = object_id;
  entry.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  entry.request_id = request_.request_id;
  Status s = store().RecordAudit(&entry);
  if (!s.ok()) LogError(request_.request_id, "audit log: " + entry.action + ": " + s.ToString());
}

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kConflict: return 409;
    case Code::kPayloadTooLarge: return 413;
    case Code::kUnsupportedMedia: return 415;
    case Code::kTooManyRequests: return 429;
    case Code::kFailedPrecondition: return 400;
    case Code::kUnavailable: return 503;
    case Code::kIOError:
    case Code::kCorruption:
    case Code::kInternal: return 500;
  }
  return 500;
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse res;
  res.status = status;
  res.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  res.SetHeader("Content-Type", "application/json");
  return res;
}

HttpResponse ErrorResponse(int http_status, const std::string& detail) {
  return JsonResponse(http_status, json{{"detail", detail}, {"status_code", http_status}});
}

HttpResponse ErrorResponse(const Status& status) {
  int code = HttpStatusFor(status.code());
  json body{{"detail", status.message()}, {"status_code", code}};
  if (!status.field_errors().empty()) {
    json errors = json::object();
    for (const auto& fe : status.field_errors()) errors[fe.field].push_back(fe.message);
    body["validation_errors"] = std::move(errors);
  }
  if (code >= 500) std::fprintf(stderr, "tessera: %s\n", status.ToString().c_str());
  HttpResponse res = JsonResponse(code, body);
  if (code == 401) res.SetHeader("WWW-Authenticate", "Token");
  return res;
}

HttpResponse NoContent() {
  HttpResponse res;
  res.status = 204;
  return res;
}

Result<int64_t> QueryInt(const HttpRequest& req, const std::string& key, int64_t fallback,
                         int64_t min, int64_t max) {
  auto raw = req.Query(key);
  if (!raw || raw->empty()) return fallback;
  int64_t value = 0;
  if (!ParseInt64(*raw, &value) || value < min || value > max) {
    return Status::FieldInvalid(key, "query parameter " + key + "='" + *raw +
                                         "' must be an integer from " + std::to_string(min) +
                                         " to " + std::to_string(max));
  }
  return value;
}

Result<double> QueryNumber(const HttpRequest& req, const std::string& key, double fallback,
                           double lo, double hi, bool lo_open) {
  auto raw = req.Query(key);
  if (!raw || raw->empty()) return fallback;
  char* end = nullptr;
  double v = std::strtod(raw->c_str(), &end);
  bool in_range = lo_open ? (v > lo && v <= hi) : (v >= lo && v <= hi);
  if (*end != '\0' || !std::isfinite(v) || !in_range) {
    return Status::FieldInvalid(key, "query parameter " + key + "='" + *raw + "' must be a number in " +
                                         (lo_open ? "(" : "[") + json(lo).dump() + ", " +
                                         json(hi).dump() + "]");
  }
  return v;
}

Result<bool> QueryBool(const HttpRequest& req, const std::string& key, bool fallback) {
  auto raw = req.Query(key);
  if (!raw || raw->empty()) return fallback;
  std::string v = ToLower(*raw);
  if (v == "1" || v == "true" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "no") return false;
  return Status::FieldInvalid(key, "query parameter " + key + "='" + *raw +
                                       "' must be true or false (or 1/0)");
}

Result<std::string> StringField(const json& obj, const char* key, bool required,
                                const std::string& fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return Status::FieldInvalid(key, std::string(key) + " is required");
    return fallback;
  }
  if (!it->is_string()) {
    return Status::FieldInvalid(key, std::string(key) + " must be a string, got " +
                                         it->type_name());
  }
  return it->get<std::string>();
}

Result<bool> BoolField(const json& obj, const char* key, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) {
    return Status::FieldInvalid(key, std::string(key) + " must be true or false, got " +
                                         it->type_name());
  }
  return it->get<bool>();
}

Result<int64_t> IntField(const json& obj, const char* key, bool required, int64_t fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return Status::FieldInvalid(key, std::string(key) + " is required");
    return fallback;
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  return Status::FieldInvalid(key, std::string(key) + " must be an integer, got " +
                                       it->type_name());
}

Result<double> NumberField(const json& obj, const char* key, double fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_number()) {
    return Status::FieldInvalid(key, std::string(key) + " must be a number, got " +
                                         it->type_name());
  }
  return it->get<double>();
}

}  // namespace tessera::server
