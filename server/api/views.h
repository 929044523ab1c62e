// JSON views of users and projects in Label Studio's shapes (tasks,
// annotations and predictions live in tessera/ls_json.h, shared with export).
#ifndef TESSERA_SERVER_API_VIEWS_H_
#define TESSERA_SERVER_API_VIEWS_H_

#include <nlohmann/json.hpp>

#include "tessera/model.h"
#include "tessera/store.h"

namespace tessera::server {

nlohmann::json UserJson(const User& user);
// A compact author object: {"id","first_name","last_name","email","avatar"}.
nlohmann::json UserBriefJson(const User& user);
nlohmann::json ProjectJson(Store& store, const Project& project, const ProjectStats& stats);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_VIEWS_H_
