"""The second evaluation's grid searches again, with the folds scored on their own classes.

A diagnostic, not an evaluation: the second evaluation
(``results/digits_evaluation_second.json``) refitted every candidate of its
grid on all training digits and scored it on the test digits. Its searches
scored each ``GZSLSplit`` fold searching all ten digits; the estimator's
``score`` now searches the seen digits and the digits present in the fold
only. This script repeats those searches (training digits only) and shows
what they choose now, next to the test H that the second evaluation measured
for each candidate (nothing is refitted or scored on test digits here).

Run from the repository root: ``python benchmarks/rescore_search.py``.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from benchmarks.digits_evaluation import GRID, grid_search  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402

SAVED = Path(__file__).resolve().parent / "results" / "digits_evaluation_second.json"


def search(unseen, seed, max_epochs=None):
    """Validation H of every candidate, as the search of the second evaluation ran it."""
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=unseen, random_state=0)
    epochs = {} if max_epochs is None else {"max_epochs": max_epochs}
    return grid_search(data, seed, epochs, GRID)[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--triples", type=int, default=None, help="only the first few triples")
    parser.add_argument("--max-epochs", type=int, default=None, help="fewer epochs for a smoke run")
    args = parser.parse_args(argv)
    saved = json.loads(SAVED.read_text())
    triples = [tuple(t) for t in saved["search_triples"]][:args.triples]
    print(harness.machine())
    validation = Parallel(n_jobs=args.n_jobs)(delayed(search)(t, 0, args.max_epochs) for t in triples)
    rows = []
    for unseen, record, scores in zip(triples, saved["search"], validation, strict=False):
        chosen = max(scores, key=scores.get)
        then = str(tuple(float(v) for v in record["chosen"]))
        rows.append([str(unseen), then, record["test_H"][then], chosen, scores[chosen],
                     record["test_H"][chosen], record["best_test_H"]])
    rows.append(["mean", "", float(np.mean([r[2] for r in rows])), "", float(np.mean([r[4] for r in rows])),
                 float(np.mean([r[5] for r in rows])), float(np.mean([r[6] for r in rows]))])
    harness.print_table("GridSearchCV(CRNetClassifier(), alpha, beta in {0, 0.01, 1}, GZSLSplit(3)); "
                        "test H as measured by the second evaluation",
                        ["unseen", "chosen then", "its test H", "chosen now", "validation H now",
                         "its test H", "best test H"], rows)
    for unseen, scores in zip(triples, validation, strict=False):
        print(f"{unseen}: validation H now " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
