// The commands of `tessera quality`, one Run function each (in
// cli/quality_*.cc). cli/quality.cc parses the command line into these
// argument structs. Each Run prints its report to stdout (JSON with --json)
// and returns the process exit code: 0, kExitDataError or kExitUsageError.
#ifndef TESSERA_CLI_QUALITY_COMMANDS_H_
#define TESSERA_CLI_QUALITY_COMMANDS_H_

#include <string>

namespace tessera::cli {

struct QualityAgreementArgs {
  std::string input, control;
  std::string metric;
  std::string level;    // empty: not given (nominal)
  std::string weights;  // empty: not given (none)
  bool ci = false;
  bool json = false;
};
int RunQualityAgreement(const QualityAgreementArgs& args);

struct QualityAggregateArgs {
  std::string input, control;
  std::string method;
  bool json = false;
};
int RunQualityAggregate(const QualityAggregateArgs& args);

struct QualityAnnotatorsArgs {
  std::string input, control;
  bool json = false;
};
int RunQualityAnnotators(const QualityAnnotatorsArgs& args);

struct QualitySpansArgs {
  std::string reference, candidate;
  std::string mode = "strict";
  bool json = false;
};
int RunQualitySpans(const QualitySpansArgs& args);

struct QualityDetectionArgs {
  std::string ground_truth, detections;
  bool json = false;
};
int RunQualityDetection(const QualityDetectionArgs& args);

struct QualityLabelIssuesArgs {
  std::string labels, pred_probs;
  std::string filter_by = "prune-by-noise-rate";
  bool json = false;
};
int RunQualityLabelIssues(const QualityLabelIssuesArgs& args);

}  // namespace tessera::cli

#endif  // TESSERA_CLI_QUALITY_COMMANDS_H_
