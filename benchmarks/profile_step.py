"""Where the time of a training step goes: torch.profiler over fits at AwA2 shapes.

Fits CRNetClassifier (K=3, 2048 hidden units) on synthetic AwA2-shaped data for
one epoch of ``--steps`` steps and prints the operators that take the most
time, in milliseconds per step. Uses only the constructor arguments that every
version of the estimator has, so the same script profiles an older checkout
for a before/after comparison (``PYTHONPATH=OLD_CHECKOUT python
benchmarks/profile_step.py``).

Run from the repository root: ``python benchmarks/profile_step.py [--threads 2]``.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=14)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    print(harness.machine())
    print(harness.SYNTHETIC_NOTE)
    X, y, attributes, _ = harness.awa2_shaped(32 * args.steps)

    # One network (versions before ensemble_size always trained one).
    single = {"ensemble_size": 1} if "ensemble_size" in CRNetClassifier().get_params() else {}

    def fit():
        clf = CRNetClassifier(K=3, hidden_units=2048, max_epochs=1, batch_size=32, device="cpu",
                              random_state=0, **single)
        return clf.fit(X, y, class_attributes=attributes)

    fit()  # warm-up: allocator, kernels
    start = time.perf_counter()
    clf = fit()
    print(f"fit of {args.steps} steps: {time.perf_counter() - start:.2f} s; epoch loop "
          f"{clf.net_.history[-1, 'dur'] / args.steps * 1e3:.1f} ms per step")
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fit()
    rows = []
    for event in sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:args.rows]:
        rows.append([event.key, event.count / args.steps,
                     event.self_cpu_time_total / 1e3 / args.steps])
    harness.print_table(f"Operators by self time ({args.threads} threads; profiled fit includes "
                        "start-up)", ["operator", "calls/step", "ms/step"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
