// What the /quality routes (quality.cc) and the detection evaluation
// (quality_detection.cc) share: reading the request and the project.
#ifndef TESSERA_SERVER_API_QUALITY_COMMON_H_
#define TESSERA_SERVER_API_QUALITY_COMMON_H_

#include <initializer_list>
#include <string>

#include "server/context.h"
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

// GET /api/projects/{id}/quality/detection (quality_detection.cc).
HttpResponse QualityDetection(RequestContext& ctx);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_QUALITY_COMMON_H_
