// Label Studio JSON / JSONL export, streamed task by task.
#include <unordered_map>

#include "tessera/export.h"
#include "tessera/ls_json.h"

namespace tessera {
namespace {

using nlohmann::json;

// Looks users up once each, for "completed_by".
class AuthorCache {
 public:
  explicit AuthorCache(Store& store) : store_(store) {}

  json Get(Id user_id) {
    if (user_id <= 0) return nullptr;
    auto found = cache_.find(user_id);
    if (found != cache_.end()) return found->second;
    json author = {{"id", user_id}, {"email", ""}, {"first_name", ""}, {"last_name", ""}};
    auto user = store_.GetUser(user_id);
    if (user.ok()) {
      author["email"] = user->email;
      author["first_name"] = user->first_name;
      author["last_name"] = user->last_name;
    }
    cache_.emplace(user_id, author);
    return author;
  }

 private:
  Store& store_;
  std::unordered_map<Id, json> cache_;
};

// The task as Label Studio's export serializer prints it.
json ExportTask(const TaskBundle& bundle, AuthorCache& authors) {
  json task = TaskBundleToJson(bundle);
  task.erase("overlap");
  task.erase("is_labeled");
  task["drafts"] = json::array();
  json& annotations = task["annotations"];
  for (size_t ann_idx = 0; ann_idx < annotations.size(); ++ann_idx) {
    json& annotation = annotations[ann_idx];
    annotation.erase("created_username");
    annotation["completed_by"] = authors.Get(bundle.annotations[ann_idx].completed_by);
    annotation["prediction"] = json::object();
    annotation["result_count"] =
        annotation["result"].is_array() ? annotation["result"].size() : size_t{0};
  }
  return task;
}

}  // namespace

Status ExportLsJson(Store& store, Id project_id, std::ostream& out, const ExportOptions& options) {
  AuthorCache authors(store);
  TaskQuery query;
  query.project_id = project_id;
  query.limit = 1000;  // page size for the store's paging
  int64_t written = 0;
  const bool as_array = options.format == ExportFormat::kJson;
  if (as_array) out << '[';
  Status st = store.ForEachTaskBundle(query, [&](const TaskBundle& bundle) -> Status {
    if (!options.download_all_tasks && bundle.annotations.empty()) return Status::Ok();
    if (as_array && written > 0) out << ',';
    if (as_array) out << '\n';
    // Stored text is valid UTF-8; replace (rather than throw on) anything that is not.
    out << ExportTask(bundle, authors).dump(-1, ' ', false, json::error_handler_t::replace);
    if (!as_array) out << '\n';
    ++written;
    if (!out) return Status::IOError("writing the export failed (disk full or connection closed?)");
    if (options.progress && options.progress_every > 0 && written % options.progress_every == 0) {
      options.progress(written);
    }
    return Status::Ok();
  });
  TESSERA_RETURN_IF_ERROR(st);
  if (as_array) out << (written > 0 ? "\n]\n" : "]\n");
  out.flush();
  if (!out) return Status::IOError("writing the export failed (disk full or connection closed?)");
  if (options.progress) options.progress(written);
  return Status::Ok();
}

}  // namespace tessera
