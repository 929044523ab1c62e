#include "src/formats/dataset_attach.h"

#include <cctype>
#include <functional>

#include <nlohmann/json.hpp>

#include "src/formats/dataset_io.h"

namespace tessera::formats {
namespace {

using nlohmann::json;

// The key of one (task, result) pair in ExistingTasks::results_.
std::string ResultKey(Id task_id, const std::string& result) {
  return std::to_string(task_id) + ":" + std::to_string(std::hash<std::string>{}(result));
}

}  // namespace

std::string ImageFileName(std::string_view path) {
  // Label Studio's local-files URLs carry the path in the query: ?d=dir/img.jpg.
  if (size_t d = path.find("?d="); d != std::string_view::npos) {
    path = path.substr(d + 3);
  }
  if (size_t cut = path.find_first_of("?#"); cut != std::string_view::npos) path = path.substr(0, cut);
  const bool upload = path.find("/data/upload/") != std::string_view::npos;
  if (size_t slash = path.find_last_of("/\\"); slash != std::string_view::npos) path = path.substr(slash + 1);
  std::string name = UrlDecode(path, false);
  // Uploads are stored as "<8 hex digits>-<name>" (server/api/imports.cc).
  if (upload && name.size() > 9 && name[8] == '-') {
    bool hex = true;
    for (size_t i = 0; i < 8; ++i) hex = hex && std::isxdigit(static_cast<unsigned char>(name[i]));
    if (hex) name.erase(0, 9);
  }
  return name;
}

Result<ExistingTasks> ExistingTasks::Load(Store& store, Id project_id, const std::string& data_key,
                                          bool predictions) {
  ExistingTasks out;
  TaskQuery query;
  query.project_id = project_id;
  TESSERA_RETURN_IF_ERROR(store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
    json data = json::parse(bundle.task.data, nullptr, false);
    if (!data.is_object()) return Status::Ok();
    auto value = data.find(data_key);
    if (value == data.end() || !value->is_string()) return Status::Ok();
    std::string name = ImageFileName(value->get<std::string>());
    if (name.empty()) return Status::Ok();
    auto [at, inserted] = out.by_name_.emplace(name, bundle.task.id);
    if (!inserted && at->second != bundle.task.id) at->second = kAmbiguous;
    if (predictions) {
      for (const Prediction& p : bundle.predictions) out.AddResult(bundle.task.id, p.result);
    } else {
      for (const Annotation& a : bundle.annotations) out.AddResult(bundle.task.id, a.result);
    }
    return Status::Ok();
  }));
  return out;
}

Id ExistingTasks::Find(const std::string& file_name) const {
  auto found = by_name_.find(file_name);
  return found == by_name_.end() ? 0 : found->second;
}

bool ExistingTasks::HasResult(Id task_id, const std::string& result) const {
  return results_.count(ResultKey(task_id, result)) > 0;
}

void ExistingTasks::AddResult(Id task_id, const std::string& result) {
  results_.insert(ResultKey(task_id, result));
}

}  // namespace tessera::formats
