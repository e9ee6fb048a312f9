"""The study that chose ``ensemble_size``: how averaging networks changes validation H and its spread.

A single network's GZSL accuracy on the digits varies a lot from one seed to
the next (the spread, not the mean, is what makes grid searches over noisy
candidates pick noise). This study measures, only on class-disjoint validation
inside the training digits (never on test digits or test labels), for each
ensemble size:

* the mean validation H over ``--triples`` random unseen triples x
  ``GZSLSplit(n_splits=3)`` folds x ``--seeds`` seeds, as in
  ``benchmarks/choose_defaults.py`` (same triples);
* the **seed spread**: the standard deviation of validation H over seeds on
  the same fold, averaged over folds;
* the fit time relative to one network (one torch thread).

All other settings are the defaults. The rule that chose the default (stated
after the CRnet results had been seen): the smallest size whose seed spread
is at most half that of one network, for each model.

Run from the repository root: ``python benchmarks/choose_ensemble_size.py``
(``--quick`` for a smoke run, ``--json FILE`` to keep the results,
``--from-json FILE`` to print the tables of saved results again).
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from benchmarks.choose_defaults import STUDY_SEED  # noqa: E402
from sklearn_crnet import CRNetClassifier, RelationNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl, random_unseen_digits  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit  # noqa: E402

MODELS = {"CRnet": CRNetClassifier, "RN": RelationNetClassifier}
SIZES = [1, 2, 4, 8]


def fold_scores(model_name, unseen, seeds, sizes, epochs):
    """Validation H and fit seconds of every (fold, size, seed) for one triple."""
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=unseen, random_state=0)
    X, y, table = data.X_train, data.y_train, data.class_attributes
    MODELS[model_name](max_epochs=1, n_threads=1, device="cpu").fit(X, y, class_attributes=table)  # warm-up
    scores = np.empty((3, len(sizes), len(seeds)))
    seconds = np.empty_like(scores)
    splitter = GZSLSplit(n_splits=3, unseen_fraction=0.2, random_state=0)  # one held-out digit
    for f, (train, val) in enumerate(splitter.split(X, y)):
        for i, size in enumerate(sizes):
            for j, seed in enumerate(seeds):
                model = MODELS[model_name](ensemble_size=size, random_state=seed, n_threads=1,
                                           device="cpu", **epochs)
                start = time.perf_counter()
                model.fit(X[train], y[train], class_attributes=table)
                seconds[f, i, j] = time.perf_counter() - start
                scores[f, i, j] = model.score(X[val], y[val])
    return scores, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: NOT A RESULT")
    parser.add_argument("--json", default=None)
    parser.add_argument("--from-json", default=None, help="print the tables of saved results")
    args = parser.parse_args(argv)
    sizes, epochs = SIZES, {}
    if args.quick:
        args.triples, args.seeds, sizes, epochs = 1, 2, [1, 2], {"max_epochs": 2}
    if not args.from_json:
        print(harness.machine())
    print(f"validation only: {args.triples} digits triples x 3 GZSLSplit folds x {args.seeds} seeds;"
          " one torch thread per fit" + ("; QUICK RUN: NOT A RESULT" if args.quick else ""))
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        summarise({name: saved[name] for name in MODELS})
        return 0
    triples = random_unseen_digits(args.triples, random_state=STUDY_SEED)
    seeds = list(range(args.seeds))
    results = {}
    for name in MODELS:
        start = time.perf_counter()
        runs = Parallel(n_jobs=args.n_jobs)(delayed(fold_scores)(name, t, seeds, sizes, epochs)
                                            for t in triples)
        results[name] = {"sizes": sizes, "seconds_total": time.perf_counter() - start,
                         "scores": np.concatenate([r[0] for r in runs]).tolist(),  # folds x sizes x seeds
                         "seconds": np.concatenate([r[1] for r in runs]).tolist()}
    summarise(results)
    harness.write_json(args.json, {"triples": triples, **results})
    return 0


def summarise(results):
    """Print each model's table and the size the rule chooses."""
    for name, result in results.items():
        sizes = result["sizes"]
        scores, seconds = np.asarray(result["scores"]), np.asarray(result["seconds"])
        spread = scores.std(axis=2, ddof=1).mean(axis=0)
        rows = [[size, f"{scores[:, i].mean():.3f} +- {scores[:, i].std():.3f}", spread[i],
                 seconds[:, i].mean() / seconds[:, 0].mean()] for i, size in enumerate(sizes)]
        took = f" ({result['seconds_total']:.0f} s)" if "seconds_total" in result else ""
        harness.print_table(f"{name}: validation H by ensemble_size{took}",
                            ["ensemble_size", "validation H", "seed spread", "fit time x"], rows)
        chosen = next((size for size, s in zip(sizes, spread, strict=True) if s <= spread[0] / 2), None)
        print(f"{name}: smallest size with at most half of one network's seed spread "
              f"({spread[0] / 2:.3f}): {chosen}")


if __name__ == "__main__":
    sys.exit(main())
