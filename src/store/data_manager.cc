// The default (unsupported) implementations of the optional data-manager
// Store methods.
#include "tessera/store.h"

namespace tessera {

namespace {
Status Unsupported() {
  return Status::FailedPrecondition("this store does not support the data manager");
}
}  // namespace

Result<std::vector<Id>> Store::ListTaskIds(const TaskQuery&) { return Unsupported(); }
Result<std::vector<TaskColumns>> Store::ListTaskColumns(std::span<const Id>) {
  return Unsupported();
}
Result<int64_t> Store::ApplyTaskAction(Id, TaskAction, std::span<const Id>) {
  return Unsupported();
}
Status Store::CreateDmView(DmView*) { return Unsupported(); }
Result<DmView> Store::GetDmView(Id) { return Unsupported(); }
Result<std::vector<DmView>> Store::ListDmViews(Id) { return Unsupported(); }
Status Store::UpdateDmView(const DmView&) { return Unsupported(); }
Status Store::DeleteDmView(Id) { return Unsupported(); }
Result<int64_t> Store::DeleteDmViews(Id) { return Unsupported(); }

}  // namespace tessera
