"""Default fit time, time per epoch, prediction time and peak memory at the xlsa17 datasets' shapes.

First, on the real digits problem (unseen 1, 4, 7), on one thread: the default
``CRNetClassifier`` fit and prediction against one network of 64 hidden
units for 80 epochs (``ensemble_size=1, hidden_units=64``), best of
``--repeats`` alternating runs. Then, for each dataset, synthetic random features (2048-d, as the ResNet-101
features) and attributes with the dataset's real counts of classes, seen
classes, attributes, training (trainval) and test images: one epoch of the
default ``CRNetClassifier`` on the full-size training set, the projected
default fit (that epoch times ``max_epochs``), the prediction of the full
test set, and the peak resident memory of the process, each also for one
network of 64 units. The data
are random, so no accuracy is measured or implied.

Run from the repository root: ``python benchmarks/bench_default_fit.py``
(``--threads`` sets torch's thread count, ``--datasets`` a subset).
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402

ONE_NETWORK = {"ensemble_size": 1, "hidden_units": 64, "max_epochs": 80}

#: Counts of the xlsa17 release (att_splits.mat): classes, seen classes,
#: attributes, trainval images, test images (seen + unseen).
SHAPES = {
    "AwA1": (50, 40, 85, 19832, 4958 + 5685),
    "AwA2": (50, 40, 85, 23527, 5882 + 7913),
    "CUB": (200, 150, 312, 7057, 1764 + 2967),
    "SUN": (717, 645, 102, 10320, 2580 + 1440),
    "aPY": (32, 20, 64, 5932, 1483 + 7924),
}
N_FEATURES = 2048


def synthetic(name, seed=0):
    """Random float32 features and attributes with the dataset's shapes (synthetic)."""
    n_classes, n_seen, n_attributes, n_train, n_test = SHAPES[name]
    rng = np.random.RandomState(seed)
    attributes = rng.uniform(size=(n_classes, n_attributes))
    y = np.concatenate([np.arange(n_seen), rng.randint(0, n_seen, n_train - n_seen)])
    X = rng.normal(size=(n_train, N_FEATURES)).astype(np.float32)
    X_test = rng.normal(size=(n_test, N_FEATURES)).astype(np.float32)
    return X, y, attributes, X_test


def measure(name, params):
    """One epoch and one prediction of the test set with ``params``; peak resident memory in MB."""
    X, y, attributes, X_test = synthetic(name)
    model = CRNetClassifier(**{**params, "max_epochs": 1, "random_state": 0})
    with harness.PeakMemory() as memory:
        model.fit(X, y, class_attributes=attributes)
        start = time.perf_counter()
        model.predict(X_test)
        predict = time.perf_counter() - start
    return float(model.net_.history[-1, "dur"]), predict, memory.peak / 2**20


def digits_cost(repeats):
    """Best fit and prediction seconds of the defaults and of one network on the digits, one thread."""
    data = load_digits_gzsl(unseen=(1, 4, 7), random_state=0)
    best = {}
    for _ in range(repeats):
        for name, params in (("defaults", {}), ("one network", ONE_NETWORK)):
            # n_threads=1: the estimator runs fit and prediction on one torch thread.
            model = CRNetClassifier(**params, n_threads=1, device="cpu", random_state=0)
            fit, _ = harness.timed(lambda m=model: m.fit(data.X_train, data.y_train,
                                                          class_attributes=data.class_attributes))
            predict, _ = harness.timed(lambda m=model: m.predict(data.X_test), repeats=5)
            old = best.get(name, (np.inf, np.inf))
            best[name] = (min(old[0], fit), min(old[1], predict))
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--datasets", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=3, help="digits timing runs (best of)")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")  # random data: the model is not meant to learn
    torch.set_num_threads(args.threads)
    params = {"n_threads": args.threads, "device": args.device}
    print(harness.machine())
    best = digits_cost(args.repeats)
    print("digits (unseen 1, 4, 7), one thread, best of", args.repeats)
    print(f"{'model':<40}{'fit s':>8}{'predict ms':>12}")
    for name, (fit, predict) in best.items():
        label = "CRNetClassifier defaults" if name == "defaults" else "one network (1 x 64 units, 80 epochs)"
        print(f"{label:<40}{fit:8.2f}{predict * 1000:12.2f}")
    ratio_fit = best["defaults"][0] / best["one network"][0]
    ratio_predict = best["defaults"][1] / best["one network"][1]
    print(f"{'ratio':<40}{ratio_fit:8.2f}{ratio_predict:12.2f}\n")
    print(harness.SYNTHETIC_NOTE.replace("of AwA2's shapes", "of each dataset's shapes"))
    print(f"CRNetClassifier, {args.threads} threads; fit min: one epoch on the full training set times "
          "max_epochs; peak MB: resident memory of the process, data included")
    print(f"{'':<8}{'defaults':>38}{'one network, 64 units':>36}")
    print(f"{'dataset':<8}{'epoch s':>9}{'fit min':>9}{'predict s':>11}{'peak MB':>9}"
          f"{'epoch s':>9}{'fit min':>9}{'predict s':>11}{'peak MB':>9}{'test images':>13}")
    rows = []
    for name in args.datasets:
        row = {"dataset": name, "n_test": SHAPES[name][4]}
        for label, setting in (("defaults", params), ("one_network", {**params, **ONE_NETWORK})):
            epochs = CRNetClassifier(**setting).max_epochs
            epoch, predict, peak = measure(name, setting)
            row[label] = {"epoch_s": epoch, "fit_min": epoch * epochs / 60, "predict_s": predict,
                          "peak_mb": peak}
        rows.append(row)
        cells = "".join(f"{row[k]['epoch_s']:9.1f}{row[k]['fit_min']:9.1f}{row[k]['predict_s']:11.2f}"
                        f"{row[k]['peak_mb']:9.0f}" for k in ("defaults", "one_network"))
        print(f"{name:<8}{cells}{row['n_test']:13d}", flush=True)
    if args.json:
        harness.write_json(args.json, {"rows": rows, "threads": args.threads, "digits": best})


if __name__ == "__main__":
    main()
