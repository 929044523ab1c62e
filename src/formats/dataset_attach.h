// Importing a dataset onto the tasks a project already has
// (DatasetImportOptions::to_existing_tasks): each item's regions go to the
// task whose image has the same file name, as an annotation or a prediction.
// The usual case is pre-annotation: the images were uploaded first, and a
// model's COCO or YOLO output arrives later.
//
// Matching is by file name only ("img7.jpg"), wherever the task's image lives:
// "/data/upload/3/1a2b3c4d-img7.jpg" (an upload: the 8-hex-digit prefix the
// server adds is dropped), "/data/local-files/?d=coco/img7.jpg",
// "s3://bucket/img7.jpg" and "img7.jpg" all match "img7.jpg".
#ifndef TESSERA_SRC_FORMATS_DATASET_ATTACH_H_
#define TESSERA_SRC_FORMATS_DATASET_ATTACH_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "tessera/store.h"

namespace tessera::formats {

// The file name an image path or URL ends with ("" when it has none).
std::string ImageFileName(std::string_view path_or_url);

// The project's tasks by image file name, read once before the import.
class ExistingTasks {
 public:
  static constexpr Id kAmbiguous = -1;

  // Reads every task of the project: the file name of data[data_key], and
  // the results it already has of the kind the import adds (predictions
  // when `predictions`, else annotations), so that running the same import
  // again (after an interruption) adds nothing twice.
  static Result<ExistingTasks> Load(Store& store, Id project_id, const std::string& data_key,
                                    bool predictions);

  // The task whose image has this file name; 0 when none has, kAmbiguous
  // when several have.
  Id Find(const std::string& file_name) const;
  // Whether the task already has exactly this result.
  bool HasResult(Id task_id, const std::string& result) const;
  void AddResult(Id task_id, const std::string& result);
  size_t size() const { return by_name_.size(); }

 private:
  std::unordered_map<std::string, Id> by_name_;
  std::unordered_set<std::string> results_;  // "<task id>:<hash of the result>"
};

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_DATASET_ATTACH_H_
