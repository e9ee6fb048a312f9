"""Where a model's seed-to-seed spread comes from: the last steps of training, or the run as a whole.

A fit's GZSL H on the digits moves with ``random_state`` by about as much as
grid candidates differ (``docs/defaults.rst``). If most of that spread came
from where Adam's constant-rate steps happen to stop, a decaying learning
rate or an average of the last iterates would remove it. This study tells
the two apart, on class-disjoint validation inside the training digits only
(never on test digits): for each triple of ``choose_defaults.py``, one
``GZSLSplit`` fold, and several seeds, it records the validation H after every
epoch (``early_stopping=True`` with a patience longer than training, so all
``max_epochs`` epochs run) and prints

* **within run**: the standard deviation of one run's H over its last
  ``--last`` epochs (what the final steps add), averaged over seeds;
* **across seeds, final**: the standard deviation over seeds of the H after
  the last epoch;
* **across seeds, mean of last**: the same for each run's mean H over its
  last epochs (roughly what averaging the final iterates could reach).

Everything else is at the defaults (``--ensemble-size`` sets the networks per
estimator; one torch thread per fit).

Run from the repository root: ``python benchmarks/seed_noise_sources.py``
(``--ensemble-size 8`` for the default ensemble, ``--max-epochs 3`` for a
smoke run, ``--json FILE`` to keep the curves).
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
from benchmarks.choose_defaults import STUDY_SEED  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl, random_unseen_digits  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit  # noqa: E402


def validation_curves(unseen, seeds, ensemble_size, epochs):
    """Per-epoch validation H of one fold of ``unseen``'s training digits, one row per seed."""
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=unseen, random_state=0)
    max_epochs = epochs.get("max_epochs", CRNetClassifier().max_epochs)
    curves = []
    for seed in seeds:
        model = CRNetClassifier(ensemble_size=ensemble_size, early_stopping=True, patience=max_epochs + 1,
                                validation_split=GZSLSplit(n_splits=1, random_state=0),
                                random_state=seed, n_threads=1, device="cpu", **epochs)
        model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
        curves.append(model.validation_scores_.tolist())
    return curves


def noise_sources(curves, last):
    """Within-run and across-seed spreads of one triple's curves (seeds x epochs)."""
    curves = np.asarray(curves, dtype=float)
    tail = curves[:, -last:]
    return {"within run": float(tail.std(axis=1).mean()),
            "across seeds, final": float(curves[:, -1].std(ddof=1)),
            "across seeds, mean of last": float(tail.mean(axis=1).std(ddof=1)),
            "mean final H": float(curves[:, -1].mean())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--ensemble-size", type=int, default=1)
    parser.add_argument("--last", type=int, default=20, help="epochs at the end of training compared")
    harness.add_run_arguments(parser)
    args = parser.parse_args(argv)
    epochs = harness.print_run_header(
        f"digits, validation only: {args.triples} triples x 1 GZSLSplit fold x {args.seeds} seeds, "
        f"ensemble_size={args.ensemble_size}, one torch thread per fit", args.max_epochs)
    last = min(args.last, args.max_epochs or args.last)
    triples = random_unseen_digits(args.triples, random_state=STUDY_SEED)
    start = time.perf_counter()
    runs = Parallel(n_jobs=args.n_jobs)(
        delayed(validation_curves)(t, range(args.seeds), args.ensemble_size, epochs) for t in triples)
    sources = [noise_sources(curves, last) for curves in runs]
    columns = list(sources[0])
    rows = [[str(t), *(s[c] for c in columns)] for t, s in zip(triples, sources, strict=True)]
    rows.append(["mean", *(float(np.mean([s[c] for s in sources])) for c in columns)])
    harness.print_table(f"validation H spread, last {last} epochs ({time.perf_counter() - start:.0f} s)",
                        ["triple", *columns], rows)
    harness.write_json(args.json, {"triples": triples, "ensemble_size": args.ensemble_size,
                                   "last": last, "curves": runs})
    return 0


if __name__ == "__main__":
    sys.exit(main())
