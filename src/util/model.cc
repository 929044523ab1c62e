#include "tessera/model.h"

#include <string_view>

namespace tessera {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAnnotator: return "annotator";
    case Role::kReviewer: return "reviewer";
    case Role::kManager: return "manager";
    case Role::kOwner: return "owner";
  }
  return "annotator";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "annotator") return Role::kAnnotator;
  if (name == "reviewer") return Role::kReviewer;
  if (name == "manager") return Role::kManager;
  if (name == "owner") return Role::kOwner;
  return std::nullopt;
}

}  // namespace tessera
