// Which annotations stand for a task in an export (AnnotationSelection), and
// the one annotation that stands for what its annotators agree on: the
// export choice annotations=consensus.
//
// Every non-skipped annotation is one vote; a result needs a strict majority
// of them (more than half). Per kind of result:
//   whole-task classifications (choices, textarea, rating, number, datetime,
//   taxonomy, ...): the value given by a majority, compared exactly (choices
//   as a set);
//   rectanglelabels / rectangle: the quality library's BoxConsensus (same
//   label, IoU >= 0.5, mean corners) with the majority as quorum;
//   polygonlabels / polygon: PolygonConsensus (same label, IoU >= 0.5), the
//   medoid polygon of each cluster drawn by a majority;
//   labels on text (character offsets): SpanConsensus (same label, interval
//   IoU >= 0.5, median begin and end) with the same quorum;
//   per-region classifications of a merged region (its attributes, choices,
//   text...): the value a majority of the region's members gave it.
// Nothing else can be merged yet (keypoints, masks, rotated boxes, relations,
// HyperText spans, video): such results are left out and counted, as are
// results without a majority. A task with one annotation is its own consensus,
// whole. Deterministic: the same annotations give the same result.
//
// Thread-safety: stateless.
#ifndef TESSERA_SRC_FORMATS_SELECTION_H_
#define TESSERA_SRC_FORMATS_SELECTION_H_

#include <optional>
#include <vector>

#include "src/formats/dataset.h"
#include "tessera/formats.h"
#include "tessera/store.h"

namespace tessera::formats {

// The consensus of bundle's non-skipped annotations, or nullopt when it has
// none. The result has id 0 and completed_by 0 (no one made it), last_action
// "consensus", lead_time the members' total, created_at the earliest and
// updated_at the latest of theirs. Results that were left out are counted in
// `skipped` by reason; so are results without a majority.
std::optional<Annotation> ConsensusAnnotation(const TaskBundle& bundle, Tally& skipped);

// The annotations an export uses for a task, per `selection` (never skips).
// kConsensus builds its one annotation in `consensus`, which the returned
// pointer points at, and counts what it could not merge in `skipped`.
std::vector<const Annotation*> SelectAnnotations(const TaskBundle& bundle, AnnotationSelection selection,
                                                 std::optional<Annotation>& consensus, Tally& skipped);

}  // namespace tessera::formats

#endif  // TESSERA_SRC_FORMATS_SELECTION_H_
