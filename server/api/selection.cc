#include "server/api/selection.h"

// GCC 12 at -O2 reports false -Warray-bounds / -Wstringop-overflow errors on
// the std::string building below once it is inlined (GCC bugs 105329 and
// 105651, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif

namespace tessera::server {

using nlohmann::json;

Result<std::vector<Id>> IdList(const json& value, const std::string& field) {
  if (!value.is_array()) {
    return Status::FieldInvalid(field, field + " must be a list of ids, e.g. [1, 2, 3]");
  }
  std::vector<Id> ids;
  for (const json& item : value) {
    if (!item.is_number_integer() || item.get<int64_t>() <= 0) {
      return Status::FieldInvalid(field, field + " must hold positive integer ids; got " +
                                             item.dump());
    }
    ids.push_back(item.get<Id>());
  }
  return ids;
}

namespace {

// An error about selectedItems: `problem` (may be empty) and the two valid
// shapes.
Status BadSelection(std::string_view problem) {
  std::string message(problem);
  if (!message.empty()) message += "; ";
  message += "selectedItems must be {\"all\": false, \"included\": [task ids]} (those tasks) or "
             "{\"all\": true, \"excluded\": [task ids]} (every task of the project except those)";
  return Status::FieldInvalid("selectedItems", std::move(message));
}

}  // namespace

Result<TaskSelection> ParseSelectedItems(const json& body) {
  TaskSelection tasks;
  auto selected = body.find("selectedItems");
  if (selected == body.end() || !selected->is_object()) {
    return BadSelection("");
  }
  auto all = selected->find("all");
  if (all != selected->end() && !all->is_boolean()) {
    return BadSelection("selectedItems.all must be true or false");
  }
  tasks.all = all != selected->end() && all->get<bool>();
  // The list that the mode reads, and the one it must not be given (a
  // non-empty "included" with all = true would silently select everything).
  const char* used = tasks.all ? "excluded" : "included";
  const char* unused = tasks.all ? "included" : "excluded";
  if (auto other = selected->find(unused);
      other != selected->end() && !(other->is_array() && other->empty())) {
    std::string problem = "selectedItems.";
    problem += unused;
    problem += " is not read when all is ";
    problem += tasks.all ? "true" : "false";
    return BadSelection(problem);
  }
  auto list = selected->find(used);
  if (list == selected->end()) {
    if (!tasks.all) return BadSelection("");
  } else {
    auto ids = IdList(*list, std::string("selectedItems.") + used);
    if (!ids.ok()) return Status::FieldInvalid("selectedItems", ids.status().message());
    tasks.ids = std::move(*ids);
  }
  if (tasks.ids.size() > 100000) {
    std::string problem = "selectedItems.";
    problem += used;
    problem += " may list at most 100000 tasks; use \"all\": true with \"excluded\" for more";
    return Status::FieldInvalid("selectedItems", std::move(problem));
  }
  return tasks;
}

}  // namespace tessera::server
