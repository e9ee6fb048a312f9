"""Validation study of the ensemble recipe: members x width, by H, seed spread and cost.

For ``--triples`` random unseen triples of the digits (drawn with a seed no
evaluation uses), only the seven training digits are used: one
``GZSLSplit`` fold per triple holds out a third of them as validation
digits, each candidate is fitted on the fold's training part with
``--seeds`` model seeds, and scored (``score``, GZSL H over the fold's
digits). The test digits are never touched. For every candidate
(``ensemble_size`` x ``hidden_units``, CRNetClassifier, every other
parameter at its default) it prints the mean validation H, the standard
deviation over the triples' means, the seed spread (standard deviation over
seeds of one triple, averaged over triples) and the fit and prediction time
relative to one network of 64 units, each fit on one torch thread.

Run from the repository root: ``python benchmarks/choose_ensemble_recipe.py``.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl, random_unseen_digits  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit  # noqa: E402

STUDY_SEED = 29  # no evaluation draws its triples with this seed
CANDIDATES = [(1, 64), (8, 64), (8, 32), (8, 16), (4, 32), (2, 32), (4, 24), (3, 32), (4, 16)]


def run(triple, fold_seed, seed, members, width, max_epochs):
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=triple, random_state=0)
    table = data.class_attributes.loc[np.unique(data.y_train)]  # the training digits only
    train, val = next(GZSLSplit(n_splits=1, random_state=fold_seed).split(data.X_train, data.y_train))
    model = CRNetClassifier(ensemble_size=members, hidden_units=width, random_state=seed,
                            **({} if max_epochs is None else {"max_epochs": max_epochs}))
    start = time.perf_counter()
    model.fit(data.X_train[train], data.y_train[train], class_attributes=table)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(10):
        model.decision_function(data.X_train[val])
    predict_seconds = (time.perf_counter() - start) / 10
    return {"triple": [int(d) for d in triple], "seed": seed, "members": members, "width": width,
            "H": float(model.score(data.X_train[val], data.y_train[val])),
            "fit_s": fit_seconds, "predict_s": predict_seconds}


def table(results, candidates):
    rows = []
    base = [r for r in results if (r["members"], r["width"]) == (1, 64)]
    base_fit = np.mean([r["fit_s"] for r in base]) if base else np.nan
    base_predict = np.mean([r["predict_s"] for r in base]) if base else np.nan
    print(f"{'members x width':>16} {'val H':>7} {'+-':>6} {'seed spread':>11} {'fit x':>6} "
          f"{'predict x':>9}")
    for members, width in candidates:
        runs = [r for r in results if (r["members"], r["width"]) == (members, width)]
        if not runs:
            continue
        triples = sorted({tuple(r["triple"]) for r in runs})
        per_triple = [[r["H"] for r in runs if tuple(r["triple"]) == t] for t in triples]
        means = [np.mean(h) for h in per_triple]
        spread = np.mean([np.std(h) for h in per_triple])
        fit = np.mean([r["fit_s"] for r in runs]) / base_fit
        predict = np.mean([r["predict_s"] for r in runs]) / base_predict
        print(f"{f'{members} x {width}':>16} {np.mean(means):7.3f} {np.std(means):6.3f} {spread:11.3f} "
              f"{fit:6.2f} {predict:9.2f}")
        rows.append((members, width, np.mean(means), spread, fit, predict))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--candidates", nargs="+", default=None, metavar="MxW",
                        help="members x width pairs such as 4x32 (default: all of CANDIDATES)")
    harness.add_run_arguments(parser)
    args = parser.parse_args(argv)
    harness.print_run_header("Ensemble recipe, validation digits only (CRNetClassifier, 1 thread per fit)",
                             args.max_epochs)
    triples = random_unseen_digits(args.triples, random_state=STUDY_SEED)
    candidates = CANDIDATES if args.candidates is None else [
        tuple(int(v) for v in c.split("x")) for c in args.candidates]
    jobs = [(tuple(t), i, seed, m, w) for (m, w) in candidates for i, t in enumerate(triples)
            for seed in range(args.seeds)]
    results = Parallel(n_jobs=args.n_jobs)(delayed(run)(*job, args.max_epochs) for job in jobs)
    table(results, candidates)
    if args.json:
        harness.write_json(args.json, {"results": results})


if __name__ == "__main__":
    main()
