"""Whether a strong relation penalty lets CRnet learn: a fold's training part against all training digits.

Uses only the training digits of each unseen triple (never its test digits).
For each triple, CRnet with ``alpha=0`` and a given ``beta`` is fitted on the
training part of the first ``GZSLSplit(n_splits=3)`` fold (five seen digits)
and on all seven training digits, each for the default number of epochs and
for the other fit's number of optimizer steps. The script prints the final
training loss against the loss of the best constant score (a model that has
learned nothing), the objective it minimises (that loss plus beta's penalty
at the final weights) and how many classes its predictions on the training
digits use. A penalty that lets the five-digit fold learn but holds the seven-digit
refit at the constant score makes the folds of a search misjudge it.

Fits use ``penalty_warmup=0`` (the full penalty from the first step, as
before the warm-up existed) unless ``--penalty-warmup`` says otherwise: the
script shows the failure the warm-up removes.

With ``--sweep-triples``, a second table gives the same ratio on all training
digits for a range of (alpha, beta) pairs: where the refit of a grid search
would stop learning.

Run from the repository root: ``python benchmarks/penalty_collapse.py
--unseen 4 5 6 --unseen 2 6 7 --sweep-triples 4 5 6 --sweep-triples 2 6 7
--sweep-triples 0 5 9 --sweep-triples 1 3 8``.
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from benchmarks.choose_penalty_warmup import final_objective  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unseen", type=int, nargs=3, action="append",
                        help="an unseen triple (repeatable); default (4, 5, 6) and (2, 6, 7)")
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--ensemble-size", type=int, default=1)
    parser.add_argument("--penalty-warmup", type=float, default=0.0)
    parser.add_argument("--max-epochs", type=int, default=None, help="fewer epochs for a smoke run")
    parser.add_argument("--sweep-triples", type=int, nargs=3, action="append", default=None,
                        help="also sweep (alpha, beta) on all training digits of this triple (repeatable)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    triples = [tuple(t) for t in args.unseen] if args.unseen else [(4, 5, 6), (2, 6, 7)]
    epochs = args.max_epochs or CRNetClassifier().max_epochs
    print(harness.machine())
    rows = []
    for unseen in triples:
        data = load_digits_gzsl(unseen=unseen, random_state=0)
        X, y, table = data.X_train, data.y_train, data.class_attributes
        train, _ = next(GZSLSplit(n_splits=3, random_state=0).split(X, y))
        parts = {"fold (5 digits)": (X[train], y[train]), "all (7 digits)": (X, y)}
        batches = {name: int(np.ceil(len(part_y) / CRNetClassifier().batch_size))
                   for name, (_, part_y) in parts.items()}
        for name, (part_X, part_y) in parts.items():
            other = next(n for n in parts if n != name)
            for n_epochs in (epochs, max(1, round(epochs * batches[other] / batches[name]))):
                model = CRNetClassifier(alpha=0.0, beta=args.beta, ensemble_size=args.ensemble_size,
                                        penalty_warmup=args.penalty_warmup, max_epochs=n_epochs,
                                        random_state=0, n_threads=2)
                model.fit(part_X, part_y, class_attributes=table)
                objective, loss, constant = final_objective(model)
                rows.append([str(unseen), name, n_epochs, n_epochs * batches[name], loss, objective,
                             constant, len(np.unique(model.predict(X)))])
    harness.print_table(f"CRnet, alpha 0, beta {args.beta:g}, {args.ensemble_size} network(s), "
                        f"penalty_warmup {args.penalty_warmup:g}: "
                        "final training loss against the best constant score's",
                        ["unseen", "fitted on", "epochs", "steps", "train loss", "objective",
                         "constant loss", "classes predicted"], rows)
    if args.sweep_triples:
        sweep(args.sweep_triples, args.ensemble_size, epochs, args.penalty_warmup)
    return 0


#: (alpha, beta) pairs of the sweep: where a fit on all training digits stops learning.
SWEEP = [(0.0, 0.01), (0.0, 0.03), (0.0, 0.1), (0.0, 0.3), (0.0, 1.0),
         (0.3, 0.0), (1.0, 0.0), (3.0, 0.0), (0.3, 0.3), (1.0, 0.3)]


def sweep(triples, ensemble_size, epochs, penalty_warmup):
    """Final training loss / constant-score loss on all seven training digits, per (alpha, beta)."""
    rows = []
    for unseen in triples:
        data = load_digits_gzsl(unseen=tuple(unseen), random_state=0)
        ratios = []
        for alpha, beta in SWEEP:
            model = CRNetClassifier(alpha=alpha, beta=beta, ensemble_size=ensemble_size,
                                    penalty_warmup=penalty_warmup, max_epochs=epochs,
                                    random_state=0, n_threads=2)
            history = model.fit(data.X_train, data.y_train,
                                class_attributes=data.class_attributes).net_.history
            ratios.append(history[-1, "train_loss"] / history[-1, "train_constant_loss"])
        rows.append([str(tuple(unseen))] + ratios)
    harness.print_table(f"all seven training digits, penalty_warmup {penalty_warmup:g}: final "
                        "training loss / constant-score loss (1.00 = learned nothing)",
                        ["unseen"] + [f"a={a:g} b={b:g}" for a, b in SWEEP], rows)


if __name__ == "__main__":
    sys.exit(main())
