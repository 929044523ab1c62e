#include "server/app.h"

#include <chrono>

#include "server/api/guideline_page.h"
#include "server/auth/session_auth.h"
#include "server/context.h"
#include "server/request_log.h"
#include "tessera/util.h"

namespace tessera::server {

HttpResponse ServeStatic(App& app, const HttpRequest& req);

namespace {

constexpr char kCsp[] =
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

void AddSecurityHeaders(HttpResponse& res) {
  res.SetHeader("X-Content-Type-Options", "nosniff");
  res.SetHeader("X-Frame-Options", "DENY");
  res.SetHeader("Referrer-Policy", "same-origin");
  res.SetHeader("Content-Security-Policy", kCsp);
  bool has_cache = false;
  for (auto& [k, v] : res.headers) has_cache |= (k == "Cache-Control");
  if (!has_cache) res.SetHeader("Cache-Control", "no-store");
}

}  // namespace

App::App(Store& store, AppOptions options)
    : store_(store),
      options_(std::move(options)),
      quality_cache_(2 * kWarmProjects, &lane_),
      stats_cache_(kWarmProjects, &lane_),
      pages_(store_),
      dashboards_(store_, stats_cache_, quality_cache_, lane_, &pages_),
      // Two: each holds the agreement state of its project once more (0.9 GB
      // at 1M annotated tasks), for one manager page.
      guideline_stats_(2, &lane_) {
  InitCrypto();
  RegisterSystemRoutes(router_);
  RegisterAuthRoutes(router_);
  RegisterUserRoutes(router_);
  RegisterProjectRoutes(router_);
  RegisterMemberRoutes(router_);
  RegisterImportRoutes(router_);
  RegisterExportRoutes(router_);
  RegisterExportJobRoutes(router_);
  RegisterTaskRoutes(router_);
  RegisterDataManagerRoutes(router_);
  RegisterAnnotationRoutes(router_);
  RegisterDraftRoutes(router_);
  RegisterWorkflowRoutes(router_);
  RegisterReviewRoutes(router_);
  RegisterStatsRoutes(router_);
  RegisterPredictionRoutes(router_);
  RegisterMediaRoutes(router_);
  RegisterAgreementRoutes(router_);
  RegisterQualityRoutes(router_);
  RegisterAuditRoutes(router_);
  RegisterWebhookRoutes(router_);
  RegisterPrefilterRoutes(router_);
  RegisterGuidelineRoutes(router_);
  RegisterStaticRoutes(router_);  // last: catches the browser app's pages
}

App::~App() {
  // Work on the lane refers to the caches below: stop it before they go.
  lane_.Stop();
  // A graceful stop: the dashboards' numbers as they are now, for the next start.
  dashboards_.SaveAll();
  pages_.SaveAll();
}

void App::WarmCaches(WarmScope scope) {
  auto projects = store_.ListProjects(0, /*is_admin=*/true);
  if (!projects.ok()) {
    LogError("", "warming the dashboard caches: " + projects.status().ToString());
    return;
  }
  // One job, one project at a time, both caches from one read of it: two
  // whole-project reads side by side always hold a read transaction open between them, so the
  // SQLite WAL could never be checkpointed back to its start and every
  // labeling request's page lookups slowed down (measured: 1000 -> 390
  // submits/s on a 10M-task project while both caches warmed in parallel).
  lane_.Post([this, scope, projects = std::move(*projects)]() -> Status {
    for (size_t project_idx = 0; project_idx < projects.size(); ++project_idx) {
      if (lane_.stopping()) break;
      const Project& project = projects[project_idx];
      const bool newest = scope == WarmScope::kNewest && project_idx < kWarmProjects;  // newest first
      const bool counted = dashboards_.EverCounted(project.id);
      if (!newest && counted) continue;
      Status s = dashboards_.Warm(project);
      if (s.ok() && !counted) {
        // The guideline page's snapshot too (projects with guidelines), once:
        // a project counted before has it from then (one counted by an older
        // version gets it when its page is first opened). The entry is
        // dropped after, built again when someone opens the page.
        s = CountGuidelinePage(store_, guideline_stats_, pages_, project);
        guideline_stats_.Forget(project.id);
      }
      if (!s.ok() && !lane_.stopping()) {
        LogError("", "warming the caches of project " + std::to_string(project.id) + ": " + s.ToString());
      }
    }
    return Status::Ok();
  });
}

void App::StartWebhookDelivery(const WebhookDeliveryOptions& options) {
  if (webhooks_) return;
  webhooks_ = std::make_unique<WebhookDispatcher>(store_, options);
  webhooks_->Start();
}

void App::WakeWebhookDelivery() {
  if (webhooks_) webhooks_->Wake();
}

void App::StartExportJobs(ExportRunnerOptions options) {
  if (exports_) return;
  options.data_dir = options_.data_dir;
  options.media_root = media_root();
  exports_ = std::make_unique<ExportRunner>(store_, std::move(options));
  exports_->Start();
}

void App::WakeExportJobs() {
  if (exports_) exports_->Wake();
}

HttpResponse App::Handle(HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  request.request_id = RequestIdFor(request.Header("x-request-id"));
  const std::string& request_id = request.request_id;
  Id user_id = 0;
  HttpResponse res;
  try {
    res = Dispatch(request, &user_id);
  } catch (const nlohmann::json::exception& e) {
    // A JSON value of the wrong type slipped past a handler's checks: still
    // the client's input, so a 400 that says what was wrong.
    res = ErrorResponse(400, std::string("unexpected JSON value: ") + e.what());
  } catch (const std::exception& e) {
    LogError(request_id, request.method + " " + request.path + ": " + e.what());
    res = ErrorResponse(500, "internal error; the server log has the details under request id " +
                                 request_id);
  }
  AddSecurityHeaders(res);
  res.SetHeader("X-Request-Id", request_id);
  LogRequest({.request_id = request_id,
              .method = request.method,
              .path = request.path,
              .status = res.status,
              .duration_ms = std::chrono::duration<double, std::milli>(
                                 std::chrono::steady_clock::now() - start).count(),
              .user_id = user_id,
              .response_bytes = res.file ? res.file->length : res.body.size(),
              .remote_address = request.remote_address});
  return res;
}

HttpResponse App::Dispatch(HttpRequest& request, Id* user_id) {
  RouteMatch match = router_.Match(request.method, request.path);
  if (!match.route) {
    if (!match.allowed_methods.empty()) {
      std::string allow;
      for (const auto& m : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + m;
      HttpResponse res = ErrorResponse(405, "method " + request.method + " is not allowed on " +
                                                request.path + "; allowed: " + allow);
      res.SetHeader("Allow", allow);
      return res;
    }
    if ((request.method == "GET" || request.method == "HEAD") && !request.path.starts_with("/api/") &&
        !request.path.starts_with("/data/")) {
      return ServeStatic(*this, request);
    }
    return ErrorResponse(404, "no route for " + request.method + " " + request.path +
                                  "; see /api/openapi.yaml for the API");
  }
  RequestContext ctx(*this, request, match.params);
  if (match.route->access != Access::kPublic || !request.Header("authorization").empty() ||
      !GetCookie(request, kSessionCookie).empty()) {
    auto auth = Authenticate(store_, request);
    if (!auth.ok()) return ErrorResponse(auth.status());
    if (auth->user) {
      // Public routes (the login forms) do their own CSRF checks.
      if (match.route->access != Access::kPublic) {
        Status csrf = CheckCsrf(request, *auth);
        if (!csrf.ok()) return ErrorResponse(csrf);
      }
      ctx.set_user(*auth->user, auth->via_session);
      *user_id = auth->user->id;
    } else if (match.route->access != Access::kPublic) {
      return ErrorResponse(Status::Unauthenticated(
          "Authentication credentials were not provided: sign in, or send "
          "'Authorization: Token <your API token>'"));
    }
    if (match.route->access == Access::kAdmin && !ctx.is_admin()) {
      return ErrorResponse(Status::PermissionDenied("only site administrators may do this"));
    }
  }
  return match.route->handler(ctx);
}

}  // namespace tessera::server
