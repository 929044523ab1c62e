// Pre-filtering of imported tasks, as the import handler runs it (see
// src/media/prefilter.h for the checks and server/api/prefilter.cc for the
// routes that configure it and release flagged tasks).
#ifndef TESSERA_SERVER_API_PREFILTER_H_
#define TESSERA_SERVER_API_PREFILTER_H_

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <unordered_map>

#include "tessera/config.h"
#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera::server {

class App;

// Measures and judges the tasks `first_id`..`last_id` (ids of one import
// request; other projects' ids in the range are skipped) against the
// project's earlier tasks, stores their hashes and flags, and returns the
// counts per reason: {"duplicate": n, "near_duplicate": n, "blurry": n,
// "unreadable": n, "empty": n}. `media` holds the bytes of files uploaded in
// the same request by task id (so they are not read back from disk). Images
// the task data points to under /data/upload/{project}/ are read from the
// media folder; other URLs are not fetched (their tasks get the content and
// text checks only). Hashes are stored even when pre-filtering is off, so
// turning it on later compares new imports with every earlier task.
Result<nlohmann::json> PrefilterImport(App& app, Id project_id, const LabelingConfig* config,
                                       Id first_id, Id last_id,
                                       const std::unordered_map<Id, std::string_view>& media);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_PREFILTER_H_
