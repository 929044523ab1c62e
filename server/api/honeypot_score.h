// Scores an annotator's answer on a honeypot task against its ground truth,
// region by region, with the quality library: choices by exact match (per
// control), rectangles by one-to-one matching at IoU >= 0.5 with the same
// label, and any other result type by exact equality of its values.
//
// Thread-safety: pure function.
#ifndef TESSERA_SERVER_API_HONEYPOT_SCORE_H_
#define TESSERA_SERVER_API_HONEYPOT_SCORE_H_

#include <nlohmann/json.hpp>

namespace tessera::server {

// True when `answer` agrees with `ground_truth` (both Label Studio result
// arrays). Malformed input counts as a disagreement.
bool HoneypotCorrect(const nlohmann::json& ground_truth, const nlohmann::json& answer);

}  // namespace tessera::server

#endif  // TESSERA_SERVER_API_HONEYPOT_SCORE_H_
