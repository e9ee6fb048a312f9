"""Training speed of CRNetClassifier against the pairwise-concatenation baseline.

Measures, in one run on the same synthetic AwA2-shaped data: the time of one
optimisation step and of one AwA2-sized epoch through the public
``CRNetClassifier.fit`` (skorch's per-batch overhead included), the same for
the straightforward concatenation implementation of the published code, their
ratio, the achieved GFLOP/s of a step against this machine's plain matmul rate,
and how epoch time grows with n_samples, n_classes and hidden_units.

Run from the repository root: ``python benchmarks/bench_train.py`` (or
``python -m benchmarks.bench_train``); ``--quick`` for a short smoke run,
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
from sklearn_crnet._modules import CooperationModule  # noqa: E402
from tests.concat_reference import ConcatRelationNet, time_training_steps  # noqa: E402

TARGET_STEP_SPEEDUP = 20.0  # against the concatenation formulation, same run
TARGET_MATMUL_SHARE = 0.45  # of this machine's plain matmul rate, same run
TARGET_STEP_MS = 12.75  # half of the 25.5 ms measured before the second speed round


def step_flops(batch, n_classes, n_features, hidden, n_experts, n_attributes):
    """Multiply-add FLOPs of one decomposed training step (forward and backward)."""
    q, h = n_features, hidden
    return (4 * batch * q * h + 6 * n_classes * q * h + 4 * n_classes * n_experts * n_attributes * q
            + 6 * batch * n_classes * h)


def concat_step_flops(batch, n_classes, n_features, hidden, n_experts, n_attributes):
    """FLOPs of one step of the concatenation baseline (FC1 on every pair, 3 products)."""
    pairs = batch * n_classes
    return (6 * pairs * 2 * n_features * hidden + 4 * n_classes * n_experts * n_attributes * n_features
            + 6 * pairs * hidden)


def our_step_seconds(X, y, attributes, hidden, device, epochs=3, K=3, seed=0):
    """Seconds per step through the public fit: the best epoch after the first, over its steps."""
    clf = CRNetClassifier(K=K, hidden_units=hidden, ensemble_size=1, max_epochs=epochs, batch_size=32,
                          device=device, random_state=seed)
    clf.fit(X, y, class_attributes=attributes)
    steps = -(-len(y) // 32)
    durations = [clf.net_.history[i, "dur"] for i in range(1, epochs)]
    return min(durations) / steps, clf


def verdict(ratio, target, quick):
    """PASS/FAIL against a target; quick runs use shapes too small to judge."""
    if quick:
        return "n/a (--quick)"
    return "PASS" if ratio >= target else "FAIL"


def mean_distinct_classes(y, batch=32, draws=2000, seed=0):
    rng = np.random.RandomState(seed)
    return float(np.mean([len(np.unique(rng.choice(y, batch))) for _ in range(draws)]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="steps per measured epoch")
    parser.add_argument("--baseline-steps", type=int, default=10)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling section")
    parser.add_argument("--json", default=None, help="write results to this JSON file")
    args = parser.parse_args(argv)
    # Scaling runs use up to 717 classes on small samples; the hint that y might be
    # a regression target is expected there.
    warnings.filterwarnings("ignore", message="The number of unique classes")
    # Three epochs on random data: timing only, the model is not meant to learn.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    shape = dict(harness.AWA2)
    if args.quick:
        shape.update(n_features=256, hidden_units=256)
        args.steps, args.baseline_steps = 6, 3
    q, h, k, p = shape["n_features"], shape["hidden_units"], shape["K"], shape["n_attributes"]

    print(harness.machine())
    print(harness.SYNTHETIC_NOTE)
    X, y, attributes, _ = harness.awa2_shaped(32 * args.steps, n_features=q)
    distinct = mean_distinct_classes(y)
    ours, clf = our_step_seconds(X, y, attributes, h, device)

    torch.manual_seed(0)
    projection = CooperationModule(clf.field_centres_, q)
    baseline_net = ConcatRelationNet(projection, q, h).to(device)
    baseline = time_training_steps(baseline_net, torch.as_tensor(X).to(device),
                                   torch.as_tensor(y).to(device),
                                   torch.as_tensor(attributes, dtype=torch.float32).to(device),
                                   n_steps=args.baseline_steps)
    matmul = harness.matmul_gflops(device=device)
    flops = step_flops(32, distinct, q, h, k, p)
    base_flops = concat_step_flops(32, distinct, q, h, k, p)
    steps_per_epoch = -(-shape["n_trainval"] // 32)
    ratio = baseline / ours
    rows = [
        ["sklearn-crnet fit (skorch)", ours * 1e3, ours * steps_per_epoch, flops / ours / 1e9,
         f"{ratio:.1f}x", verdict(ratio, TARGET_STEP_SPEEDUP, args.quick)],
        ["concatenation baseline", baseline * 1e3, baseline * steps_per_epoch,
         base_flops / baseline / 1e9, "1x", ""],
    ]
    harness.print_table(
        f"Training step at AwA2 shapes (Q={q}, H={h}, K={k}, P={p}, batch 32, "
        f"{distinct:.1f} distinct classes per batch; epoch = {steps_per_epoch} steps) on {device}",
        ["implementation", "step ms", "epoch s", "GFLOP/s", "speed-up",
         f"target >={TARGET_STEP_SPEEDUP:g}x"], rows)
    share = flops / ours / 1e9 / matmul
    print(f"plain {2048}x{2048} float32 matmul on this machine: {matmul:.1f} GFLOP/s; "
          f"a decomposed step reaches {share:.0%} of it (target >= {TARGET_MATMUL_SHARE:.0%}: "
          f"{verdict(share, TARGET_MATMUL_SHARE, args.quick)}); step {ours * 1e3:.1f} ms (target <= "
          f"{TARGET_STEP_MS} ms: {verdict(TARGET_STEP_MS, ours * 1e3, args.quick)})")
    results = {"device": device, "shape": shape, "step_ms": ours * 1e3,
               "baseline_step_ms": baseline * 1e3, "speedup": ratio,
               "epoch_s": ours * steps_per_epoch, "baseline_epoch_s": baseline * steps_per_epoch,
               "gflops": flops / ours / 1e9, "matmul_gflops": matmul}

    if not args.no_scaling:
        results["scaling"] = scaling(args, q, h, device)
    harness.write_json(args.json, results)
    return 0


def scaling(args, q, h, device):
    """Epoch time against n_samples, n_classes and hidden_units, with fitted exponents."""
    base_n = 32 * (args.steps // 2 if args.quick else args.steps)

    def epoch_seconds(n_samples, n_classes, hidden_units):
        X, y, attributes, _ = harness.awa2_shaped(n_samples, n_classes=n_classes, n_features=q)
        return lambda: our_step_seconds(X, y, attributes, hidden_units, device,
                                        epochs=2)[0] * -(-n_samples // 32)

    return harness.scaling_study(
        "Scaling of fit time per epoch (fit exponent: time ~ size ** exponent)",
        {"n_samples": [base_n, 2 * base_n, 4 * base_n], "n_classes": [50, 200, 717],
         "hidden_units": [h // 4, h // 2, h]},
        epoch_seconds, {"n_samples": base_n, "n_classes": 50, "hidden_units": h})


if __name__ == "__main__":
    sys.exit(main())
