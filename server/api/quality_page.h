// The /quality summary as the quality page asks for it by default, kept as
// the page's snapshot (page_snapshots.h) whenever the dashboards count the
// project's agreement (a load, a start, a rebuild), so that the first
// /quality afterwards answers from it at once. Defined in api/quality.cc.
#ifndef TESSERA_SERVER_API_QUALITY_PAGE_H_
#define TESSERA_SERVER_API_QUALITY_PAGE_H_

#include "server/page_snapshots.h"
#include "server/quality_cache.h"
#include "tessera/store.h"

namespace tessera::server {

// Computes the default summary (threshold 0.6, the lowest 20 tasks, IoU 0.5)
// from `snap` and keeps it in `pages`; errors leave the page uncounted.
void KeepQualitySummaryPage(Store& store, PageSnapshots& pages, const Project& project,
                            const QualitySnapshot& snap);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_QUALITY_PAGE_H_
