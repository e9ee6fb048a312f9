"""Milliseconds per training step at AwA2 shapes, for before/after comparisons of checkouts.

Fits one network (K=3, 2048 hidden units, batches of 32) on synthetic
AwA2-shaped data for 4 epochs of ``--steps`` steps and prints the best epoch
after the first, divided by its steps. Uses only constructor arguments that
every version of the estimator has, so the same script times an older
checkout: ``PYTHONPATH=OLD_CHECKOUT python benchmarks/time_step.py`` run from
that checkout, alternated with the current one.

Run from the repository root: ``python benchmarks/time_step.py [--threads 2]``.
"""

import argparse
import sys
import warnings
from pathlib import Path

import torch

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")  # random data: the model is not meant to learn
    torch.set_num_threads(args.threads)
    X, y, attributes, _ = harness.awa2_shaped(32 * args.steps)
    single = {"ensemble_size": 1} if "ensemble_size" in CRNetClassifier().get_params() else {}

    def fit(epochs):
        return CRNetClassifier(K=3, hidden_units=2048, max_epochs=epochs, batch_size=32,
                               device="cpu", random_state=0, **single).fit(
            X, y, class_attributes=attributes)

    fit(1)  # warm-up: allocator, kernels
    clf = fit(4)
    best = min(clf.net_.history[i, "dur"] for i in range(1, 4))
    print(f"{best / args.steps * 1e3:.2f} ms per step (best of epochs 2-4, {args.steps} steps each, "
          f"{args.threads} threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
