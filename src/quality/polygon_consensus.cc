// Consensus polygons: cluster annotators' polygons by IoU and keep each
// cluster's medoid when it reaches the quorum (see quality.h).
#include <string>

#include "tessera/quality.h"

namespace tessera::quality {

Result<std::vector<ConsensusPolygon>> PolygonConsensus(const std::vector<AnnotatorPolygon>& polygons,
                                                       const ConsensusOptions& options) {
  if (options.quorum < 1) return Status::InvalidArgument("consensus quorum must be >= 1");
  struct Cluster {
    std::vector<size_t> members;
    std::vector<size_t> annotators;
  };
  std::vector<Cluster> clusters;
  for (size_t idx = 0; idx < polygons.size(); ++idx) {
    const AnnotatorPolygon& input = polygons[idx];
    Cluster* best = nullptr;
    double best_iou = options.iou_threshold;
    for (Cluster& cluster : clusters) {
      const AnnotatorPolygon& first = polygons[cluster.members.front()];
      if (first.polygon.label != input.polygon.label) continue;
      bool same_annotator = false;
      for (size_t a : cluster.annotators) same_annotator |= a == input.annotator;
      if (same_annotator) continue;  // one polygon per annotator per cluster
      auto iou = PolygonIoU(first.polygon.polygon, input.polygon.polygon);
      if (!iou.ok()) return iou.status().WithPrefix("polygon " + std::to_string(idx));
      if (*iou >= best_iou && (best == nullptr || *iou > best_iou)) {
        best = &cluster;
        best_iou = *iou;
      }
    }
    if (best == nullptr) {
      if (input.polygon.polygon.size() < 3) {
        return Status::InvalidArgument("polygon " + std::to_string(idx) + ": a polygon needs at least 3 vertices");
      }
      clusters.push_back({});
      best = &clusters.back();
    }
    best->members.push_back(idx);
    best->annotators.push_back(input.annotator);
  }
  std::vector<ConsensusPolygon> out;
  for (const Cluster& cluster : clusters) {
    if (cluster.annotators.size() < options.quorum) continue;
    size_t medoid = cluster.members.front();
    double best_sum = -1;
    for (size_t i : cluster.members) {
      double sum = 0;
      for (size_t j : cluster.members) {
        if (i == j) continue;
        auto iou = PolygonIoU(polygons[i].polygon.polygon, polygons[j].polygon.polygon);
        if (!iou.ok()) return iou.status();
        sum += *iou;
      }
      if (sum > best_sum) {
        best_sum = sum;
        medoid = i;
      }
    }
    out.push_back({medoid, cluster.members});
  }
  return out;
}

}  // namespace tessera::quality
