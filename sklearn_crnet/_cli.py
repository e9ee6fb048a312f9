"""Command line: ``crnet demo`` (bundled digits) and ``crnet fit`` (xlsa17 benchmarks)."""

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from . import __version__
from ._crnet import CRNetClassifier
from ._relation_net import RelationNetClassifier
from ._torch_utils import resolve_device, torch_threads
from ._training import Callback
from .datasets import XLSA17_DATASETS, load_digits_gzsl, load_xlsa17
from .io import save_model
from .metrics import ausuc, gzsl_report
from .model_selection import GZSLSplit, PredefinedClassSplit, tune_calibration

__all__ = ["build_parser", "main"]


class UsageError(Exception):
    """A mistake in the command line or its files, reported in one line with exit status 2."""


# -- progress ------------------------------------------------------------------------

class _ProgressBoard:
    """One progress bar over the epochs of several fits (shared, never copied)."""

    def __init__(self, total_epochs, enabled):
        self.bar = tqdm(total=total_epochs, unit="epoch", disable=not enabled, leave=True,
                        dynamic_ncols=True, bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} epochs "
                        "[{elapsed}<{remaining}]{postfix}")
        self.fit_number = 0
        self.lock = threading.Lock()  # fits report from two threads

    def __deepcopy__(self, memo):
        return self  # estimators are cloned (tune_calibration); they all report here

    def start_fit(self, label):
        with self.lock:
            self.fit_number += 1
            self.bar.set_description(f"fit {self.fit_number}: {label}")

    def epoch(self, epoch, n_epochs, loss):
        with self.lock:
            self.bar.set_postfix_str(f"epoch {epoch}/{n_epochs}, loss {loss:.4g}")
            self.bar.update(1)

    def finished(self, text):
        with self.lock:
            self.bar.write(text)

    def close(self):
        self.bar.close()


class _ReportProgress(Callback):
    """skorch callback that reports each epoch of a fit to a shared board."""

    def __init__(self, board, label):
        self.board = board
        self.label = label

    def on_train_begin(self, net, **kwargs):
        self.board.start_fit(self.label)

    def on_epoch_end(self, net, **kwargs):
        self.board.epoch(len(net.history), net.max_epochs, net.history[-1, "train_loss"])


# -- argument checks -------------------------------------------------------------------

def _whole_number(minimum, name):
    """An argparse type: an integer of at least ``minimum``, described as ``name`` in errors."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {name}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {name}, got {value}")
        return value
    return parse


_positive_int = _whole_number(1, "a positive integer")
_count = _whole_number(0, "a whole number >= 0")


def _digits(text):
    try:
        digits = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected digits like 2,5,9; got {text!r}") from None
    if not digits or any(not 0 <= d <= 9 for d in digits) or len(digits) > 8:
        raise argparse.ArgumentTypeError(
            f"expected 1 to 8 distinct digits in 0-9 (at least two stay seen); got {text!r}")
    return tuple(digits)


def _threads(text):
    return text if text == "auto" else _positive_int(text)


def _device(text):
    try:
        resolve_device(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _output_folder(path):
    """Create (or accept) the output folder before any training, so no work is lost later."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {path} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --output folder {path}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--output folder {path} is not writable")
    return folder


# -- the demo ----------------------------------------------------------------------------

def _fit_and_report(estimator, X, y, table, X_test, y_test, board, label):
    estimator.set_params(callbacks=[("report", _ReportProgress(board, label))])
    start = time.perf_counter()
    estimator.fit(X, y, class_attributes=table)
    seconds = time.perf_counter() - start
    report = gzsl_report(y_test, estimator.predict(X_test), seen_classes=estimator.seen_classes_,
                         unseen_classes=estimator.unseen_classes_)
    board.finished(f"  {label}: H {report['H']:.3f} in {seconds:.1f} s")
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
        return ("matplotlib is not installed, so no figure was drawn "
                "(pip install 'sklearn-crnet[plot]').")
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
    ax.legend(fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    ax.set_title("GZSL on the digits problem: accuracy of each digit")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return None


def _crnet_rows(args, common, data, board, fit):
    """The demo's CRnet rows (CRnet, CRnet calibrated on validation digits, CRnet with K=1)
    as (name, report, seconds), and the calibrated CRnet."""
    X, y, table = data.X_train, data.y_train, data.class_attributes
    crnet = CRNetClassifier(K=args.K, **common)
    report, seconds = fit(crnet, f"CRnet (K={args.K})")
    rows = [(f"CRnet (K={args.K})", report, seconds)]
    # The offset is chosen by class-disjoint folds of the training digits only.
    start = time.perf_counter()
    template = CRNetClassifier(K=args.K, callbacks=[("report", _ReportProgress(
        board, "calibration fold"))], **common)
    offset, _ = tune_calibration(template, X, y, class_attributes=table, cv=GZSLSplit(
        n_splits=CALIBRATION_FOLDS, unseen_fraction=0.3, random_state=args.seed))
    crnet.set_params(calibration=offset)
    calibrated = gzsl_report(data.y_test, crnet.predict(data.X_test),
                             seen_classes=crnet.seen_classes_, unseen_classes=crnet.unseen_classes_)
    rows.append((f"CRnet (K={args.K}), calibration {offset:.2f} chosen on validation digits",
                 calibrated, seconds + time.perf_counter() - start))
    rows.append(("CRnet, one expert (K=1)", *fit(CRNetClassifier(K=1, **common), "CRnet K=1")))
    return rows, crnet


#: Folds of the training digits on which the demo chooses its calibration offset.
CALIBRATION_FOLDS = 2


def run_demo(args):
    """The main job on digits: CRnet, calibrated CRnet, K=1, RN and a shuffled-table control."""
    output = _output_folder(args.output)
    data = load_digits_gzsl(unseen=args.unseen, random_state=args.seed)
    print(data.DESCR)
    common = dict(device=args.device, random_state=args.seed, n_threads=args.threads)
    if args.epochs is not None:
        common["max_epochs"] = args.epochs
    # CRnet fits: the main one, K=1, the calibration folds and the controls; then one RN fit.
    crnet_fits = 2 + CALIBRATION_FOLDS + args.controls
    epochs = crnet_fits * (args.epochs or CRNetClassifier().max_epochs) + (
        args.epochs or RelationNetClassifier().max_epochs)
    board = _ProgressBoard(epochs, enabled=not args.quiet)
    X, y, table = data.X_train, data.y_train, data.class_attributes

    def fit(estimator, label, tab=table):
        return _fit_and_report(estimator, X, y, tab, data.X_test, data.y_test, board, label)

    baseline = {}

    def fit_baseline():
        try:
            baseline["row"] = fit(RelationNetClassifier(**common), "Relation Network")
        except BaseException as exc:  # noqa: BLE001 - raised again in the main thread
            baseline["error"] = exc

    # The baseline trains in a second thread while the CRnet fits run: most of its
    # time is spent in matrix products, which release the GIL, so the two share the
    # cores. With automatic threads every fit uses one torch thread.
    worker = threading.Thread(target=fit_baseline, daemon=True)
    try:
        with torch_threads(1 if args.threads == "auto" else None):
            worker.start()
            rows, crnet = _crnet_rows(args, common, data, board, fit)
            controls = [fit(CRNetClassifier(K=args.K, **common), f"control {i + 1}",
                            _shuffled(table, i)) for i in range(args.controls)]
            worker.join()
            if "error" in baseline:
                raise baseline["error"]
            rows.append(("Relation Network (baseline)", *baseline["row"]))
    finally:
        board.close()
    if controls:
        mean_control = {k: float(np.mean([c[0][k] for c in controls])) for k in ("As", "Au", "H")}
        rows.append((f"control: shuffled table (mean of {args.controls})", mean_control,
                     float(np.sum([c[1] for c in controls]))))
    print()
    _print_table(rows)
    print("\nAs / Au: mean per-class accuracy on seen / unseen test digits; H: their harmonic mean.\n"
          "calibration: an offset subtracted from seen digits' scores, chosen by class-disjoint "
          "cross-validation\non the training digits (tune_calibration); the test digits are never "
          "used to choose anything.\nfit s: wall time of each fit; the Relation Network trains in a "
          "second thread beside the CRnet fits.")

    crnet.set_params(callbacks=None)
    model_path = output / "crnet_digits.joblib"
    joblib.dump(crnet, model_path)  # the calibrated CRnet
    print(f"\nmodel saved: {model_path}  (joblib.load to reuse; trained on {crnet.device_})")
    figure_path = output / "digits_accuracy.png"
    problem = _save_figure(figure_path, data, [(name, report) for name, report, _ in rows[:4]])
    print(problem or f"figure saved: {figure_path}")
    return 0


# -- fit on a benchmark ----------------------------------------------------------------------

def run_fit(args):
    """Train on an xlsa17 benchmark, evaluate once on its test split, save model and report."""
    kind, _, name = args.data.partition(":")
    if kind != "xlsa17" or name.upper() not in XLSA17_DATASETS:
        raise UsageError(f"--data must be xlsa17:NAME with NAME one of {', '.join(XLSA17_DATASETS)}; "
                         f"got {args.data!r}")
    output = _output_folder(args.output) if args.output else None
    data = load_xlsa17(name, args.root, attributes=args.attributes)
    print(data.DESCR)
    params = dict(device=args.device, random_state=args.seed, verbose=0 if args.quiet else 1,
                  n_threads=args.threads)
    if args.epochs is not None:
        params["max_epochs"] = args.epochs
    factory = CRNetClassifier.from_paper if args.preset == "paper" else (
        lambda _name, **kw: CRNetClassifier(**kw))
    estimator = factory(name, **params)
    start = time.perf_counter()
    if args.calibrate:
        split = (PredefinedClassSplit(data.val_classes, random_state=args.seed)
                 if data.val_classes is not None else GZSLSplit(n_splits=2, random_state=args.seed))
        offset, _ = tune_calibration(estimator, data.X_trainval, data.y_trainval,
                                     class_attributes=data.class_attributes, cv=split)
        estimator.set_params(calibration=offset)
        print(f"calibration {offset:.3g}, chosen on validation classes of the training data")
    estimator.fit(data.X_trainval, data.y_trainval, class_attributes=data.class_attributes)
    seconds = time.perf_counter() - start
    X_test = np.vstack([data.X_test_seen, data.X_test_unseen])
    y_test = np.concatenate([data.y_test_seen, data.y_test_unseen])
    report = gzsl_report(y_test, estimator.predict(X_test), seen_classes=estimator.seen_classes_,
                         unseen_classes=estimator.unseen_classes_)
    label = f"CRnet on {name.upper()}" + (" (calibrated)" if args.calibrate else "")
    _print_table([(label, report, seconds)])
    if output is not None:
        model_path = save_model(estimator.set_params(verbose=0), output / "model.crnet")
        summary = {"dataset": name.upper(), "As": report["As"], "Au": report["Au"], "H": report["H"],
                   "AUSUC": ausuc(estimator, X_test, y_test), "fit_seconds": seconds,
                   "calibration": estimator.calibration, "params": {
                       k: v for k, v in estimator.get_params().items()
                       if isinstance(v, (int, float, str, type(None)))},
                   "per_class": {str(k): v for k, v in report["per_class"].items()}}
        (output / "report.json").write_text(json.dumps(summary, indent=2))
        print(f"model saved: {model_path} (sklearn_crnet.io.load_model); report: "
              f"{output / 'report.json'}")
    return 0


# -- the parser -----------------------------------------------------------------------------

def build_parser():
    """The argument parser of the ``crnet`` command.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    # Every default the help quotes for an estimator parameter comes from get_params().
    crnet, rn = CRNetClassifier().get_params(), RelationNetClassifier().get_params()
    parser = argparse.ArgumentParser(
        prog="crnet", description="Generalized zero-shot learning with CRnet (sklearn-crnet).")
    parser.add_argument("--version", action="version", version=f"sklearn-crnet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", help="run CRnet on the bundled digits GZSL problem",
        description="Fit CRnet on scikit-learn's 8x8 digits with seven-segment attributes and some "
        "digits unseen; print As/Au/H for CRnet, CRnet with a calibration chosen on validation "
        "digits, CRnet with one expert, the Relation Network and a shuffled-table control; save "
        "the calibrated model and a figure of each digit's accuracy.")
    demo.add_argument("--unseen", type=_digits, default=(2, 5, 9), metavar="D,D,...",
                      help="digits never seen in training (default: 2,5,9)")
    demo.add_argument("--K", type=_positive_int, default=crnet["K"],
                      help="number of CRnet expert modules (default: CRNetClassifier's, %(default)s)")
    demo.add_argument("--epochs", type=_positive_int, default=None,
                      help=f"training epochs of every fit (default: the estimators' max_epochs, "
                      f"{_both(crnet, rn, 'max_epochs')})")
    demo.add_argument("--controls", type=_count, default=3,
                      help="shuffled-table control fits to average (default: 3)")
    demo.add_argument("--output", default="crnet-output",
                      help="folder for the model and the figure (default: crnet-output)")
    _add_common(demo, crnet)
    demo.set_defaults(func=run_demo)

    fit = sub.add_parser(
        "fit", help="train and evaluate on an xlsa17 benchmark",
        description="Train CRnet on the trainval images of an xlsa17 dataset, evaluate once on "
        "test-seen + test-unseen, print As/Au/H; with --output, save the model (pickle-free) and "
        "a JSON report.")
    fit.add_argument("--data", required=True, metavar="xlsa17:NAME",
                     help="the dataset, e.g. xlsa17:AWA2")
    fit.add_argument("--root", required=True,
                     help="folder holding NAME/res101.mat and NAME/att_splits.mat")
    fit.add_argument("--preset", choices=["paper", "default"], default="default",
                     help="'paper': the paper's Table 2 settings (CRNetClassifier.from_paper); "
                     "'default': the library's defaults (default)")
    fit.add_argument("--attributes", choices=["original_att", "att"], default="original_att",
                     help="which attribute matrix of att_splits.mat to use (default: original_att, "
                     "as the authors' code)")
    fit.add_argument("--epochs", type=_positive_int, default=None,
                     help=f"training epochs (default: the preset's; {crnet['max_epochs']} for "
                     "'default', the authors' 250,000 steps for 'paper')")
    fit.add_argument("--calibrate", action="store_true",
                     help="choose the calibration offset on the dataset's validation classes "
                     "(never on test data) before the final fit")
    fit.add_argument("--output", default=None,
                     help="folder to save model.crnet and report.json in (default: save nothing)")
    _add_common(fit, crnet)
    fit.set_defaults(func=run_fit)
    return parser


def _both(crnet, rn, name):
    """The two estimators' default of ``name``: one value when they agree."""
    if crnet[name] == rn[name]:
        return f"{crnet[name]}"
    return f"CRnet {crnet[name]}, RN {rn[name]}"


def _add_common(parser, defaults):
    parser.add_argument("--device", type=_device, default=defaults["device"],
                        help="auto (CUDA when available), cpu or cuda (default: %(default)s)")
    parser.add_argument("--threads", type=_threads, default=defaults["n_threads"],
                        help="CPU threads for torch: auto (one thread for small problems) or a "
                        "number (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed of the data split and of every model (default: 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def main(argv=None):
    """Entry point of ``crnet`` and ``python -m sklearn_crnet``.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 2 for a usage or input error (reported in one line),
        130 when interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("crnet: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, TypeError, OSError, FloatingPointError) as exc:
        message = str(exc).replace("\n", " ")
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
        return 2
