// What the /quality routes share (quality.cc, quality_summary.cc,
// quality_detection.cc): reading the request and the project.
#ifndef TESSERA_SERVER_API_QUALITY_COMMON_H_
#define TESSERA_SERVER_API_QUALITY_COMMON_H_

#include <functional>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "server/context.h"
#include "server/quality_cache.h"
#include "tessera/agreement.h"
#include "tessera/store.h"

namespace tessera::server {

// One of `allowed`, or InvalidArgument listing them.
Result<std::string> QueryChoice(const HttpRequest& req, const std::string& key, const std::string& fallback,
                                std::initializer_list<const char*> allowed);

// The shared start of every handler: the project id, the caller's right to
// see quality figures (reviewer or above), the project itself.
Result<Project> LoadProject(RequestContext& ctx);

// A library failure on the data (too few ratings, ...) is the request's
// precondition, not a server fault.
Status DataProblem(const Status& s, const std::string& what);

// ?iou_threshold= (0.5 by default).
Result<AgreementOptions> ReadAgreementOptions(const HttpRequest& req);

// Runs fn over the project's up-to-date agreement state (LoadProject, then
// QualityCache::With) and answers its JSON with "cache": {"seq",
// "full_rebuild", "reloaded_tasks"}.
HttpResponse WithQuality(RequestContext& ctx, const AgreementOptions& options,
                         const std::function<Result<nlohmann::json>(const Project&, const QualitySnapshot&)>& fn);

// An annotator as the quality routes list them: id, email, name (an imported
// annotation without an author, id < 0, is its own annotator).
nlohmann::json AnnotatorInfo(Store& store, Id id);

// GET /api/projects/{id}/quality and /quality/tasks (quality_summary.cc).
HttpResponse QualitySummary(RequestContext& ctx);
HttpResponse QualityTasks(RequestContext& ctx);

// GET /api/projects/{id}/quality/detection (quality_detection.cc).
HttpResponse QualityDetection(RequestContext& ctx);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_QUALITY_COMMON_H_
