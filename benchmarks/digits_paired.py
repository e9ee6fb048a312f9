"""Paired comparison on many fresh digit triples: CRnet against one expert (K=1) and against RN.

The test-split evaluations (``digits_evaluation.py``) put CRnet, CRnet K=1
and the Relation Network within the spread of their runs on 10 triples x 2
seeds. This script asks the question with more runs and paired differences:
for each of ``--triples`` triples (fresh: after skipping the ``--skip`` that
``digits_evaluation.py`` and ``digits_grid_search.py`` use, and every earlier
evaluation's) x ``--seeds`` seeds, the three models are fitted at their
defaults with the same seed and scored once on the test digits. Printed: mean
As, Au and H of each model, and for CRnet - K=1 and CRnet - RN the mean
paired difference in H and Au with its standard error (std / sqrt(runs)) and
the number of runs CRnet wins. Nothing is chosen here.

Run from the repository root: ``python benchmarks/digits_paired.py``.
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
from benchmarks.digits_evaluation import fresh_triples  # noqa: E402
from sklearn_crnet import CRNetClassifier, RelationNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402
from sklearn_crnet.metrics import gzsl_report  # noqa: E402

MODELS = {"CRnet": (CRNetClassifier, {}), "CRnet K=1": (CRNetClassifier, {"K": 1}),
          "RN": (RelationNetClassifier, {})}


def run(unseen, seed, epochs):
    """As, Au and H of every model on one (triple, seed)."""
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=unseen, random_state=0)
    out = {}
    for name, (cls, extra) in MODELS.items():
        model = cls(random_state=seed, n_threads=1, device="cpu", **extra, **epochs)
        model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
        report = gzsl_report(data.y_test, model.predict(data.X_test),
                             seen_classes=model.seen_classes_, unseen_classes=model.unseen_classes_)
        out[name] = {k: report[k] for k in ("As", "Au", "H")}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--skip", type=int, default=20)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--max-epochs", type=int, default=None, help="fewer epochs for a smoke run")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    epochs = harness.print_run_header(
        "digits GZSL (real data); defaults, test digits scored once per model", args.max_epochs)
    start = time.perf_counter()
    _, triples = fresh_triples(args.skip, args.triples)
    if len(triples) < args.triples:
        print(f"only {len(triples)} fresh triples are left")
    runs = Parallel(n_jobs=args.n_jobs)(delayed(run)(t, s, epochs)
                                        for t in triples for s in range(args.seeds))
    rows = []
    for name in MODELS:
        values = {m: np.array([r[name][m] for r in runs]) for m in ("As", "Au", "H")}
        rows.append([name] + [f"{v.mean():.3f} +- {v.std():.3f}" for v in values.values()])
    harness.print_table(f"{len(triples)} fresh unseen triples x {args.seeds} seeds = {len(runs)} runs "
                        "(mean +- std over runs)", ["model", "As", "Au", "H"], rows)
    rows = []
    for other in ("CRnet K=1", "RN"):
        row = [f"CRnet - {other}"]
        for metric in ("H", "Au"):
            diff = np.array([r["CRnet"][metric] - r[other][metric] for r in runs])
            error = harness.standard_error(diff)
            row += [f"{diff.mean():+.3f} +- {error:.3f}", f"{int(np.sum(diff > 0))} of {len(diff)}"]
        rows.append(row)
    harness.print_table("paired differences (mean +- standard error) and runs that CRnet wins",
                        ["comparison", "H", "CRnet ahead (H)", "Au", "CRnet ahead (Au)"], rows)
    print(f"{time.perf_counter() - start:.0f} s")
    harness.write_json(args.json, {"triples": triples, "seeds": args.seeds, "runs": runs})
    return 0


if __name__ == "__main__":
    sys.exit(main())
