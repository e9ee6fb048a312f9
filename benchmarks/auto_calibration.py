"""``calibration="auto"`` against no calibration, on the test digits of part 1's triples.

``calibration="auto"`` tunes the offset inside ``fit`` on class-disjoint folds
of the training digits; the network is the one ``calibration=0`` trains from
the same seed, so each fit is scored twice on the test digits: with its tuned
offset and with none (a paired comparison). For part 1's triples of
``digits_evaluation.py`` (after ``--skip`` fresh ones, as there) x ``--seeds``
seeds, CRnet and the Relation Network at their other defaults. Printed: mean
+- std of As, Au and H, the paired difference in H with its standard error,
the wins, the offsets chosen and the mean fit time (one torch thread per fit,
``--n-jobs`` processes).

Run from the repository root: ``python benchmarks/auto_calibration.py``.
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
from benchmarks.digits_evaluation import fresh_triples  # noqa: E402
from sklearn_crnet import CRNetClassifier, RelationNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402
from sklearn_crnet.metrics import gzsl_report  # noqa: E402

MODELS = {"CRnet": CRNetClassifier, "RN": RelationNetClassifier}


def _report(model, data):
    report = gzsl_report(data.y_test, model.predict(data.X_test), seen_classes=model.seen_classes_,
                         unseen_classes=model.unseen_classes_)
    return {m: report[m] for m in ("As", "Au", "H")}


def auto_run(name, unseen, seed, epochs):
    """One ``calibration="auto"`` fit, scored with its offset and with none."""
    warnings.filterwarnings("ignore")
    data = load_digits_gzsl(unseen=unseen, random_state=0)
    start = time.perf_counter()
    model = MODELS[name](calibration="auto", random_state=seed, n_threads=1, device="cpu", **epochs)
    model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
    seconds = time.perf_counter() - start
    auto = _report(model, data)
    none = _report(model.set_params(calibration=0.0), data)
    return {"model": name, "triple": list(unseen), "seed": seed, "offset": model.calibration_,
            "seconds": seconds, "auto": auto, "none": none}


def print_report(runs):
    rows = []
    for name in MODELS:
        mine = [r for r in runs if r["model"] == name]
        for mode in ("none", "auto"):
            rows.append([name, 'calibration="auto"' if mode == "auto" else "calibration=0"] + [
                f"{np.mean([r[mode][m] for r in mine]):.3f} +- {np.std([r[mode][m] for r in mine]):.3f}"
                for m in ("As", "Au", "H")])
    harness.print_table(f"{len(runs) // len(MODELS)} runs per model (triple x seed), test digits",
                        ["model", "calibration", "As", "Au", "H"], rows)
    for name in MODELS:
        mine = [r for r in runs if r["model"] == name]
        diff = np.array([r["auto"]["H"] - r["none"]["H"] for r in mine])
        offsets = [r["offset"] for r in mine]
        se = harness.standard_error(diff)
        seconds = np.mean([r["seconds"] for r in mine])
        print(f"{name}: auto - none H {diff.mean():+.3f} (SE {se:.3f}), auto better in "
              f"{np.sum(diff > 0)} of {len(diff)}; offsets mean {np.mean(offsets):.2f}, range "
              f"{min(offsets):.2f}-{max(offsets):.2f}; fit with auto {seconds:.1f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=10, help="the first N of part 1's triples")
    parser.add_argument("--skip", type=int, default=0,
                        help="part 1's triples after this many fresh ones (50: the fourth evaluation's)")
    parser.add_argument("--seeds", type=int, default=2)
    harness.add_run_arguments(parser, reprint=True)
    args = parser.parse_args(argv)
    if args.from_json:
        runs = []
        for path in args.from_json:
            with open(path) as f:
                runs += json.load(f)["runs"]
        print_report(runs)
        return 0
    epochs = harness.print_run_header(
        "digits GZSL (real data); test digits scored only to compare the two calibrations",
        args.max_epochs)
    triples, _ = fresh_triples(args.triples, 0, args.skip)
    start = time.perf_counter()
    runs = Parallel(n_jobs=args.n_jobs)(delayed(auto_run)(name, t, s, epochs)
                                        for name in MODELS for t in triples for s in range(args.seeds))
    print_report(runs)
    print(f"{time.perf_counter() - start:.0f} s")
    harness.write_json(args.json, {"runs": runs, "triples": triples})
    return 0


if __name__ == "__main__":
    sys.exit(main())
