"""Command line: ``crnet demo`` (bundled digits) and ``crnet fit`` (xlsa17 benchmarks)."""

import argparse
import sys
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from . import __version__
from ._crnet import CRNetClassifier
from ._relation_net import RelationNetClassifier
from .datasets import load_digits_gzsl, load_xlsa17
from .metrics import gzsl_report
from .model_selection import GZSLSplit, tune_calibration

__all__ = ["main"]


def _fit_and_report(estimator, X, y, table, X_test, y_test):
    start = time.perf_counter()
    estimator.fit(X, y, class_attributes=table)
    seconds = time.perf_counter() - start
    report = gzsl_report(y_test, estimator.predict(X_test), seen_classes=estimator.seen_classes_,
                         unseen_classes=estimator.unseen_classes_)
    return report, seconds


def _print_table(rows, file=None):
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'model':<{width}}{'As':>7}{'Au':>7}{'H':>7}{'fit s':>8}", file=file)
    for name, report, seconds in rows:
        print(f"{name:<{width}}{report['As']:>7.3f}{report['Au']:>7.3f}{report['H']:>7.3f}"
              f"{seconds:>8.1f}", file=file)


def _shuffled(table, seed):
    perm = np.random.RandomState(seed).permutation(len(table))
    return pd.DataFrame(table.to_numpy()[perm], index=table.index, columns=table.columns)


def _save_figure(path, data, reports):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install 'sklearn-crnet[plot]'); no figure."
    labels = list(range(10))
    width = 0.8 / len(reports)
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, (name, report) in enumerate(reports):
        accuracies = [report["per_class"].get(d, np.nan) for d in labels]
        ax.bar(np.arange(10) + (i - (len(reports) - 1) / 2) * width, accuracies, width, label=name)
    for d in data.unseen_classes:
        ax.axvspan(d - 0.45, d + 0.45, color="0.9", zorder=0)
    ax.set_xticks(labels)
    ax.set_xlabel("digit (shaded: unseen in training)")
    ax.set_ylabel("per-class accuracy")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=len(reports), loc="upper center", bbox_to_anchor=(0.5, -0.2))
    ax.set_title("GZSL on the digits problem: accuracy of each digit")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


def run_demo(args):
    """The main job on digits: CRnet, its one-expert ablation, RN and a shuffled-table control."""
    unseen = tuple(int(d) for d in args.unseen.split(","))
    data = load_digits_gzsl(unseen=unseen, random_state=args.seed)
    print(data.DESCR)
    common = dict(max_epochs=args.epochs, device=args.device, random_state=args.seed)
    X, y, table = data.X_train, data.y_train, data.class_attributes

    crnet = CRNetClassifier(K=args.K, verbose=0 if args.quiet else 1, **common)
    rows = [(f"CRnet (K={args.K})", *_fit_and_report(crnet, X, y, table, data.X_test, data.y_test))]
    # Calibration chosen on validation digits held out of the training digits only.
    start = time.perf_counter()
    offset, _ = tune_calibration(CRNetClassifier(K=args.K, **common), X, y, class_attributes=table,
                                 cv=GZSLSplit(n_splits=2, unseen_fraction=0.3,
                                              random_state=args.seed))
    tuning_seconds = time.perf_counter() - start
    crnet.set_params(calibration=offset)
    calibrated = gzsl_report(data.y_test, crnet.predict(data.X_test),
                             seen_classes=crnet.seen_classes_, unseen_classes=crnet.unseen_classes_)
    rows.append((f"CRnet (K={args.K}), calibration {offset:g} chosen on validation digits",
                 calibrated, rows[0][2] + tuning_seconds))
    ablation = CRNetClassifier(K=1, **common)
    rows.append(("CRnet, one expert (K=1)",
                 *_fit_and_report(ablation, X, y, table, data.X_test, data.y_test)))
    baseline = RelationNetClassifier(**common)
    rows.append(("Relation Network (baseline)",
                 *_fit_and_report(baseline, X, y, table, data.X_test, data.y_test)))
    controls = [
        _fit_and_report(CRNetClassifier(K=args.K, **common), X, y, _shuffled(table, seed),
                        data.X_test, data.y_test)
        for seed in range(args.controls)
    ]
    mean_control = {k: float(np.mean([c[0][k] for c in controls])) for k in ("As", "Au", "H")}
    rows.append((f"control: shuffled table (mean of {args.controls})", mean_control,
                 float(np.sum([c[1] for c in controls]))))
    print()
    _print_table(rows)
    print("calibration: an offset subtracted from seen digits' scores, chosen by class-disjoint "
          "cross-validation on the training digits (tune_calibration); test digits never used.")

    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    model_path = output / "crnet_digits.joblib"
    joblib.dump(crnet, model_path)  # the calibrated CRnet
    print(f"\nmodel saved: {model_path}  (joblib.load to reuse; trained on {crnet.device_})")
    figure_path = output / "digits_accuracy.png"
    problem = _save_figure(figure_path, data, [(name, report) for name, report, _ in rows[:2]]
                           + [(rows[3][0], rows[3][1])])
    print(problem or f"figure saved: {figure_path}")
    return 0


def run_fit(args):
    """Train with fixed settings on an xlsa17 benchmark and evaluate once on its test split."""
    kind, _, name = args.data.partition(":")
    if kind != "xlsa17" or not name:
        print(f"--data must look like xlsa17:AWA2; got {args.data!r}", file=sys.stderr)
        return 2
    data = load_xlsa17(name, args.root, attributes=args.attributes)
    print(data.DESCR)
    params = dict(device=args.device, random_state=args.seed, verbose=0 if args.quiet else 1)
    if args.epochs is not None:
        params["max_epochs"] = args.epochs
    if args.preset == "paper":
        estimator = CRNetClassifier.from_paper(name, **params)
    else:
        estimator = CRNetClassifier(**params)
    X_test = np.vstack([data.X_test_seen, data.X_test_unseen])
    y_test = np.concatenate([data.y_test_seen, data.y_test_unseen])
    report, seconds = _fit_and_report(estimator, data.X_trainval, data.y_trainval,
                                      data.class_attributes, X_test, y_test)
    _print_table([(f"CRnet on {name.upper()}", report, seconds)])
    return 0


def build_parser():
    """The argument parser of the ``crnet`` command."""
    parser = argparse.ArgumentParser(
        prog="crnet", description="Generalized zero-shot learning with CRnet (sklearn-crnet).")
    parser.add_argument("--version", action="version", version=f"sklearn-crnet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run CRnet on the bundled digits GZSL problem",
                          description="Fit CRnet on scikit-learn's digits with seven-segment "
                          "attributes; print As/Au/H for CRnet, CRnet with K=1, the Relation "
                          "Network and a shuffled-table control; save the model and a figure.")
    demo.add_argument("--unseen", default="2,5,9", help="comma-separated unseen digits (2,5,9)")
    demo.add_argument("--K", type=int, default=3, help="number of expert modules (3)")
    demo.add_argument("--epochs", type=int, default=40, help="training epochs (40)")
    demo.add_argument("--controls", type=int, default=3,
                      help="shuffled-table control fits to average (3)")
    demo.add_argument("--output", default="crnet-output", help="folder for model and figure")
    demo.add_argument("--device", default="auto", help="auto, cpu or cuda")
    demo.add_argument("--seed", type=int, default=0, help="random seed (0)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=run_demo)

    fit = sub.add_parser("fit", help="train and evaluate on an xlsa17 benchmark",
                         description="Train on trainval, evaluate once on test-seen + "
                         "test-unseen, print As/Au/H.")
    fit.add_argument("--data", required=True, help="xlsa17:NAME, e.g. xlsa17:AWA2")
    fit.add_argument("--root", required=True, help="folder with NAME/res101.mat, att_splits.mat")
    fit.add_argument("--preset", choices=["paper", "default"], default="default",
                     help="'paper': Table 2 settings (CRNetClassifier.from_paper)")
    fit.add_argument("--attributes", choices=["original_att", "att"], default="original_att")
    fit.add_argument("--epochs", type=int, default=None, help="override the epochs")
    fit.add_argument("--device", default="auto")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--quiet", action="store_true")
    fit.set_defaults(func=run_fit)
    return parser


def main(argv=None):
    """Entry point of ``crnet`` and ``python -m sklearn_crnet``."""
    args = build_parser().parse_args(argv)
    return args.func(args)
