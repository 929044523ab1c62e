// Consensus spans: cluster annotators' spans by interval IoU and take the
// median boundaries of each cluster that reaches the quorum.
#include <algorithm>
#include <string>
#include <tuple>

#include "tessera/quality.h"

namespace tessera::quality {
namespace {

struct Cluster {
  std::string label;
  std::vector<size_t> members;
  std::vector<size_t> annotators;
  std::vector<size_t> begins, ends;
  Span current;  // the consensus of the members so far
};

size_t LowerMedian(std::vector<size_t> values) {
  const size_t mid = (values.size() - 1) / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  return values[mid];
}

void Recompute(Cluster& cluster) {
  cluster.current.label = cluster.label;
  cluster.current.begin = LowerMedian(cluster.begins);
  cluster.current.end = std::max(cluster.current.begin, LowerMedian(cluster.ends));
}

}  // namespace

double SpanIoU(const Span& a, const Span& b) {
  const size_t lo = std::max(a.begin, b.begin);
  const size_t hi = std::min(a.end, b.end);
  const double inter = hi > lo ? static_cast<double>(hi - lo) : 0.0;
  const double uni = static_cast<double>(a.end - a.begin) + static_cast<double>(b.end - b.begin) - inter;
  return uni > 0 ? inter / uni : 0.0;
}

Result<std::vector<ConsensusSpan>> SpanConsensus(const std::vector<AnnotatorSpan>& spans,
                                                 const ConsensusOptions& options) {
  if (options.quorum < 1) return Status::InvalidArgument("consensus quorum must be >= 1");
  if (!(options.iou_threshold > 0 && options.iou_threshold <= 1)) {
    return Status::InvalidArgument("consensus iou_threshold must be in (0, 1]");
  }
  std::vector<Cluster> clusters;
  for (size_t idx = 0; idx < spans.size(); ++idx) {
    const AnnotatorSpan& input = spans[idx];
    if (input.span.end < input.span.begin) {
      return Status::InvalidArgument("span " + std::to_string(idx) + " ends (" +
                                     std::to_string(input.span.end) + ") before it begins (" +
                                     std::to_string(input.span.begin) + ")");
    }
    Cluster* best = nullptr;
    double best_iou = 0;
    for (Cluster& cluster : clusters) {
      if (cluster.label != input.span.label) continue;
      if (std::find(cluster.annotators.begin(), cluster.annotators.end(), input.annotator) !=
          cluster.annotators.end()) {
        continue;  // one span per annotator per cluster
      }
      const double iou = SpanIoU(cluster.current, input.span);
      if (iou >= options.iou_threshold && iou > best_iou) {
        best = &cluster;
        best_iou = iou;
      }
    }
    if (best == nullptr) {
      clusters.push_back({input.span.label, {}, {}, {}, {}, {}});
      best = &clusters.back();
    }
    best->members.push_back(idx);
    best->annotators.push_back(input.annotator);
    best->begins.push_back(input.span.begin);
    best->ends.push_back(input.span.end);
    Recompute(*best);
  }
  std::vector<ConsensusSpan> out;
  for (const Cluster& cluster : clusters) {
    if (cluster.annotators.size() < options.quorum) continue;
    out.push_back({cluster.current, cluster.members});
  }
  std::sort(out.begin(), out.end(), [](const ConsensusSpan& a, const ConsensusSpan& b) {
    return std::tie(a.span.begin, a.span.end, a.span.label) <
           std::tie(b.span.begin, b.span.end, b.span.label);
  });
  return out;
}

}  // namespace tessera::quality
