// The data manager's task query (issue 9): Label Studio's filter items,
// ordering and search, from a saved view and/or the `query` parameter, checked
// and turned into a TaskQuery. Used by /api/tasks, /api/dm/* and export.
//
// Per-task agreement is not in the database: a filter on it is resolved here
// from the QualityCache into a set of task ids (TaskFilter op id_in /
// id_not_in over the tasks that have a score, so the set stays as small as
// the annotated part of the project); ordering by it is done in memory by
// ListTaskPage.
#ifndef TESSERA_SERVER_API_DM_QUERY_H_
#define TESSERA_SERVER_API_DM_QUERY_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/context.h"
#include "tessera/store.h"

namespace tessera::server {

// {"filters": {"conjunction", "items"}, "ordering": [..], "search": ".."}:
// every key optional. Errors name the field ("filters", "ordering",
// "search"), the item index, the column/operator and the allowed values.
// Agreement items stay in task_query.filters with column "agreement" until
// ResolveDmQuery turns them into id sets; ordering by agreement sets
// order_by_agreement (task_query.order stays "id").
struct DmQuery {
  TaskQuery task_query;
  bool order_by_agreement = false;
  bool agreement_descending = false;
};
Result<DmQuery> ParseDmQuery(const nlohmann::json& query, Id project_id);

// Checks a view's data object ({"title", "filters", "ordering", ...}).
Status ValidateViewData(const nlohmann::json& data);

// The query of a request: the saved view `view=` (which must belong to the
// project: else 404) and the `query=` JSON parameter, merged key by key
// (query wins), plus `search=` and `ordering=` parameters when given.
Result<DmQuery> DmQueryFromRequest(RequestContext& ctx, Id project_id);
// The same from a body ({"filters", "ordering", "search"}) over an optional view.
Result<DmQuery> DmQueryFromBody(RequestContext& ctx, Id project_id, const nlohmann::json& body);

// True when the query filters or sorts by agreement.
bool UsesAgreement(const DmQuery& query);

// Per-task agreement of the project, 0..100, for tasks with >= 2 annotators.
Result<std::map<Id, double>> TaskAgreements(RequestContext& ctx, Id project_id);

// The agreement of just these tasks (a task's score depends on its own
// annotations only): the task list's column, without reading the project.
Result<std::map<Id, double>> PageAgreements(RequestContext& ctx, Id project_id,
                                            const std::vector<Id>& task_ids);

// Turns the agreement items into id conditions (computing the agreement only
// when there are some). *agreements receives the scores when computed.
Status ResolveDmQuery(RequestContext& ctx, DmQuery* query,
                      std::optional<std::map<Id, double>>* agreements);

// Every matching task id, in the query's order (agreement order in memory).
Result<std::vector<Id>> MatchingTaskIds(RequestContext& ctx, DmQuery& query,
                                        std::optional<std::map<Id, double>>* agreements);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_DM_QUERY_H_
