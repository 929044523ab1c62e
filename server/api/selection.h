// Request-body pieces shared by the bulk-action handlers: lists of ids and
// Label Studio's data-manager selection ("selectedItems").
#ifndef TESSERA_SERVER_API_SELECTION_H_
#define TESSERA_SERVER_API_SELECTION_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tessera/status.h"
#include "tessera/store.h"

namespace tessera::server {

// A list of positive ids; errors name `field`.
Result<std::vector<Id>> IdList(const nlohmann::json& value, const std::string& field);

// body["selectedItems"]: {"all": false, "included": [task ids]} (those tasks)
// or {"all": true, "excluded": [task ids]} (every task of the project except
// those). Errors name "selectedItems" and show both shapes.
Result<TaskSelection> ParseSelectedItems(const nlohmann::json& body);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_SELECTION_H_
