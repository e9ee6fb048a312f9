"""Reproduce the CRnet paper's Table 1 (As/Au/H) and Table 3 (mean LRD) on xlsa17.

For each dataset whose files are under ROOT (ROOT/<NAME>/res101.mat and
att_splits.mat), CRnet and the Relation Network are trained with their paper
presets. The number of epochs, and nothing else, is chosen on the dataset's own
validation classes (xlsa17's train/val class split; a random class-disjoint
split where a file lacks it); the model is then retrained on all trainval data
for that many epochs and evaluated once on the test split. The tables print
side by side with the paper's numbers, and a markdown and JSON copy is written.

``--quick`` shrinks epochs and widths so the whole pipeline runs in seconds on a
CPU; its output is marked NOT A BENCHMARK RESULT, as is any run on features that
are not the release's.

Run: ``python benchmarks/reproduce_paper.py --root DIR [--datasets AWA2,CUB]
[--quick] [--device cuda] [--output DIR]``.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn_crnet import ClassAttributes, CRNetClassifier, RelationNetClassifier  # noqa: E402
from sklearn_crnet._presets import PAPER_RESULTS, PAPER_SETTINGS  # noqa: E402
from sklearn_crnet.datasets import load_xlsa17  # noqa: E402
from sklearn_crnet.metrics import gzsl_report, model_local_relative_distance  # noqa: E402
from sklearn_crnet.model_selection import GZSLSplit, PredefinedClassSplit  # noqa: E402

MODELS = {"CRnet": CRNetClassifier, "RN": RelationNetClassifier}
QUICK = {"max_epochs": 3, "hidden_units": 32, "patience": 2, "batch_size": 256}
QUICK_NOTE = "QUICK RUN (--quick: 3 epochs, 32 hidden units, batches of 256): NOT A BENCHMARK RESULT"


def run_dataset(name, root, device, seed, quick, patience):
    """Train both models on one dataset; returns their test metrics and settings."""
    data = load_xlsa17(name, root)
    if data.val_classes is not None:
        split = PredefinedClassSplit(data.val_classes, test_size=0.2, random_state=seed)
        split_note = f"xlsa17 val classes ({len(data.val_classes)})"
    else:
        split = GZSLSplit(n_splits=1, unseen_fraction=0.2, random_state=seed)
        split_note = "random class-disjoint split (file has no val classes)"
    X_test = np.vstack([data.X_test_seen, data.X_test_unseen])
    y_test = np.concatenate([data.y_test_seen, data.y_test_unseen])
    table = ClassAttributes(data.class_attributes)
    results = {}
    for model_name, cls in MODELS.items():
        params = {"device": device, "random_state": seed, "early_stopping": True,
                  "validation_split": split, "patience": patience}
        if quick:
            params.update(QUICK)
            if model_name == "RN":
                params["projection_hidden_units"] = 32
        model = cls.from_paper(name, **params)
        start = time.perf_counter()
        model.fit(data.X_trainval, data.y_trainval, class_attributes=table)
        seconds = time.perf_counter() - start
        report = gzsl_report(y_test, model.predict(X_test), seen_classes=model.seen_classes_,
                             unseen_classes=model.unseen_classes_)
        results[model_name] = {
            "As": 100 * report["As"], "Au": 100 * report["Au"], "H": 100 * report["H"],
            "LRD": float(model_local_relative_distance(model).mean()),
            "epochs": int(model.best_epoch_), "seconds": seconds,
            "validation_H": float(model.validation_scores_.max()),
        }
    return {"validation": split_note, "description": data.DESCR, "models": results}


def _paper(model, name):
    row = PAPER_RESULTS[model].get(name)
    return "  -    -    -  " if row is None else " ".join(f"{v:4.1f}" for v in row)


def render(results, quick):
    """Markdown tables: ours beside the paper's Table 1 and Table 3."""
    lines = []
    if quick:
        lines += [f"**{QUICK_NOTE}**", ""]
    lines += ["Table 1 (GZSL, %): measured As / Au / H, and the paper's", "",
              "| dataset | model | As | Au | H | paper As Au H | epochs (chosen on val) | fit s |",
              "|---|---|---|---|---|---|---|---|"]
    for name, entry in results.items():
        for model, r in entry["models"].items():
            lines.append(f"| {name} | {model} | {r['As']:.1f} | {r['Au']:.1f} | {r['H']:.1f} | "
                         f"{_paper(model, name)} | {r['epochs']} | {r['seconds']:.0f} |")
    lines += ["", "Table 3: mean LRD of the unseen class anchors, measured (paper)", "",
              "| dataset | CRnet | RN |", "|---|---|---|"]
    for name, entry in results.items():
        cells = []
        for model in MODELS:
            paper = PAPER_RESULTS["LRD"][model].get(name)
            paper_text = f" ({paper:.3f})" if paper is not None else " (-)"
            cells.append(f"{entry['models'][model]['LRD']:.3f}{paper_text}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "Validation: " + "; ".join(f"{n}: {e['validation']}" for n, e in results.items())]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="folder with <NAME>/res101.mat files")
    parser.add_argument("--datasets", default=",".join(PAPER_SETTINGS),
                        help="comma-separated subset of AWA1,AWA2,CUB,SUN,APY")
    parser.add_argument("--quick", action="store_true", help="tiny settings: a pipeline check")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--patience", type=int, default=20, help="early-stopping patience (epochs)")
    parser.add_argument("--output", default="reproduce-output", help="folder for .md and .json")
    args = parser.parse_args(argv)

    names = [n.strip().upper() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in PAPER_SETTINGS]
    if unknown:
        parser.error(f"unknown datasets {unknown}; choose from {sorted(PAPER_SETTINGS)}")
    present = [n for n in names if (Path(args.root) / n / "res101.mat").is_file()]
    for name in sorted(set(names) - set(present)):
        print(f"skipping {name}: {Path(args.root) / name / 'res101.mat'} not found")
    if not present:
        print("no dataset found; nothing to do")
        return 1
    if args.quick:
        print(QUICK_NOTE)
    results = {}
    for name in present:
        print(f"training CRnet and RN on {name} ...", flush=True)
        results[name] = run_dataset(name, args.root, args.device, args.seed, args.quick,
                                    QUICK["patience"] if args.quick else args.patience)
    text = render(results, args.quick)
    print("\n" + text)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "reproduction.md").write_text(text + "\n")
    payload = {"quick": args.quick, "note": QUICK_NOTE if args.quick else None, "results": results}
    (output / "reproduction.json").write_text(json.dumps(payload, indent=2))
    print(f"\nwritten: {output / 'reproduction.md'}, {output / 'reproduction.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
