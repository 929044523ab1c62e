// /stats/guidelines as a page snapshot (page_snapshots.h), counted where the
// dashboards are counted at load (tessera import and migrate, the start's
// count of never-counted projects), so that the first look at the page
// afterwards answers at once. Defined in api/guidelines.cc.
#ifndef TESSERA_SERVER_API_GUIDELINE_PAGE_H_
#define TESSERA_SERVER_API_GUIDELINE_PAGE_H_

#include "server/guideline_stats_cache.h"
#include "server/page_snapshots.h"
#include "tessera/store.h"

namespace tessera::server {

// Brings the project's entry of `cache` up to date on the calling thread
// (work already on a lane) and keeps the page's answer in `pages`. Only for
// a project with published guidelines: without them the page is one row
// that few open, and counting it would cost a read of the project. A
// labeling config the agreement cannot read is left uncounted.
Status CountGuidelinePage(Store& store, GuidelineStatsCache& cache, PageSnapshots& pages, const Project& project);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_GUIDELINE_PAGE_H_
