"""Speed of the seen-unseen curve and AUSUC: the O(n log n) sweep against the quadratic one.

The library computes the whole curve from the sorted per-sample score gaps
(``seen_unseen_curve_from_scores``); the straightforward version re-predicts
every sample at every offset, O(n^2) for the default offsets. This script
checks that both agree to 1e-9 on small random cases, times both where the
quadratic one is affordable, and times the fast one up to 100,000 samples x 50
classes (scores given), against the target of one second.

Run from the repository root: ``python benchmarks/bench_metrics.py``
(``--quick`` for a smoke run, ``--json FILE`` to keep the results).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet.metrics import (  # noqa: E402
    area_under_curve,
    mean_per_class_accuracy,
    seen_unseen_curve_from_scores,
)

TARGET_SECONDS = 1.0


def quadratic_curve(y, scores, classes, seen_classes, offsets):
    """The definition: argmax of the shifted scores at every offset."""
    seen = np.isin(classes, seen_classes)
    seen_acc, unseen_acc = [], []
    for offset in offsets:
        predicted = classes[(scores - offset * seen).argmax(axis=1)]
        seen_acc.append(mean_per_class_accuracy(y, predicted, classes[seen]))
        unseen_acc.append(mean_per_class_accuracy(y, predicted, classes[~seen]))
    return np.array(seen_acc), np.array(unseen_acc)


def problem(n_samples, n_classes=50, n_seen=40, seed=0):
    """Random labels and scores (synthetic), the true class nudged up so the curve is not flat."""
    rng = np.random.RandomState(seed)
    classes = np.arange(n_classes)
    y = rng.randint(0, n_classes, n_samples)
    scores = rng.normal(size=(n_samples, n_classes))
    scores[np.arange(n_samples), y] += 1.0
    return y, scores, classes, classes[:n_seen]


def check_agreement(n_cases=20):
    """Largest difference between the two versions over small random cases (ties included)."""
    worst = 0.0
    for seed in range(n_cases):
        rng = np.random.RandomState(seed)
        y, scores, classes, seen = problem(int(rng.randint(5, 300)), int(rng.randint(3, 12)),
                                           1, seed)
        seen = classes[: rng.randint(1, len(classes))]
        if seed % 2:
            scores = np.round(scores, 1)  # ties
        offsets, fast_seen, fast_unseen = seen_unseen_curve_from_scores(
            y, scores, classes=classes, seen_classes=seen)
        slow_seen, slow_unseen = quadratic_curve(y, scores, classes, seen, offsets)
        worst = max(worst, np.abs(fast_seen - slow_seen).max(), np.abs(fast_unseen - slow_unseen).max(),
                    abs(area_under_curve(offsets, fast_seen, fast_unseen)
                        - area_under_curve(offsets, slow_seen, slow_unseen)))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--json", default=None, help="write results to this JSON file")
    args = parser.parse_args(argv)
    print(harness.machine())
    print("Data: SYNTHETIC random scores; timings only.")
    worst = check_agreement(5 if args.quick else 20)
    print(f"largest difference from the quadratic definition (As, Au, area) over random cases: "
          f"{worst:.1e} (target <= 1e-9: {'PASS' if worst <= 1e-9 else 'FAIL'})")

    rows = []
    sizes = [1000, 2000] if args.quick else [1000, 2000, 4000, 13_795, 100_000]
    for n in sizes:
        case = problem(n)
        fast, (offsets, _, _) = harness.timed(lambda case=case: seen_unseen_curve_from_scores(
            case[0], case[1], classes=case[2], seen_classes=case[3]), repeats=3)
        slow = float("nan")
        if n <= 4000:  # the quadratic sweep takes minutes beyond
            slow, _ = harness.timed(lambda case=case, offsets=offsets: quadratic_curve(*case, offsets))
        rows.append([n, len(offsets), fast, slow, slow / fast if slow == slow else float("nan")])
    harness.print_table("seen-unseen curve and AUSUC from given scores (50 classes, 40 seen)",
                        ["n_samples", "curve points", "fast s", "quadratic s", "speed-up"], rows)
    largest = rows[-1]
    verdict = "n/a (--quick)" if args.quick else (
        "PASS" if largest[2] < TARGET_SECONDS else "FAIL")
    print(f"{largest[0]:,} samples: {largest[2]:.3f} s (target < {TARGET_SECONDS:g} s: {verdict})")
    times = [r[2] for r in rows]
    exponent = harness.scaling_exponent([r[0] for r in rows], times)
    print(f"fast curve time grows as n_samples^{exponent:.2f}")
    harness.write_json(args.json, {"max_difference": worst, "rows": rows, "exponent": exponent})
    return 0


if __name__ == "__main__":
    sys.exit(main())
