"""Part 2 of ``digits_evaluation.py`` alone: whether a plain grid search selects, for a given grid.

Each triple of unseen digits gets ``GridSearchCV(CRNetClassifier(), grid,
cv=GZSLSplit(n_splits=3))`` with the estimator's own score on its training
digits; afterwards every candidate is refitted on all training digits and
scored on the test digits, only to judge the choice. Triples are drawn as in
``digits_evaluation.py`` (fresh ones: never evaluated before), after skipping
the first ``--skip`` of them (the 15 that ``digits_evaluation.py`` uses at its
defaults), so a second grid is judged on triples no earlier run has seen.

The default grid keeps every value at which, without a penalty warm-up, a fit
on all seven training digits still learns: ``python
benchmarks/penalty_collapse.py`` (training digits only) shows such a fit with
``beta=1`` (or ``alpha=1`` with ``beta=0.3``) held at the loss of a constant
score on seven digits while the five-digit folds still learn. ``--unseen``
judges a grid on given triples instead, e.g. an earlier evaluation's.

Run from the repository root: ``python benchmarks/digits_grid_search.py``;
with the issue's grid on the second evaluation's triples: ``python
benchmarks/digits_grid_search.py --alpha 0 0.01 1 --beta 0 0.01 1 --unseen 4 5 6
--unseen 0 5 9 --unseen 1 2 6 --unseen 2 6 7 --unseen 2 3 5``.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

from joblib import Parallel, delayed

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from benchmarks.digits_evaluation import fresh_triples, report_searches, search_run  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", type=float, nargs="+", default=[0.0, 1e-2, 0.3])
    parser.add_argument("--beta", type=float, nargs="+", default=[0.0, 1e-2, 0.3])
    parser.add_argument("--triples", type=int, default=5)
    parser.add_argument("--skip", type=int, default=15)
    parser.add_argument("--unseen", type=int, nargs=3, action="append", default=None,
                        help="judge on this triple instead of fresh ones (repeatable), e.g. an "
                             "earlier evaluation's")
    parser.add_argument("--calibration", default=None,
                        help='calibration of the searched estimator ("auto" or a number), not its default')
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=None, help="fewer epochs for a smoke run")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    grid = {"alpha": args.alpha, "beta": args.beta}
    epochs = harness.print_run_header(
        "digits GZSL (real data); test digits scored only to judge the search's choice", args.max_epochs)
    start = time.perf_counter()
    if args.unseen:
        triples = [tuple(t) for t in args.unseen]
    else:
        _, triples = fresh_triples(args.skip, args.triples)
    params = {} if args.calibration is None else {
        "calibration": args.calibration if args.calibration == "auto" else float(args.calibration)}
    searches = Parallel(n_jobs=args.n_jobs)(delayed(search_run)(t, 0, epochs, grid, params) for t in triples)
    estimator = f"CRNetClassifier({', '.join(f'{k}={v!r}' for k, v in params.items())})"
    report_searches(f"GridSearchCV({estimator}) over {grid} with GZSLSplit(n_splits=3), default scoring",
                    triples, searches, with_test_h=True)
    print(f"{time.perf_counter() - start:.0f} s")
    harness.write_json(args.json, {"grid": grid, "params": params, "search": searches,
                                   "search_triples": triples})
    return 0


if __name__ == "__main__":
    sys.exit(main())
