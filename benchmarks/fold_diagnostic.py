"""Where the held-out digits of each GZSLSplit fold go, with and without a strong relation penalty.

Uses only the training digits of one unseen triple (never its test digits):
for each ``GZSLSplit(n_splits=3)`` fold, CRnet (defaults, alpha 0) is fitted
with beta 0 and beta 1 on the fold's training part, with the full class table,
and the script prints the fold's validation As, Au, H and the classes that
the held-out (validation-unseen) digits were predicted as when all ten digits
are searched. The table's real unseen digits would then be candidates in every
fold, so held-out digits can be assigned to them: the validation problem would
have more unseen classes than the test problem. The last figure is the fold's
H as ``model.score`` computes it, searching the training digits and the
fold's held-out digits only.

Run from the repository root:
``python benchmarks/fold_diagnostic.py --unseen 2 6 7`` (``--unseen-fraction 0.2``
holds out one of the seven training digits per fold instead of
``GZSLSplit``'s default two).
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402
from sklearn_crnet.metrics import gzsl_report  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unseen", type=int, nargs="+", default=[2, 6, 7])
    parser.add_argument("--betas", type=float, nargs="+", default=[0.0, 1.0])
    parser.add_argument("--unseen-fraction", type=float, default=GZSLSplit().unseen_fraction,
                        help="share of the training digits each fold holds out")
    parser.add_argument("--max-epochs", type=int, default=None, help="fewer epochs for a smoke run")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=tuple(args.unseen), random_state=0)
    X, y, table = data.X_train, data.y_train, data.class_attributes  # training digits only
    extra = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
    print(f"unseen test digits {tuple(args.unseen)}; folds of the training digits only")
    for fold, (train, val) in enumerate(GZSLSplit(n_splits=3, unseen_fraction=args.unseen_fraction,
                                                          random_state=0).split(X, y)):
        held = sorted(set(y[val].tolist()) - set(y[train].tolist()))
        for beta in args.betas:
            model = CRNetClassifier(alpha=0.0, beta=beta, random_state=0, n_threads=1, **extra)
            model.fit(X[train], y[train], class_attributes=table)
            predicted = model.predict(X[val])  # every digit of the table is a candidate
            report = gzsl_report(y[val], predicted, seen_classes=model.seen_classes_,
                                 unseen_classes=model.unseen_classes_)
            labels, counts = np.unique(predicted[np.isin(y[val], held)], return_counts=True)
            share = sum(c for label, c in zip(labels, counts, strict=True) if label in args.unseen)
            print(f"fold {fold}, held out {held}, beta={beta:g}: As {report['As']:.3f} Au "
                  f"{report['Au']:.3f} H {report['H']:.3f} searching all ten digits; held-out "
                  f"digits predicted as {dict(zip(labels.tolist(), counts.tolist(), strict=True))} "
                  f"({share} of {counts.sum()} as a real unseen digit); H {model.score(X[val], y[val]):.3f} "
                  "searching the fold's digits (model.score)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
