// Consensus boxes: cluster annotators' boxes by IoU and average each cluster
// that reaches the quorum.
#include <algorithm>
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

struct Cluster {
  std::string label;
  std::vector<size_t> members;
  std::vector<size_t> annotators;
  double left = 0, top = 0, right = 0, bottom = 0;  // sums over members

  Box Mean() const {
    const double count = static_cast<double>(members.size());
    return {left / count, top / count, (right - left) / count, (bottom - top) / count};
  }
};

}  // namespace

Result<std::vector<ConsensusBox>> BoxConsensus(const std::vector<AnnotatorBox>& boxes,
                                               const ConsensusOptions& options) {
  if (options.quorum < 1) return Status::InvalidArgument("consensus quorum must be >= 1");
  std::vector<Cluster> clusters;
  for (size_t idx = 0; idx < boxes.size(); ++idx) {
    const AnnotatorBox& input = boxes[idx];
    const Box& box = input.box.box;
    if (!(box.width >= 0 && box.height >= 0)) {
      return Status::InvalidArgument("box " + std::to_string(idx) + " has a negative or NaN size");
    }
    Cluster* best = nullptr;
    double best_iou = options.iou_threshold;
    for (Cluster& cluster : clusters) {
      if (cluster.label != input.box.label) continue;
      if (std::find(cluster.annotators.begin(), cluster.annotators.end(), input.annotator) !=
          cluster.annotators.end()) {
        continue;  // one box per annotator per cluster
      }
      const double iou = BoxIoU(cluster.Mean(), box);
      if (iou >= best_iou && (best == nullptr || iou > best_iou)) {
        best = &cluster;
        best_iou = iou;
      }
    }
    if (best == nullptr) {
      clusters.push_back({input.box.label, {}, {}, 0, 0, 0, 0});
      best = &clusters.back();
    }
    best->members.push_back(idx);
    best->annotators.push_back(input.annotator);
    best->left += box.x;
    best->top += box.y;
    best->right += box.x + box.width;
    best->bottom += box.y + box.height;
  }
  std::vector<ConsensusBox> out;
  for (const Cluster& cluster : clusters) {
    if (cluster.annotators.size() < options.quorum) continue;
    out.push_back({{cluster.Mean(), cluster.label}, cluster.members});
  }
  return out;
}

}  // namespace tessera::quality
