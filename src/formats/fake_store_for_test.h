// An in-memory Store for the formats tests: it implements the import and
// export paths (BeginImport, InsertTasks, FinishImport, AbortImport,
// ForEachTaskBundle, GetUser) and answers Internal for everything else.
// Not thread-safe; test-only.
#ifndef TESSERA_SRC_FORMATS_FAKE_STORE_FOR_TEST_H_
#define TESSERA_SRC_FORMATS_FAKE_STORE_FOR_TEST_H_

#include <map>

#include "tessera/store.h"

namespace tessera {

class FakeStore : public Store {
 public:
  // Tasks, keyed by id; each remembers its import.
  std::map<Id, TaskBundle> bundles;
  std::map<Id, ImportRecord> imports;
  std::map<Id, User> users;
  int begin_calls = 0;
  int insert_calls = 0;
  // InsertTasks fails once this many batches went in (negative: never).
  int fail_insert_after = -1;

  Result<Id> BeginImport(Id project_id, Id user_id, const std::string& source) override {
    ++begin_calls;
    ImportRecord record;
    record.id = static_cast<Id>(imports.size()) + 1;
    record.project_id = project_id;
    record.user_id = user_id;
    record.source = source;
    record.status = "running";
    imports[record.id] = record;
    return record.id;
  }
  Status InsertTasks(Id project_id, Id import_id, std::span<const NewTask> tasks,
                     std::vector<Id>* task_ids) override {
    if (fail_insert_after >= 0 && insert_calls >= fail_insert_after) {
      return Status::IOError("disk full (simulated)");
    }
    ++insert_calls;
    for (const NewTask& nt : tasks) {
      TaskBundle bundle;
      bundle.task.id = next_id_++;
      bundle.task.project_id = project_id;
      bundle.task.import_id = import_id;
      bundle.task.data = nt.data;
      bundle.task.meta = nt.meta;
      bundle.task.inner_id = bundle.task.id;
      for (Annotation annotation : nt.annotations) {
        annotation.id = next_id_++;
        annotation.task_id = bundle.task.id;
        annotation.project_id = project_id;
        annotation.import_id = import_id;
        if (annotation.was_cancelled) {
          ++bundle.task.cancelled_annotations;
        } else {
          ++bundle.task.total_annotations;
        }
        bundle.annotations.push_back(annotation);
      }
      for (Prediction prediction : nt.predictions) {
        prediction.id = next_id_++;
        prediction.task_id = bundle.task.id;
        prediction.project_id = project_id;
        bundle.predictions.push_back(prediction);
      }
      bundle.task.total_predictions = static_cast<int>(bundle.predictions.size());
      if (task_ids != nullptr) task_ids->push_back(bundle.task.id);
      bundles[bundle.task.id] = bundle;
    }
    return Status::Ok();
  }
  Status FinishImport(Id import_id, int64_t tasks, int64_t annotations,
                      int64_t predictions) override {
    ImportRecord& record = imports.at(import_id);
    record.status = "completed";
    record.task_count = tasks;
    record.annotation_count = annotations;
    record.prediction_count = predictions;
    return Status::Ok();
  }
  Status AbortImport(Id import_id, const std::string& error) override {
    std::erase_if(bundles, [&](const auto& entry) { return entry.second.task.import_id == import_id; });
    imports.at(import_id).status = "failed";
    imports.at(import_id).error = error;
    return Status::Ok();
  }
  Result<ImportRecord> GetImport(Id import_id) override { return imports.at(import_id); }
  Status ForEachTaskBundle(const TaskQuery& query,
                           const std::function<Status(const TaskBundle&)>& fn) override {
    for (const auto& [id, bundle] : bundles) {
      if (bundle.task.project_id != query.project_id) continue;
      TESSERA_RETURN_IF_ERROR(fn(bundle));
    }
    return Status::Ok();
  }
  Result<User> GetUser(Id id) override {
    auto found = users.find(id);
    if (found == users.end()) return Status::NotFound("no such user");
    return found->second;
  }

  // ---- not used by the formats ----
  Status CreateUser(User*) override { return No(); }
  Result<User> GetUserByEmail(const std::string&) override { return No(); }
  Result<std::vector<User>> ListUsers() override { return No(); }
  Status UpdateUser(const User&) override { return No(); }
  Status TouchUser(Id, TimeMs) override { return No(); }
  Status SetApiToken(Id, const std::string&) override { return No(); }
  Result<std::string> GetApiToken(Id) override { return No(); }
  Result<User> FindUserByApiToken(const std::string&) override { return No(); }
  Status CreateSession(const Session&) override { return No(); }
  Result<Session> GetSession(const std::string&) override { return No(); }
  Status DeleteSession(const std::string&) override { return No(); }
  Status DeleteExpiredSessions(TimeMs) override { return No(); }
  Status CreateProject(Project*) override { return No(); }
  Result<Project> GetProject(Id) override { return No(); }
  Result<std::vector<Project>> ListProjects(Id, bool) override { return No(); }
  Status UpdateProject(const Project&) override { return No(); }
  Status DeleteProject(Id) override { return No(); }
  Result<ProjectStats> GetProjectStats(Id) override { return No(); }
  Status SetMember(Id, Id, Role) override { return No(); }
  Status RemoveMember(Id, Id) override { return No(); }
  Result<std::optional<Role>> GetRole(Id, Id) override { return No(); }
  Result<std::vector<Membership>> ListMembers(Id) override { return No(); }
  Result<int> RollBackUnfinishedImports() override { return No(); }
  Result<Task> GetTask(Id) override { return No(); }
  Result<std::vector<Task>> ListTasks(const TaskQuery&) override { return No(); }
  Result<int64_t> CountTasks(const TaskQuery&) override { return No(); }
  Status UpdateTask(const Task&) override { return No(); }
  Status DeleteTask(Id) override { return No(); }
  Status DeleteAllTasks(Id) override { return No(); }
  using Store::NextTask;
  Result<Task> NextTask(Id, Id, Id) override { return No(); }
  Status CreateAnnotation(Annotation*) override { return No(); }
  Result<Annotation> GetAnnotation(Id) override { return No(); }
  Result<std::vector<Annotation>> ListAnnotations(Id) override { return No(); }
  Status UpdateAnnotation(Annotation*) override { return No(); }
  Status DeleteAnnotation(Id) override { return No(); }
  Result<std::vector<AnnotationVersion>> ListAnnotationVersions(Id) override { return No(); }
  Status CreatePrediction(Prediction*) override { return No(); }
  Result<Prediction> GetPrediction(Id) override { return No(); }
  Result<std::vector<Prediction>> ListPredictions(Id) override { return No(); }
  Status DeletePrediction(Id) override { return No(); }
  Status SaveDraft(Draft*) override { return No(); }
  Result<Draft> GetDraft(Id) override { return No(); }
  Status UpdateDraft(Draft*) override { return No(); }
  Result<std::vector<Draft>> ListDrafts(Id, Id) override { return No(); }
  Status DeleteDraft(Id) override { return No(); }

 private:
  static Status No() { return Status::Internal("not implemented by FakeStore"); }
  Id next_id_ = 1;
};

}  // namespace tessera

#endif  // TESSERA_SRC_FORMATS_FAKE_STORE_FOR_TEST_H_
