#!/usr/bin/env python3
"""Reference timings for bench/quality_bench.cc with what Debian packages offer.

Builds the same 100,000 items x 10 annotators table as quality_bench (same
counter-based generator, so the ratings are identical) and times, as the
median of several repetitions:
  * sklearn.metrics.cohen_kappa_score on annotators 0 and 1;
  * statsmodels.stats.inter_rater.aggregate_raters + fleiss_kappa on all ten.
It prints the values with 15 digits so that they can be compared with
quality_bench's. As a cross-check of quality_bench's Krippendorff's alpha it
also computes alpha (nominal, interval) on the 10%-missing table with plain
numpy; that is a check, not a reference implementation.

Usage: /usr/bin/python3 bench/quality_reference.py [reps=7]
Needs python3-numpy, python3-sklearn and python3-statsmodels (Debian 12).
"""
import statistics
import sys
import time

try:
    import numpy as np
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
except ImportError as error:  # optional for `make bench`
    print(f"quality_reference.py: skipped ({error}); "
          "apt-get install python3-numpy python3-sklearn python3-statsmodels")
    sys.exit(0)

SEED = 20240601
GAMMA = 0x9E3779B97F4A7C15
ITEMS, ANNOTATORS, CLASSES = 100_000, 10, 5


def uniform(stream, index):
    """Same as Uniform(stream, index) in quality_bench.cc (SplitMix64 output
    function on seed + (stream << 40 + index + 1) * gamma), vectorised."""
    with np.errstate(over="ignore"):
        counter = (np.uint64(stream) << np.uint64(40)) + index.astype(np.uint64) + np.uint64(1)
        z = np.uint64(SEED) + counter * np.uint64(GAMMA)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def pick(u, n):
    return np.minimum(np.floor(u * n).astype(np.int64), n - 1)


def make_crowd():
    """truth [item] and labels [item, annotator] as 0-based classes."""
    truth = pick(uniform(0, np.arange(ITEMS)), CLASSES)
    cell = np.arange(ITEMS * ANNOTATORS).reshape(ITEMS, ANNOTATORS)
    accuracy = 0.55 + 0.04 * np.arange(ANNOTATORS, dtype=np.float64)
    right = uniform(1, cell) < accuracy
    wrong = (truth[:, None] + 1 + pick(uniform(2, cell), CLASSES - 1)) % CLASSES
    labels = np.where(right, truth[:, None], wrong)
    missing = uniform(3, cell) < 0.1
    return truth, labels, missing


def timed(name, reps, fn):
    walls, cpus, value = [], [], None
    for _ in range(reps):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    print(f"{name:<44} median {statistics.median(walls):9.2f} ms  cpu {statistics.median(cpus):9.2f} ms"
          f"  (min {min(walls):.2f}, max {max(walls):.2f})")
    return value


def alpha_numpy(values, missing, interval):
    """Krippendorff's alpha from the coincidence matrix, vectorised."""
    counts = np.zeros((ITEMS, CLASSES))
    for c in range(CLASSES):
        counts[:, c] = ((values == c) & ~missing).sum(axis=1)
    m = counts.sum(axis=1)
    pairable = m >= 2
    n_uc, m = counts[pairable], m[pairable]
    weighted = n_uc / (m - 1)[:, None]
    coincidence = n_uc.T @ weighted - np.diag(weighted.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    ranks = np.arange(1, CLASSES + 1, dtype=np.float64)
    delta = ((ranks[:, None] - ranks[None, :]) ** 2 if interval
             else 1.0 - np.eye(CLASSES))
    d_o = (coincidence * delta).sum() / n
    d_e = (np.outer(n_c, n_c) * delta).sum() / (n * (n - 1))
    return 1 - d_o / d_e


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    import sklearn
    import statsmodels
    print(f"quality_reference.py: {reps} repetitions, median reported; numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}, statsmodels {statsmodels.__version__}")
    truth, labels, missing = make_crowd()
    values = labels + 1  # categories 1..5 as in quality_bench
    print(f"crowd: {ITEMS} items x {ANNOTATORS} annotators, {CLASSES} classes; "
          f"alpha table {int((~missing).sum())} values")

    cohen = timed("sklearn cohen_kappa_score, 2 x 100k", reps,
                  lambda: cohen_kappa_score(values[:, 0], values[:, 1]))
    table = timed("statsmodels aggregate_raters, 100k x 10", reps,
                  lambda: aggregate_raters(values)[0])
    fleiss = timed("statsmodels fleiss_kappa (table given)", reps, lambda: fleiss_kappa(table))
    timed("statsmodels aggregate_raters + fleiss_kappa", reps,
          lambda: fleiss_kappa(aggregate_raters(values)[0]))
    print(f"  cohen kappa (annotators 0, 1) {cohen:.15f}")
    print(f"  fleiss kappa {fleiss:.15f}")

    # Sanity figures to compare with quality_bench (not timed references).
    votes = (labels[:, :, None] == np.arange(CLASSES)).sum(axis=1)
    majority = votes.argmax(axis=1)  # ties to the lowest class, as TiePolicy::kLowestValue
    print(f"  numpy check: alpha nominal {alpha_numpy(labels, missing, False):.15f}")
    print(f"  numpy check: alpha interval {alpha_numpy(labels, missing, True):.15f}")
    print(f"  numpy check: majority vote accuracy vs truth {(majority == truth).mean():.4f}")


if __name__ == "__main__":
    main()
