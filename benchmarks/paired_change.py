"""What a change of code or defaults did, paired run by run, from two recorded result files.

``digits_evaluation.py`` and ``digits_paired.py`` both fit their models with
``random_state=seed`` on ``load_digits_gzsl(unseen=triple, random_state=0)``,
so two of their JSON files that share a (triple, seed) trained on the same
split from the same seed. This script matches those runs and prints, for
every model in both files, the mean of the second file's As, Au and H minus
the first's, with its standard error over the matched runs and the number of
runs where the second is higher. It fits nothing. Run from the repository root::

    python benchmarks/paired_change.py BEFORE.json AFTER.json
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness  # noqa: E402

METRICS = ("As", "Au", "H")


def runs_by_triple_and_seed(result):
    """``{(triple, seed): run}`` of a ``digits_evaluation.py`` or ``digits_paired.py`` result.

    Both scripts list their runs triple by triple, seeds ``0 .. n - 1`` within each.
    """
    runs = result["defaults"] if "defaults" in result else result["runs"]
    triples = [tuple(t) for t in result["triples"]]
    n_seeds, remainder = divmod(len(runs), len(triples))
    if remainder or not n_seeds:
        raise ValueError(f"{len(runs)} runs do not split evenly over {len(triples)} triples")
    return {(triple, seed): runs[i * n_seeds + seed]
            for i, triple in enumerate(triples) for seed in range(n_seeds)}


def paired_change(before, after):
    """Rows ``[model, n runs, As change, Au change, H change, H higher]`` over the shared runs.

    Raises ``ValueError`` when the two results share no (triple, seed) or no model.
    """
    first, second = runs_by_triple_and_seed(before), runs_by_triple_and_seed(after)
    keys = [k for k in first if k in second]
    if not keys:
        raise ValueError("the two results share no (triple, seed) run")
    models = [m for m in first[keys[0]] if m in second[keys[0]] and "H" in first[keys[0]][m]]
    if not models:
        raise ValueError("the two results share no model")
    rows = []
    for model in models:
        row = [model, len(keys)]
        for metric in METRICS:
            diff = np.array([second[k][model][metric] - first[k][model][metric] for k in keys])
            error = harness.standard_error(diff)
            row.append(f"{diff.mean():+.3f} +- {error:.3f}")
            if metric == "H":
                row.append(f"{int(np.sum(diff > 0))} of {len(diff)}")
        rows.append(row)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="result JSON of the earlier code")
    parser.add_argument("after", help="result JSON of the later code")
    args = parser.parse_args(argv)
    before, after = (json.loads(Path(p).read_text()) for p in (args.before, args.after))
    for label, result, path in (("before", before, args.before), ("after", after, args.after)):
        print(f"{label}: {path} ({result.get('machine', 'machine not recorded')})")
    try:
        rows = paired_change(before, after)
    except ValueError as error:
        parser.error(str(error))
    harness.print_table("after - before, paired by (triple, seed): mean +- standard error",
                        ["model", "runs", "As", "Au", "H", "H higher after"], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
