// App: the HTTP application. Owns the router and the per-request pipeline
// (security headers, authentication, CSRF, routing, error mapping) over one
// Store. The net layer calls Handle() for every request.
//
// Thread-safety: Handle() is called concurrently; App's state is read-only
// after construction except for the thread-safe login limiter and quality cache.
#ifndef TESSERA_SERVER_APP_H_
#define TESSERA_SERVER_APP_H_

#include <filesystem>
#include <memory>
#include <string>

#include "server/auth/login_limiter.h"
#include "server/dashboard_snapshots.h"
#include "server/export_runner.h"
#include "server/guideline_stats_cache.h"
#include "server/page_snapshots.h"
#include "server/net/http_types.h"
#include "server/low_priority_lane.h"
#include "server/quality_cache.h"
#include "server/stats_cache.h"
#include "server/router.h"
#include "server/webhook_dispatcher.h"
#include "tessera/store.h"

namespace tessera::server {

struct AppOptions {
  std::filesystem::path data_dir;      // media lives under data_dir/media
  std::filesystem::path static_dir;    // built web assets (web/dist); may not exist
  int session_days = 14;
  bool secure_cookies = false;         // set Secure on cookies even without TLS hints
  uint64_t max_upload_bytes = 512ull << 20;
};

class App {
 public:
  App(Store& store, AppOptions options);
  ~App();

  HttpResponse Handle(HttpRequest& request);

  Store& store() { return store_; }
  const AppOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  LoginLimiter& login_limiter() { return limiter_; }
  QualityCache& quality_cache() { return quality_cache_; }
  StatsCache& stats_cache() { return stats_cache_; }
  DashboardSource& dashboards() { return dashboards_; }
  GuidelineStatsCache& guideline_stats() { return guideline_stats_; }
  // The agreement pages' last answers, for while their caches read whole.
  PageSnapshots& pages() { return pages_; }
  // For whole-project work a request waits for (low_priority_lane.h).
  LowPriorityLane& lane() { return lane_; }
  // Starts delivering the webhook outbox on a background thread (`tessera
  // serve` does; tests and fuzzers that only handle requests need not).
  // Call before serving. The dispatcher stops when the App is destroyed.
  void StartWebhookDelivery(const WebhookDeliveryOptions& options);
  // Tells the dispatcher (if started) that new deliveries were written.
  void WakeWebhookDelivery();
  // Starts running export jobs on a background thread (`tessera serve`
  // does; without it, jobs wait as "created"). Fills the options' folders
  // from AppOptions. The runner stops when the App is destroyed.
  void StartExportJobs(ExportRunnerOptions options);
  // Which projects WarmCaches counts.
  enum class WarmScope {
    // Those whose dashboards were never counted (no snapshot saved): data
    // another program wrote, or a version before snapshots. `tessera serve`
    // does this at every start (--no-count-uncounted turns it off); once
    // counted, a project costs the next starts nothing.
    kNeverCounted,
    // Those, and the most recent projects (as many as the caches keep), so
    // that their first dashboard after a start is live at once, not the
    // saved numbers marked stale (`tessera serve --warm-caches`).
    kNewest,
  };
  // Builds the dashboard and agreement caches of the projects `scope` names
  // and saves their snapshots, in the background, at low priority, one
  // project at a time, so that a first dashboard does not wait for a
  // whole-project read (3.9 s on a 10M-task project with 3M annotations).
  void WarmCaches(WarmScope scope = WarmScope::kNewest);
  // Tells the runner (if started) that a job was created.
  void WakeExportJobs();
  std::filesystem::path media_root() const { return options_.data_dir / "media"; }

 private:
  // Routes and authenticates; sets *user_id to the caller (0: anonymous).
  HttpResponse Dispatch(HttpRequest& request, Id* user_id);

  // Projects whose caches WarmCaches builds; the dashboard cache keeps as
  // many, the agreement cache twice as many (other IoU thresholds).
  static constexpr size_t kWarmProjects = 16;

  Store& store_;
  AppOptions options_;
  Router router_;
  LoginLimiter limiter_;
  LowPriorityLane lane_;  // before the caches that use it
  QualityCache quality_cache_;
  StatsCache stats_cache_;
  PageSnapshots pages_;  // before the dashboards, which keep the quality page
  DashboardSource dashboards_;
  GuidelineStatsCache guideline_stats_;
  std::unique_ptr<WebhookDispatcher> webhooks_;  // null until StartWebhookDelivery
  std::unique_ptr<ExportRunner> exports_;        // null until StartExportJobs
};

// Registers every API route (one function per resource file in server/api/).
void RegisterSystemRoutes(Router& router);
void RegisterAuthRoutes(Router& router);
void RegisterUserRoutes(Router& router);
void RegisterProjectRoutes(Router& router);
void RegisterMemberRoutes(Router& router);
void RegisterTaskRoutes(Router& router);
void RegisterDataManagerRoutes(Router& router);
void RegisterAnnotationRoutes(Router& router);
void RegisterDraftRoutes(Router& router);
void RegisterWorkflowRoutes(Router& router);
void RegisterReviewRoutes(Router& router);
void RegisterStatsRoutes(Router& router);
void RegisterPredictionRoutes(Router& router);
void RegisterImportRoutes(Router& router);
void RegisterExportRoutes(Router& router);
void RegisterExportJobRoutes(Router& router);
void RegisterMediaRoutes(Router& router);
void RegisterAgreementRoutes(Router& router);
void RegisterQualityRoutes(Router& router);
void RegisterAuditRoutes(Router& router);
void RegisterWebhookRoutes(Router& router);
void RegisterPrefilterRoutes(Router& router);
void RegisterGuidelineRoutes(Router& router);
void RegisterStaticRoutes(Router& router);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_APP_H_
