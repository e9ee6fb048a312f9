"""How much of the grid search's miss is the noise of its validation scores?

The recorded searches of the issue's grid (see ``grid_search_judge.py``) each
scored every candidate once: estimator ``random_state=0`` on
``GZSLSplit(n_splits=3, random_state=0)``. This script scores every candidate
of those searches again on the training digits only, either with another
estimator seed on the same folds (``--model-seeds``: the networks' own noise)
or with the recorded estimator seed on other folds (``--split-seeds``: which
seen digits the folds hold out), and asks how the choice would fare if the
search averaged those scores. Each choice is judged as ``grid_search_judge.py``
judges, by the mean test H of four refits per candidate recorded in
``results/grid_search_judge.json``; the test digits only judge.

If averaging the networks' noise away closes the gap to the best candidate,
a larger ensemble per estimator is a remedy; if only other folds do, the
miss comes from which digits a fold holds out, which no estimator setting
removes.

Every fit uses the 40-epoch defaults the recorded searches ran at
(``digits_evaluation.FORTY_EPOCH_DEFAULTS``).

Run from the repository root: ``python benchmarks/validation_noise.py``
(estimator seed 1 on the recorded folds) or ``--split-seeds 1`` (recorded
seed on other folds); ``--from-json FILE [FILE ...]`` prints the table of
earlier runs together.
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
from benchmarks.digits_evaluation import FORTY_EPOCH_DEFAULTS, choice_summary  # noqa: E402
from benchmarks.grid_search_judge import (  # noqa: E402
    DEFAULTS,
    candidate_params,
    cross_fitted_best,
    recorded_searches,
    saved_refits,
)
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
JUDGE = RESULTS / "grid_search_judge.json"


def fold_scores(triple, candidate, model_seed, split_seed, epochs):
    """Validation H of each fold, as ``GridSearchCV`` scores ``candidate`` (``"(alpha, beta)"``)."""
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=triple, random_state=0)
    X, y, table = data.X_train, data.y_train, data.class_attributes
    params = candidate_params(candidate)
    scores = []
    for train, val in GZSLSplit(n_splits=3, random_state=split_seed).split(X, y):
        model = CRNetClassifier(random_state=model_seed, n_threads=1, device="cpu",
                                **{**FORTY_EPOCH_DEFAULTS, **epochs}, **params)
        model.fit(X[train], y[train], class_attributes=table)
        scores.append(float(model.score(X[val], y[val])))
    return scores


def judge_rows(searches, test_h, runs):
    """One row per way of choosing: the recorded scores, each new run, and their mean."""
    triples = list(searches)
    candidates = list(searches[triples[0]]["validation"])

    def mean_test(t, k):
        return float(np.mean(test_h[t][k]))

    def recorded(t, k):
        return searches[t]["validation"][k]

    choosers = [("recorded (model seed 0, folds seed 0)", recorded)]
    for name, scores in runs.items():
        choosers.append((name, lambda t, k, s=scores: float(np.mean(s[t][k]))))
    if runs:
        choosers.append((f"mean of recorded and {len(runs)} more",
                         lambda t, k: float(np.mean([recorded(t, k)]
                                                    + [np.mean(s[t][k]) for s in runs.values()]))))
    unbiased = cross_fitted_best(test_h, triples, candidates)
    rows = []
    for name, validation in choosers:
        result = choice_summary(triples, candidates, validation, mean_test, DEFAULTS)
        fixed = result["by_candidate"]
        top = max(fixed, key=fixed.get)
        agree = np.mean([max(candidates, key=lambda k: validation(t, k))
                         == max(candidates, key=lambda k: recorded(t, k)) for t in triples])
        rows.append([name, result["chosen"], result["best_per_triple"],
                     result["chosen"] - result["best_per_triple"], result["chosen"] - unbiased,
                     result["chosen"] - fixed[top],
                     result["defaults"], result["chosen"] - result["defaults"], agree])
    harness.print_table(
        f"{len(triples)} recorded searches over alpha, beta in {{0, 1e-2, 1}}; choice by mean validation H, "
        "judged by the mean test H of 4 refits",
        ["validation scores", "chosen", "best per triple", "chosen - best", "chosen - cross-fitted best",
         "chosen - best single",
         "defaults", "chosen - defaults", "same choice as recorded"], rows)


def print_spread(searches, runs):
    """How far a run moves each candidate's validation H, against the gap that decides a search."""
    gaps = [np.subtract(*sorted(run["validation"].values())[:-3:-1]) for run in searches.values()]
    print(f"recorded searches: median gap between the best and second-best validation H "
          f"{np.median(gaps):.3f}")
    for name, scores in runs.items():
        changes = [np.mean(scores[t][k]) - v for t, run in searches.items()
                   for k, v in run["validation"].items()]
        print(f"{name}: std of the change in a candidate's validation H from the recorded "
              f"{np.std(changes):.3f}")


def _run_name(kind, seed):
    return f"model seed {seed}, folds seed 0" if kind == "model" else f"model seed 0, folds seed {seed}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-seeds", type=int, nargs="*", default=None,
                        help="estimator seeds to score the recorded folds with (default: 1)")
    parser.add_argument("--split-seeds", type=int, nargs="*", default=None,
                        help="GZSLSplit seeds of other folds, scored with estimator seed 0")
    parser.add_argument("--triples", type=int, default=None, help="only the first N recorded triples")
    harness.add_run_arguments(parser, reprint=True)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    _, test_h = saved_refits(JUDGE)
    searches = recorded_searches()
    if args.from_json:
        runs, triples = {}, None
        for path in args.from_json:
            saved = json.loads(Path(path).read_text())
            print(saved["machine"])
            triples = triples or [tuple(t) for t in saved["triples"]]
            if [tuple(t) for t in saved["triples"]] != triples:
                raise SystemExit(f"{path} holds other triples than {args.from_json[0]}.")
            runs.update({name: {tuple(row["triple"]): row["scores"] for row in rows}
                         for name, rows in saved["runs"].items()})
        judge_rows({t: searches[t] for t in triples}, test_h, runs)
        print_spread({t: searches[t] for t in triples}, runs)
        return 0
    model_seeds = [1] if args.model_seeds is None and args.split_seeds is None else args.model_seeds or []
    configs = [("model", s) for s in model_seeds] + [("split", s) for s in args.split_seeds or []]
    epochs = harness.print_run_header(
        "digits GZSL (real data); validation scores on the training digits; test digits judge only",
        args.max_epochs)
    start = time.perf_counter()
    if args.triples is not None:
        searches = dict(list(searches.items())[:args.triples])
    jobs = [(kind, seed, t, k) for kind, seed in configs for t, run in searches.items()
            for k in run["validation"]]
    scores = Parallel(n_jobs=args.n_jobs)(
        delayed(fold_scores)(t, k, seed if kind == "model" else 0, seed if kind == "split" else 0, epochs)
        for kind, seed, t, k in jobs)
    runs = {}
    for (kind, seed, t, k), folds in zip(jobs, scores, strict=True):
        runs.setdefault(_run_name(kind, seed), {}).setdefault(t, {})[k] = folds
    judge_rows(searches, test_h, runs)
    print_spread(searches, runs)
    print(f"{time.perf_counter() - start:.0f} s")
    harness.write_json(args.json, {
        "triples": [list(t) for t in searches],
        "runs": {name: [{"triple": list(t), "scores": by_candidate} for t, by_candidate in run.items()]
                 for name, run in runs.items()}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
