"""Part 2 of ``digits_evaluation.py`` alone: whether a plain grid search selects, for a given grid.

Each triple of unseen digits gets ``GridSearchCV(CRNetClassifier(), grid,
cv=GZSLSplit(n_splits=3))`` with the estimator's own score on its training
digits; afterwards every candidate is refitted on all training digits and
scored on the test digits, only to judge the choice. Triples are drawn as in
``digits_evaluation.py`` (fresh ones: never evaluated before), after skipping
the first ``--skip`` of them (the 15 that ``digits_evaluation.py`` uses at its
defaults), so a second grid is judged on triples no earlier run has seen.

The default grid keeps every value at which a fit on all seven training digits
still learns: ``python benchmarks/penalty_collapse.py`` (training digits
only) shows a fit with ``beta=1`` (or ``alpha=1`` with ``beta=0.3``) held at
the loss of a constant score on seven digits while the five-digit folds still
learn, so the folds cannot see that such a candidate fails when refitted.

Run from the repository root: ``python benchmarks/digits_grid_search.py``.
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
from benchmarks.digits_evaluation import fresh_triples, search_run  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", type=float, nargs="+", default=[0.0, 1e-2, 0.3])
    parser.add_argument("--beta", type=float, nargs="+", default=[0.0, 1e-2, 0.3])
    parser.add_argument("--triples", type=int, default=5)
    parser.add_argument("--skip", type=int, default=15)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=None, help="fewer epochs for a smoke run")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    grid = {"alpha": args.alpha, "beta": args.beta}
    epochs = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
    print(harness.machine())
    print("digits GZSL (real data); test digits scored only to judge the search's choice"
          + ("; SMOKE RUN: NOT A RESULT" if epochs else ""))
    start = time.perf_counter()
    _, triples = fresh_triples(args.skip, args.triples)
    searches = Parallel(n_jobs=args.n_jobs)(delayed(search_run)(t, 0, epochs, grid) for t in triples)
    rows = [[str(t), r["best_validation"], str(tuple(float(v) for v in r["chosen"])), r["chosen_test_H"],
             r["best_test_H"], r["defaults_test_H"]] for t, r in zip(triples, searches, strict=True)]
    mean = {k: float(np.mean([r[k] for r in searches]))
            for k in ("best_validation", "chosen_test_H", "best_test_H", "defaults_test_H")}
    rows.append(["mean", mean["best_validation"], "", mean["chosen_test_H"], mean["best_test_H"],
                 mean["defaults_test_H"]])
    harness.print_table(f"GridSearchCV over {grid} with GZSLSplit(n_splits=3), default scoring",
                        ["unseen", "best val score", "chosen (alpha, beta)", "chosen test H",
                         "best test H", "defaults test H"], rows)
    by_candidate = {k: float(np.mean([r["test_H"][k] for r in searches])) for k in searches[0]["test_H"]}
    best_fixed = max(by_candidate, key=by_candidate.get)
    print(f"best single candidate over all triples: {best_fixed} with mean test H "
          f"{by_candidate[best_fixed]:.3f}; chosen - best per triple: "
          f"{mean['chosen_test_H'] - mean['best_test_H']:+.3f}; chosen - defaults: "
          f"{mean['chosen_test_H'] - mean['defaults_test_H']:+.3f}")
    for t, r in zip(triples, searches, strict=True):
        print(f"{t}: validation H " + ", ".join(f"{k} {v:.3f}" for k, v in r["validation_H"].items())
              + "; test H " + ", ".join(f"{k} {v:.3f}" for k, v in r["test_H"].items())
              + f"; refits at a constant score: {', '.join(r['collapsed_refits']) or 'none'}")
    print(f"{time.perf_counter() - start:.0f} s")
    harness.write_json(args.json, {"grid": grid, "search": searches, "search_triples": triples})
    return 0


if __name__ == "__main__":
    sys.exit(main())
