#include "server/api/views.h"

#include "tessera/config.h"
#include "tessera/util.h"

namespace tessera::server {

using nlohmann::json;

namespace {
std::string Initials(const User& u) {
  std::string s;
  if (!u.first_name.empty()) s += u.first_name[0];
  if (!u.last_name.empty()) s += u.last_name[0];
  if (s.empty() && !u.email.empty()) s = u.email.substr(0, 2);
  return s;
}
}  // namespace

json UserJson(const User& u) {
  return json{{"id", u.id},
              {"first_name", u.first_name},
              {"last_name", u.last_name},
              {"username", u.username},
              {"email", u.email},
              {"last_activity", FormatIsoTime(u.last_activity ? u.last_activity : u.created_at)},
              {"avatar", nullptr},
              {"initials", Initials(u)},
              {"phone", ""},
              {"active_organization", 1},
              {"allow_newsletters", false},
              {"is_superuser", u.is_admin},
              {"date_joined", FormatIsoTime(u.created_at)}};
}

json UserBriefJson(const User& u) {
  return json{{"id", u.id},
              {"first_name", u.first_name},
              {"last_name", u.last_name},
              {"email", u.email},
              {"avatar", nullptr}};
}

json ProjectJson(Store& store, const Project& p, const ProjectStats& stats) {
  json created_by = nullptr;
  if (auto u = store.GetUser(p.created_by); u.ok()) created_by = UserBriefJson(*u);
  json parsed = json::object();
  bool has_controls = false;
  if (!Trim(p.label_config).empty()) {
    auto cfg = ParseLabelingConfig(p.label_config);
    if (cfg.ok()) {
      parsed = ParsedLabelConfig(**cfg);
      has_controls = !parsed.empty();
    }
  }
  json settings = json::parse(p.settings, nullptr, false);
  if (settings.is_discarded() || !settings.is_object()) settings = json::object();
  json out{{"id", p.id},
           {"title", p.title},
           {"description", p.description},
           {"label_config", p.label_config},
           {"expert_instruction", p.expert_instruction},
           {"show_instruction", p.show_instruction},
           {"show_skip_button", p.show_skip_button},
           {"enable_empty_annotation", p.enable_empty_annotation},
           {"show_annotation_history", p.show_annotation_history},
           {"organization", 1},
           {"color", p.color},
           {"maximum_annotations", p.maximum_annotations},
           {"is_published", p.is_published},
           {"model_version", p.model_version},
           {"is_draft", p.is_draft},
           {"created_by", created_by},
           {"created_at", FormatIsoTime(p.created_at)},
           {"min_annotations_to_start_training", 0},
           {"start_training_on_annotation_update", false},
           {"show_collab_predictions", p.show_collab_predictions},
           {"num_tasks_with_annotations", stats.num_tasks_with_annotations},
           {"task_number", stats.task_number},
           {"useful_annotation_number", stats.total_annotations_number},
           {"ground_truth_number", stats.ground_truth_number},
           {"skipped_annotations_number", stats.skipped_annotations_number},
           {"total_annotations_number", stats.total_annotations_number},
           {"total_predictions_number", stats.total_predictions_number},
           {"sampling", p.sampling},
           {"show_ground_truth_first", false},
           {"show_overlap_first", false},
           {"overlap_cohort_percentage", 100},
           {"task_data_login", nullptr},
           {"task_data_password", nullptr},
           {"control_weights", json::object()},
           {"parsed_label_config", parsed},
           {"evaluate_predictions_automatically", false},
           {"config_has_control_tags", has_controls},
           {"skip_queue", "REQUEUE_FOR_OTHERS"},
           {"reveal_preannotations_interactively", false},
           {"pinned_at", nullptr},
           {"finished_task_number", stats.finished_task_number},
           {"queue_total", stats.task_number},
           {"queue_done", stats.finished_task_number},
           {"settings", settings}};
  return out;
}

}  // namespace tessera::server
