"""
CRnet against the Relation Network over random unseen splits
============================================================

The paper's central comparison on real data: the two models share everything
(relation module, loss, optimiser, training length) except the projection of
attributes, CRnet's cooperation module of K single-layer experts against RN's
two-layer perceptron. Both use their own defaults, chosen on validation digits
(docs: "How the defaults were chosen"); nothing is tuned here.

For random triples of unseen digits and several seeds, each model is trained on
the seen digits and evaluated once on the test split. The table gives mean +- std
over all (triple, seed) runs of As, Au, H (no calibration), AUSUC (all
calibrations) and the mean LRD of the unseen anchors (paper Table 3), whatever
the outcome.

Run it with ``python examples/crnet_vs_rn.py`` (24 fits, about 4 minutes on 2 cores; change ``N_SPLITS``
and ``SEEDS`` below for a shorter or a longer study).
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl, random_unseen_digits
from sklearn_crnet.metrics import ausuc, gzsl_report, model_local_relative_distance

METRICS = ["As", "Au", "H", "AUSUC", "LRD"]
N_SPLITS = 6  # random triples of unseen digits
SEEDS = (0, 1)  # model seeds per triple
EPOCHS = None  # None: each model's default max_epochs

# sphinx_gallery_start_ignore
# CRNET_DOCS_QUICK=1 (the test suite, the CI documentation build): 2 triples, 1 seed, 3 epochs.
if os.environ.get("CRNET_DOCS_QUICK", "0") != "0":
    print("QUICK RUN (CRNET_DOCS_QUICK=1: 2 triples, 1 seed, 3 epochs): the numbers below are "
          "not meaningful")
    N_SPLITS, SEEDS, EPOCHS = 2, (0,), 3
# sphinx_gallery_end_ignore


def evaluate(model, data):
    """Test metrics of one model fitted on one split."""
    model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
    report = gzsl_report(data.y_test, model.predict(data.X_test),
                         seen_classes=model.seen_classes_, unseen_classes=model.unseen_classes_)
    return {"As": report["As"], "Au": report["Au"], "H": report["H"],
            "AUSUC": ausuc(model, data.X_test, data.y_test),
            "LRD": float(model_local_relative_distance(model).mean())}


def compare(n_splits=10, seeds=(0, 1), max_epochs=None, random_state=1):
    """Per-run metrics of CRnet and RN; returns {model: list of metric dicts} and the splits."""
    results = {"CRnet": [], "RN": []}
    extra = {} if max_epochs is None else {"max_epochs": max_epochs}
    splits = random_unseen_digits(n_splits, random_state=random_state)
    for unseen in splits:
        data = load_digits_gzsl(unseen=unseen, random_state=0)
        for seed in seeds:
            results["CRnet"].append(evaluate(CRNetClassifier(random_state=seed, **extra), data))
            results["RN"].append(evaluate(RelationNetClassifier(random_state=seed, **extra), data))
    return results, splits


def print_table(results, splits, seeds):
    print(f"digits GZSL, {len(splits)} unseen triples x {len(seeds)} seeds: mean +- std over runs")
    print(f"{'model':<7}" + "".join(f"{m:>16}" for m in METRICS))
    for name, rows in results.items():
        cells = [f"{np.mean([r[m] for r in rows]):.3f} +- {np.std([r[m] for r in rows]):.3f}"
                 for m in METRICS]
        print(f"{name:<7}" + "".join(f"{c:>16}" for c in cells))
    wins = sum(c["H"] > r["H"] for c, r in zip(results["CRnet"], results["RN"], strict=True))
    print(f"CRnet has the higher H in {wins} of {len(results['CRnet'])} runs.")


# %%
# Every run: both models on the same split and seed, scored once on the test digits.
results, splits = compare(n_splits=N_SPLITS, seeds=SEEDS, max_epochs=EPOCHS)
print_table(results, splits, SEEDS)

# %%
# Mean and standard deviation of each metric over the runs.
fig, ax = plt.subplots(figsize=(7, 3))
width = 0.38
for i, (name, rows) in enumerate(results.items()):
    means = [np.mean([r[m] for r in rows]) for m in METRICS]
    stds = [np.std([r[m] for r in rows]) for m in METRICS]
    ax.bar(np.arange(len(METRICS)) + (i - 0.5) * width, means, width, yerr=stds, capsize=3,
           label=name)
ax.set_xticks(np.arange(len(METRICS)), METRICS)
ax.set_ylabel("mean over runs")
ax.set_title("CRnet vs the Relation Network on digits (error bars: std over runs)")
ax.legend()
fig.tight_layout()
plt.show()
