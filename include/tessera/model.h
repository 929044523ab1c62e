// The domain records Tessera stores: users, projects, tasks, annotations,
// predictions. Plain structs; JSON payloads (task data, annotation results)
// are kept as compact JSON text so that they pass through import, storage and
// export without being re-parsed.
//
// Times are Unix milliseconds (UTC). Ids are positive 64-bit integers assigned
// by the store; 0 means "not assigned yet".
#ifndef TESSERA_MODEL_H_
#define TESSERA_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

using Id = int64_t;
using TimeMs = int64_t;

// Per-project roles, strongest last. A site admin (User::is_admin) may do
// everything everywhere.
enum class Role { kAnnotator = 1, kReviewer = 2, kManager = 3, kOwner = 4 };

const char* RoleName(Role role);                     // "annotator", ...
std::optional<Role> ParseRole(std::string_view name);  // accepts the names above

struct User {
  Id id = 0;
  std::string email;          // unique, stored lower-case
  std::string username;
  std::string first_name;
  std::string last_name;
  std::string password_hash;  // Argon2id string from libsodium; empty = no password login
  bool is_admin = false;
  bool is_active = true;
  TimeMs created_at = 0;
  TimeMs last_activity = 0;
};

// A browser session. Only a hash of the cookie value is stored.
struct Session {
  std::string token_hash;  // hex SHA-256 of the cookie value
  Id user_id = 0;
  std::string csrf_token;  // must be echoed in X-CSRFToken on unsafe requests
  TimeMs created_at = 0;
  TimeMs expires_at = 0;
};

struct Project {
  Id id = 0;
  std::string title;
  std::string description;
  std::string label_config;        // Label Studio XML
  std::string expert_instruction;  // guideline text (HTML/Markdown; sanitized on display)
  bool show_instruction = false;
  bool show_skip_button = true;
  bool enable_empty_annotation = true;
  bool show_annotation_history = false;
  bool show_collab_predictions = true;
  bool is_published = false;
  bool is_draft = false;
  int maximum_annotations = 1;     // overlap: annotations wanted per task
  std::string sampling = "Sequential sampling";
  std::string color = "#FFFFFF";
  std::string model_version;
  std::string settings;            // JSON object of further settings ("{}" if none)
  Id created_by = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// Counters the projects list and project page show.
struct ProjectStats {
  int64_t task_number = 0;
  int64_t num_tasks_with_annotations = 0;  // tasks with >= 1 non-cancelled annotation
  int64_t finished_task_number = 0;        // tasks with is_labeled
  int64_t total_annotations_number = 0;    // non-cancelled annotations
  int64_t skipped_annotations_number = 0;  // cancelled annotations
  int64_t total_predictions_number = 0;
  int64_t ground_truth_number = 0;
  int64_t skipped_only_task_number = 0;    // tasks with skips but no completed annotation
};

struct Membership {
  Id project_id = 0;
  Id user_id = 0;
  Role role = Role::kAnnotator;
  TimeMs created_at = 0;
};

struct Annotation {
  Id id = 0;
  Id task_id = 0;
  Id project_id = 0;
  Id completed_by = 0;       // user id; 0 when imported without an author
  std::string result = "[]"; // JSON array of result items
  bool was_cancelled = false;  // a skip
  bool ground_truth = false;
  double lead_time = 0;        // seconds
  int version = 1;             // bumped by every update; older versions kept
  Id updated_by = 0;
  std::optional<Id> parent_prediction;
  std::optional<Id> parent_annotation;
  std::string last_action;     // e.g. "submitted", "updated", "imported"
  Id import_id = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  // The project's latest guideline version when the annotation was submitted
  // (or last reworked by its author); 0: none (imported, or no guideline yet).
  int guideline_version = 0;
  // The review's verdict: "pending", "accepted", "rejected" or "fixed"
  // (ReviewStateName). Read from the store; set only by ReviewAnnotation and
  // ResubmitAnnotation, never by CreateAnnotation or UpdateAnnotation.
  std::string review_state = "pending";
};

// One stored version of an annotation: what it was before an update.
struct AnnotationVersion {
  Id annotation_id = 0;
  int version = 0;
  std::string result;
  bool was_cancelled = false;
  bool ground_truth = false;
  double lead_time = 0;
  Id updated_by = 0;
  std::string action;
  TimeMs created_at = 0;
};

struct Prediction {
  Id id = 0;
  Id task_id = 0;
  Id project_id = 0;
  std::string result = "[]";
  std::optional<double> score;
  std::string model_version;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// An autosaved, unsubmitted annotation of one user: of a new annotation
// (annotation_id empty) or of an edit of an existing one. At most one per
// (task, user, annotation).
struct Draft {
  Id id = 0;
  Id task_id = 0;
  Id project_id = 0;  // filled by the store from the task
  Id user_id = 0;
  std::optional<Id> annotation_id;
  std::string result = "[]";
  double lead_time = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct Task {
  Id id = 0;
  Id project_id = 0;
  std::string data = "{}";  // JSON object
  std::string meta = "{}";  // JSON object
  bool is_labeled = false;
  int overlap = 1;
  int64_t inner_id = 0;     // 1-based position within the project
  int total_annotations = 0;
  int cancelled_annotations = 0;
  int total_predictions = 0;
  Id import_id = 0;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// A task to insert, with optional nested annotations and predictions
// (Label Studio's import format).
struct NewTask {
  std::string data = "{}";
  std::string meta = "{}";
  std::vector<Annotation> annotations;  // id/task_id/project_id ignored
  std::vector<Prediction> predictions;  // id/task_id/project_id ignored
};

// One published version of a project's guideline (migration 6). Versions are
// numbered 1, 2, ... per project and never change once published.
struct GuidelineVersion {
  Id project_id = 0;
  int version = 0;
  std::string text;              // Markdown, stored as given (sanitized on display)
  std::string note;              // what changed
  Id author_id = 0;              // 0 once the author's account is deleted
  std::string examples = "[]";   // JSON array of {task, annotation, kind, caption}
  TimeMs created_at = 0;
};

// Where one user stands with a project's guideline.
struct GuidelineStatus {
  int latest = 0;        // newest published version; 0: no guideline
  int acknowledged = 0;  // newest version the user acknowledged; 0: none
};

// An import in progress or finished. Tasks carry their import_id so that an
// import that fails (or a process that dies mid-import) can be rolled back.
struct ImportRecord {
  Id id = 0;
  Id project_id = 0;
  Id user_id = 0;
  std::string source;  // file name or "api"
  std::string status;  // "running", "completed", "failed", "rolled_back"
  int64_t task_count = 0;
  int64_t annotation_count = 0;
  int64_t prediction_count = 0;
  std::string error;
  TimeMs created_at = 0;
  TimeMs finished_at = 0;
};

}  // namespace tessera

#endif  // TESSERA_MODEL_H_
