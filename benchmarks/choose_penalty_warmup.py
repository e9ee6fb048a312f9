"""Choose ``penalty_warmup`` by the training objective it reaches (training digits only).

For random unseen triples, CRnet at its defaults is fitted on the seven
training digits with each warm-up length and each (alpha, beta) of a range
that spans the defaults to strong penalties. A fit is judged by the quantity
it minimises, Eq. 11 averaged over the last epoch's batches: the pair loss
plus ``alpha ||w_f||^2 + beta ||w_g||^2`` (all ensemble members), divided by
the loss of the best constant score (1.0: no better than a model that learned
nothing). The rule, fixed before the run: the default is the warm-up with the
lowest mean ratio over triples and penalties. No validation or test label is
used; the second table counts the fits left at the constant score (final
training loss at least 0.98 of the constant's, as ``fit`` warns).

Run from the repository root: ``python benchmarks/choose_penalty_warmup.py``.
"""

import argparse
import itertools
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402
from sklearn_crnet import CRNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl, random_unseen_digits  # noqa: E402

WARMUPS = [0.0, 0.1, 0.25, 0.5]
PENALTIES = [(1e-5, 1e-4), (0.0, 0.3), (0.0, 1.0), (1e-2, 1.0), (1.0, 0.0), (0.3, 0.3), (1.0, 1.0)]
STUDY_SEED = 11


def final_objective(model):
    """Last epoch's mean pair loss plus the penalty at the final weights, and the constant's loss."""
    penalty = 0.0
    for name, param in model.net_.module_.named_parameters():
        coefficient = model.alpha if "projection." in name else model.beta
        penalty += coefficient * float(param.detach().double().square().sum())
    history = model.net_.history
    return history[-1, "train_loss"] + penalty, history[-1, "train_loss"], history[-1, "train_constant_loss"]


def run(unseen, warmup, alpha, beta, epochs):
    """One fit on the training digits of ``unseen``: (objective, loss, constant) of its last epoch."""
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=unseen, random_state=0)
    model = CRNetClassifier(alpha=alpha, beta=beta, penalty_warmup=warmup, random_state=0,
                            n_threads=1, device="cpu", **epochs)
    model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
    return final_objective(model)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=4)
    parser.add_argument("--warmups", type=float, nargs="+", default=WARMUPS)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=None, help="fewer epochs for a smoke run")
    args = parser.parse_args(argv)
    epochs = harness.print_run_header(
        "digits GZSL (real data), training digits only; one torch thread per fit", args.max_epochs)
    start = time.perf_counter()
    triples = random_unseen_digits(args.triples, random_state=STUDY_SEED)
    warmups = args.warmups
    jobs = list(itertools.product(triples, PENALTIES, warmups))
    results = Parallel(n_jobs=args.n_jobs)(
        delayed(run)(unseen, warmup, alpha, beta, epochs) for unseen, (alpha, beta), warmup in jobs)
    ratio = {job: objective / constant for job, (objective, _, constant) in zip(jobs, results, strict=True)}
    stuck = {job: loss >= 0.98 * constant for job, (_, loss, constant) in zip(jobs, results, strict=True)}
    rows = [[f"a={a:g} b={b:g}"] + [np.mean([ratio[(t, (a, b), w)] for t in triples]) for w in warmups]
            for a, b in PENALTIES]
    means = [np.mean([ratio[(t, p, w)] for t in triples for p in PENALTIES]) for w in warmups]
    rows.append(["mean"] + means)
    harness.print_table(f"final objective / constant-score loss, mean over {len(triples)} triples "
                        f"{triples}; columns: penalty_warmup",
                        ["penalties"] + [f"{w:g}" for w in warmups], rows)
    harness.print_table("fits left at the constant score (of the triples)",
                        ["penalties"] + [f"{w:g}" for w in warmups],
                        [[f"a={a:g} b={b:g}"] + [sum(stuck[(t, (a, b), w)] for t in triples)
                                                 for w in warmups] for a, b in PENALTIES])
    print(f"lowest mean ratio: penalty_warmup={warmups[int(np.argmin(means))]:g}")
    print(f"{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
