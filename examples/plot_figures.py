"""
The paper's analysis figures on digits
======================================

For CRnet and RN trained on the digits with 2, 5 and 9 unseen: the normalised
feature anchors with their sparsity (paper Figure 4), each expert's response to
the field centres and to their mean (Figure 5), the LRD of each unseen anchor
(Table 3), and the seen-unseen accuracy curves with their AUSUC.

With ``--output DIR`` the four figures are also saved as PNG files there.

Run: ``python examples/plot_figures.py`` (``--quick`` for a smoke run).
"""

import argparse
from pathlib import Path

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl
from sklearn_crnet.plotting import (
    plot_expert_responses,
    plot_feature_anchors,
    plot_lrd,
    plot_seen_unseen_curve,
)

parser = argparse.ArgumentParser(description="The paper's analysis figures on digits.")
parser.add_argument("--output", default=None, help="also save the figures in this folder")
parser.add_argument("--quick", action="store_true", help="3 epochs: not a result")
args = parser.parse_args()
epochs = {"max_epochs": 3} if args.quick else {}
if args.quick:
    print("QUICK RUN (--quick, 3 epochs): the figures below are not meaningful")

data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
models = {"CRnet": CRNetClassifier(random_state=0, **epochs),
          "RN": RelationNetClassifier(random_state=0, **epochs)}
for model in models.values():
    model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)

# %%
# Figure 4: normalised anchors, unseen digits first, and the share of near-zero entries.
figures = {"figure4_anchors.png": plot_feature_anchors(models, n_dims=64)}

# %%
# Figure 5: each CRnet expert's response to the field centres and to their mean.
figures["figure5_experts.png"] = plot_expert_responses(models["CRnet"], n_top=10)

# %%
# Table 3 as a figure: the LRD of each unseen digit's anchor.
figures["lrd.png"] = plot_lrd(models)

# %%
# As against Au over every calibration offset; the dot is the uncalibrated model.
figures["seen_unseen_curve.png"] = plot_seen_unseen_curve(models, data.X_test, data.y_test)

if args.output:
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    for name, figure in figures.items():
        figure.savefig(output / name, dpi=120)
        print(f"saved {output / name}")
