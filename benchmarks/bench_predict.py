"""Prediction speed and memory of CRNetClassifier against the pairwise-concatenation baseline.

Measures, in one run on the same synthetic AwA2-shaped data: ``predict`` over
13,795 samples x 50 classes (AwA2's test-seen + test-unseen images), its peak
memory above the input, the same for the concatenation baseline (batches of
100 samples, as straightforward evaluation code does), that memory stays flat
as n_samples grows (up to a million samples at smaller widths), and how
predict time grows with n_samples, n_classes and hidden_units.

Run from the repository root: ``python benchmarks/bench_predict.py`` (or
``python -m benchmarks.bench_predict``); ``--quick`` for a smoke run,
``--json FILE`` to save the results.
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from tests.concat_reference import ConcatRelationNet, predict_scores  # noqa: E402

TARGET_PREDICT_SPEEDUP = 20.0


def fitted_model(n_features, hidden, n_classes=50, device="cpu"):
    """A CRnet fitted for one short epoch on synthetic data: weights for timing only."""
    X, y, attributes, _ = harness.awa2_shaped(640, n_classes=n_classes, n_features=n_features)
    clf = CRNetClassifier(K=3, hidden_units=hidden, ensemble_size=1, max_epochs=1, device=device,
                          random_state=0)
    return clf.fit(X, y, class_attributes=attributes), attributes


def measure_predict(clf, X, repeats=2):
    """Peak memory of the first (cold) call, then the best time of ``repeats`` calls.

    Memory is measured on the first call because freed memory stays in the
    process heap and later calls reuse it without raising the resident size.
    """
    with harness.PeakMemory() as memory:
        clf.predict(X)
    seconds, labels = harness.timed(lambda: clf.predict(X), repeats)
    return seconds, memory.mb, labels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--no-scaling", action="store_true", help="skip memory and time scaling")
    parser.add_argument("--json", default=None, help="write results to this JSON file")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="The number of unique classes")
    # The weights come from one epoch on random data: timing only, not a trained model.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    q, h = (256, 256) if args.quick else (harness.AWA2["n_features"], harness.AWA2["hidden_units"])
    n_test = 2000 if args.quick else harness.AWA2["n_test"]

    print(harness.machine())
    print(harness.SYNTHETIC_NOTE)
    clf, attributes = fitted_model(q, h, device=device)
    _, _, _, X = harness.awa2_shaped(0, n_test, n_features=q, seed=1)
    ours, ours_mb, labels = measure_predict(clf, X)

    concat = ConcatRelationNet.from_scorer(clf.net_.module_).to(device)
    scaled = clf.net_.module_.class_attributes.cpu().numpy()
    with harness.PeakMemory() as memory:
        baseline, scores = harness.timed(lambda: predict_on(concat, X, scaled, device))
    agree = float(np.mean(clf.classes_[scores.argmax(1)] == labels))
    ratio = baseline / ours
    verdict = "n/a (--quick)" if args.quick else (
        "PASS" if ratio >= TARGET_PREDICT_SPEEDUP else "FAIL")
    harness.print_table(
        f"predict: {n_test:,} samples x 50 classes at AwA2 shapes (Q={q}, H={h}) on {device}",
        ["implementation", "seconds", "peak MB above input", "speed-up",
         f"target >={TARGET_PREDICT_SPEEDUP:g}x"],
        [["sklearn-crnet predict", ours, ours_mb, f"{ratio:.1f}x", verdict],
         ["concatenation baseline", baseline, memory.mb, "1x", ""]])
    print(f"same predicted class for {agree:.2%} of samples")
    results = {"device": device, "n_test": n_test, "seconds": ours, "peak_mb": ours_mb,
               "baseline_seconds": baseline, "baseline_peak_mb": memory.mb, "speedup": ratio,
               "agreement": agree}
    if not args.no_scaling:
        results["memory"] = memory_scaling(args.quick, device)
        results["scaling"] = time_scaling(args.quick, device)
    harness.write_json(args.json, results)
    return 0


def predict_on(concat, X, attributes, device):
    if device == "cpu":
        return predict_scores(concat, X, attributes)
    with torch.no_grad():  # the baseline on GPU: move each batch there
        anchors = concat.projection(torch.as_tensor(attributes, dtype=torch.float32, device=device))
        return np.vstack([concat(torch.as_tensor(X[i:i + 100], device=device), anchors).cpu().numpy()
                          for i in range(0, len(X), 100)])


def _memory_case(q, h, n, device):
    """One memory measurement, meant to run in a fresh process (see memory_scaling)."""
    warnings.filterwarnings("ignore")  # a fresh process: the filters of main() do not apply
    clf, _ = fitted_model(q, h, device=device)
    _, _, _, X = harness.awa2_shaped(0, n, n_features=q, seed=2)
    seconds, mb, _ = measure_predict(clf, X, repeats=1)
    return [n, q, h, X.nbytes / 2**20, mb, seconds]


def memory_scaling(quick, device):
    """Peak memory above the input as n_samples grows: flat means chunked scoring works.

    Each case runs in a fresh process: memory freed by an earlier case stays in
    the heap and would hide the next one's allocations.
    """
    import multiprocessing

    plans = [(2048, 2048, n) for n in ((1000, 4000) if quick else (13795, 55180, 110360))]
    plans.append((256, 256, 20000 if quick else 1_000_000))
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        rows = [pool.apply(_memory_case, (q, h, n, device)) for q, h, n in plans]
    harness.print_table("predict memory as n_samples grows (50 classes; each row a fresh process)",
                        ["n_samples", "Q", "H", "input MB", "peak MB above input", "seconds"], rows)
    return rows


def time_scaling(quick, device):
    """predict time against n_samples, n_classes and hidden_units, with fitted exponents."""
    q, h = (256, 256) if quick else (2048, 2048)
    # From 8,000 samples up the input (64 MB and more) no longer fits the CPU caches; at
    # 4,000 (32 MB) repeated runs find part of it cached and run about 10 % faster per sample.
    base_n = 1000 if quick else 8000

    def prepare(n_samples, n_classes, hidden_units):
        clf, _ = fitted_model(q, hidden_units, n_classes=n_classes, device=device)
        _, _, _, X = harness.awa2_shaped(0, n_samples, n_features=q, seed=3)
        return lambda: harness.timed(lambda: clf.predict(X))[0]

    # The fastest of several interleaved runs: single runs on a shared machine vary by
    # tens of percent, and a slow phase must not fall on one size only.
    rounds = 2 if quick else 5
    study = harness.scaling_study(
        f"Scaling of predict time, fastest of {rounds} interleaved runs per size "
        "(time ~ size ** exponent)",
        {"n_samples": [base_n, 2 * base_n, 4 * base_n], "n_classes": [50, 200, 717],
         "hidden_units": [h // 4, h // 2, h]},
        prepare, {"n_samples": base_n, "n_classes": 50, "hidden_units": h}, rounds=rounds)
    exponent = study["exponents"]["n_samples"]
    verdict = "n/a (--quick)" if quick else ("PASS" if 0.9 <= exponent <= 1.1 else "FAIL")
    print(f"n_samples exponent {exponent:.2f} (target 0.9-1.1: {verdict})")
    return study


if __name__ == "__main__":
    sys.exit(main())
