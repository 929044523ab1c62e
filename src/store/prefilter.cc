// The default (unsupported) implementations of the optional pre-filtering
// Store methods.
#include "tessera/store.h"

namespace tessera {

namespace {
Status Unsupported() {
  return Status::FailedPrecondition("this store does not support pre-filtering");
}
}  // namespace

Result<std::string> Store::GetPrefilterSettings(Id) { return Unsupported(); }
Status Store::SetPrefilterSettings(Id, const std::string&) { return Unsupported(); }
Result<std::vector<TaskHash>> Store::ListTaskHashes(Id) { return Unsupported(); }
Status Store::RecordPrefilter(Id, std::span<const TaskHash>, std::span<const TaskFlag>) {
  return Unsupported();
}
Result<std::vector<TaskFlag>> Store::ListTaskFlags(Id, std::string_view, Id, int64_t) {
  return Unsupported();
}
Result<std::vector<std::pair<std::string, int64_t>>> Store::CountTaskFlags(Id) {
  return Unsupported();
}
Result<int64_t> Store::ReleaseTaskFlags(Id, const TaskSelection&, std::string_view) {
  return Unsupported();
}

}  // namespace tessera
