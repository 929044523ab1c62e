// Scores an annotator's answer on a honeypot task against its ground truth,
// region by region, with the quality library: choices by exact match (per
// control), rectangles by one-to-one matching at IoU >= 0.5 with the same
// label, and any other result type by exact equality of its values.
//
// Thread-safety: pure function.
#ifndef TESSERA_SERVER_API_HONEYPOT_SCORE_H_
#define TESSERA_SERVER_API_HONEYPOT_SCORE_H_

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/model.h"

namespace tessera::server {

// True when `answer` agrees with `ground_truth` (both Label Studio result
// arrays). Malformed input counts as a disagreement.
bool HoneypotCorrect(const nlohmann::json& ground_truth, const nlohmann::json& answer);

// How an annotation of a task scores as a honeypot answer.
enum class HoneypotScore : uint8_t { kNone, kWrong, kRight };

// The honeypot score of each of a task's annotations, by position. An
// answer is an authored annotation that is neither skipped nor ground
// truth; it is scored against the newest ground truth of the task that its
// author did not make (one imported without an author counts for everyone),
// as Store::ListHoneypotAnswers pairs them. Empty (every one kNone) when the
// task has no ground truth, as most tasks: that costs one pass and no
// allocation.
std::vector<HoneypotScore> ScoreHoneypotAnswers(const std::vector<Annotation>& annotations);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_HONEYPOT_SCORE_H_
