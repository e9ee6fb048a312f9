"""The study that chose the defaults of CRNetClassifier and RelationNetClassifier.

Every candidate setting is scored only on class-disjoint validation inside the
training data, never on test data or test labels:

* **digits**: scikit-learn's 8x8 digits with the seven-segment table, for
  ``--triples`` random triples of unseen digits x ``--seeds`` seeds. The test
  digits of a triple are never trained on nor scored; within the seen digits,
  ``GZSLSplit(n_splits=3)`` holds out one seen digit per fold as a
  validation-unseen class (plus 20 % of the other digits' images as
  validation-seen), the model is fitted with the full table on the rest, and
  the fold's validation H is recorded.
* **cnn-width**: a clearly synthetic ``make_gzsl`` problem at ResNet width
  (2048-d features, 85 attributes, 40 + 10 classes), scored the same way on
  its seen classes, so that the defaults stay sane for CNN features.

The learning rate is searched as ``lr_scale``, the product of lr and the
number of features (``lr="auto"`` divides the chosen scale by the number of
features). Each round varies one setting at a time from a centre (the base setting in
round 1) and moves the centre to the best candidate; the search stops after
``--rounds`` rounds or when no single change improves the centre. The criterion
is the mean of the two problems' mean validation H; the table reports
validation As, Au and H with standard deviations over the digits folds.
Every fit uses one torch thread, so that results do not depend on the
machine's load; ``--n-jobs`` runs fits in parallel processes.

Run from the repository root: ``python benchmarks/choose_defaults.py``
(``--quick`` for a smoke run, ``--json FILE`` to keep the results,
``--continue-from FILE`` for further rounds from a run's chosen centres). The study
as recorded ran from the base setting and scored each fold over every class of
the table, the test's unseen digits included. ``--centre defaults
--fold-classes own --rounds 1`` checks the chosen defaults on the current code
instead: one round from the estimators' own defaults, each fold scored on its
own classes (the seen digits and the fold's held-out ones), as ``score`` does
since then.
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
from sklearn_crnet import CRNetClassifier, RelationNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl, make_gzsl, random_unseen_digits  # noqa: E402
from sklearn_crnet.metrics import gzsl_report  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit  # noqa: E402

MODELS = {"CRnet": CRNetClassifier, "RN": RelationNetClassifier}
STUDY_SEED = 20261129  # the study's triples; evaluations elsewhere draw others

#: Base setting of each model (the first centre) and the values tried for each setting.
COMMON = {
    "lr_scale": [0.05, 0.1, 0.2, 0.4],
    "max_epochs": [20, 40, 80],
    "hidden_units": [32, 64, 128, 256],
    "alpha": [0.0, 1e-5, 1e-2, 1.0],
    "beta": [0.0, 1e-4, 1e-2, 1.0],
    "regularization": ["objective", "weight_decay"],
    "attribute_scaling": [None, "l2", "standard"],
}
BASE = {"lr_scale": 0.2, "max_epochs": 40, "hidden_units": 64, "alpha": 1e-5, "beta": 1e-4,
        "regularization": "objective", "attribute_scaling": None}
SPACE = {
    "CRnet": ({**BASE, "K": 3, "cooperation_lr_multiplier": 1.0},
              {**COMMON, "cooperation_lr_multiplier": [1.0, 5.0]}),
    "RN": ({**BASE, "projection_hidden_units": 256, "projection_lr_multiplier": 1.0},
           {**COMMON, "projection_hidden_units": [64, 256, 1024],
            "projection_lr_multiplier": [1.0, 5.0]}),
}
#: ``lr="auto"`` as ``lr_scale``: 0.2 / n_features, for 64 features (digits) and
#: 2048 (cnn-width) alike; ``centre_from_defaults`` checks that the default is "auto".
AUTO_LR_SCALE = 0.2
CNN_WIDTH = dict(n_classes=50, n_unseen=10, n_attributes=85, n_features=2048,
                 n_samples_per_class=40, noise=0.2)


def problems(n_triples, seeds, quick):
    """The validation tasks: (name, data, seed) for every digits triple and seed, and cnn-width."""
    tasks = []
    for unseen in random_unseen_digits(n_triples, random_state=STUDY_SEED):
        data = load_digits_gzsl(unseen=unseen, random_state=0)
        tasks += [("digits", data, seed) for seed in seeds]
    width = dict(CNN_WIDTH, n_features=256) if quick else CNN_WIDTH
    data = make_gzsl(random_state=STUDY_SEED, **width)
    tasks += [("cnn-width", data, seed) for seed in seeds]
    return tasks


def centre_from_defaults(model):
    """The settings of ``SPACE[model]`` at the estimator's current defaults."""
    defaults = MODELS[model]().get_params()
    if defaults["lr"] != "auto":
        raise ValueError(f"{model}'s default lr is {defaults['lr']!r}, not 'auto'; "
                         "the study searches lr as lr_scale.")
    base, _space = SPACE[model]
    return {name: AUTO_LR_SCALE if name == "lr_scale" else defaults[name] for name in base}


def first_centre(model, centre, earlier):
    """The first centre of ``model`` and its round number.

    From ``earlier`` (a JSON this script wrote) when it holds the model: its
    chosen setting, one round after its last; otherwise round 1 from the base
    setting (``centre="base"``) or the estimator's defaults.
    """
    if model in earlier:
        rounds = {int(label.split(":")[0].split()[1]) for label in earlier[model]["candidates"]}
        return dict(earlier[model]["chosen"]), max(rounds) + 1
    return (dict(SPACE[model][0]) if centre == "base" else centre_from_defaults(model)), 1


def fold_predictions(estimator, X, y, fold_classes):
    """Predictions for a fold's validation part, over the searched classes.

    ``"all"``: every class of the table; ``"own"``: the seen classes and the
    held-out classes present in ``y``, as ``score`` searches a fold.
    """
    if fold_classes == "all":
        return estimator.predict(X)
    own = np.union1d(estimator.seen_classes_, np.intersect1d(y, estimator.unseen_classes_))
    return estimator.predict(X, classes=own)


def validation_scores(model, params, task, fold_classes="all"):
    """(As, Au, H) of each GZSLSplit fold of the task's training data."""
    _name, data, seed = task
    warnings.filterwarnings("ignore")
    params = dict(params)
    params["lr"] = params.pop("lr_scale") / data.X_train.shape[1]  # what lr="auto" computes
    rows = []
    splitter = GZSLSplit(n_splits=3, unseen_fraction=0.2, random_state=seed)  # as run
    for train, val in splitter.split(data.X_train, data.y_train):
        estimator = MODELS[model](**params, ensemble_size=1, n_threads=1, device="cpu",  # as run
                                  random_state=seed)
        estimator.fit(data.X_train[train], data.y_train[train], class_attributes=data.class_attributes)
        predicted = fold_predictions(estimator, data.X_train[val], data.y_train[val], fold_classes)
        report = gzsl_report(data.y_train[val], predicted,
                             seen_classes=estimator.seen_classes_,
                             unseen_classes=estimator.unseen_classes_)
        rows.append((report["As"], report["Au"], report["H"]))
    return rows


def evaluate(candidates, tasks, n_jobs, fold_classes="all"):
    """Scores of every (model, label, params) candidate on every task, in parallel."""
    jobs = [(c, t) for c in candidates for t in tasks]
    results = Parallel(n_jobs=n_jobs)(
        delayed(validation_scores)(model, params, task, fold_classes)
        for (model, _, params), task in jobs)
    summary = {}
    for ((model, label, params), (name, _, _)), rows in zip(jobs, results, strict=True):
        entry = summary.setdefault((model, label), {"params": params, "digits": [], "cnn-width": []})
        entry[name].extend(rows)
    for entry in summary.values():
        digits, width = np.array(entry["digits"]), np.array(entry["cnn-width"])
        entry.update(As=digits[:, 0].mean(), Au=digits[:, 1].mean(), H=digits[:, 2].mean(),
                     H_std=digits[:, 2].std(), width_H=width[:, 2].mean(),
                     criterion=(digits[:, 2].mean() + width[:, 2].mean()) / 2)
    return summary


def sweep(model, centre, round_number):
    """Candidates that change one setting of ``centre`` at a time."""
    _, space = SPACE[model]
    candidates = [(model, f"round {round_number}: centre", dict(centre))]
    for name, values in space.items():
        for value in values:
            if value != centre[name]:
                candidates.append((model, f"round {round_number}: {name}={value}",
                                   {**centre, name: value}))
    return candidates


def digits_gain(entry, centre, folds_per_task=3):
    """Mean digits H gain of ``entry`` over ``centre``, with its standard error.

    The folds of both candidates are paired (same task, fold and seed); the
    three folds of a task share its triple, so the error is taken over the
    tasks' mean gains, not over single folds.
    """
    gains = np.array(entry["digits"])[:, 2] - np.array(centre["digits"])[:, 2]
    per_task = gains.reshape(-1, folds_per_task).mean(axis=1)
    return per_task.mean(), harness.standard_error(per_task)


def print_summary(title, summary, model):
    entries = {label: entry for (m, label), entry in summary.items() if m == model}
    centre = next(entry for label, entry in entries.items() if label.endswith(": centre"))
    rows = []
    for label, entry in sorted(entries.items(), key=lambda kv: -kv[1]["criterion"]):
        gain, error = digits_gain(entry, centre)
        rows.append([label, entry["As"], entry["Au"], f"{entry['H']:.3f} +- {entry['H_std']:.3f}",
                     f"{gain:+.3f} ({error:.3f})", entry["width_H"], entry["criterion"]])
    harness.print_table(title, ["candidate", "digits As", "digits Au", "digits H",
                                "digits H - centre (SE)", "cnn-width H", "criterion"], rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10, help="random unseen-digit triples (10)")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per triple (2)")
    parser.add_argument("--models", default="CRnet,RN")
    parser.add_argument("--n-jobs", type=int, default=2, help="parallel processes (2)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of one-setting-at-a-time search (2)")
    parser.add_argument("--centre", choices=["base", "defaults"], default="base",
                        help="first centre: the study's base setting, or the estimators' "
                             "current defaults (base)")
    parser.add_argument("--continue-from", default=None, metavar="JSON",
                        help="a JSON this script wrote: start from its chosen centres, with "
                             "round numbers after its last (overrides --centre)")
    parser.add_argument("--fold-classes", choices=["all", "own"], default="all",
                        help="classes a fold's validation part is searched over: every class "
                             "of the table (as the study ran), or the fold's own (as score "
                             "does now) (all)")
    parser.add_argument("--quick", action="store_true", help="2 triples, 1 seed, narrow cnn-width")
    parser.add_argument("--json", default=None, help="write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.triples, args.seeds = 2, 1
    tasks = problems(args.triples, range(args.seeds), args.quick)
    print(harness.machine())
    print(f"validation tasks: {args.triples} digits triples x {args.seeds} seeds x 3 folds, and "
          f"the SYNTHETIC cnn-width problem x {args.seeds} seeds x 3 folds; one torch thread per fit; "
          f"first centre: {args.continue_from or args.centre}; "
          f"folds searched over {args.fold_classes} classes"
          + ("; QUICK RUN: NOT A STUDY RESULT" if args.quick else ""))
    earlier = json.loads(Path(args.continue_from).read_text()) if args.continue_from else {}
    results = {}
    for model in args.models.split(","):
        start = time.perf_counter()
        centre, first_round = first_centre(model, args.centre, earlier)
        summary = {}
        for round_number in range(first_round, first_round + args.rounds):
            scored = evaluate(sweep(model, centre, round_number), tasks, args.n_jobs,
                              args.fold_classes)
            summary.update(scored)
            print_summary(f"{model}, round {round_number}: one setting at a time from the centre",
                          scored, model)
            best = max(scored.values(), key=lambda entry: entry["criterion"])
            if best["params"] == centre:
                break  # no single change improves the centre
            centre = dict(best["params"])
        best = next(e for (m, _), e in summary.items() if m == model and e["params"] == centre)
        print(f"{model}: chosen {centre} (digits validation H {best['H']:.3f} +- "
              f"{best['H_std']:.3f}, cnn-width {best['width_H']:.3f}); "
              f"{time.perf_counter() - start:.0f} s")
        results[model] = {
            "chosen": centre,
            "candidates": {label: {k: v for k, v in entry.items() if k not in ("digits", "cnn-width")}
                           for (m, label), entry in summary.items() if m == model},
        }
    harness.write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
