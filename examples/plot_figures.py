"""
The paper's analysis figures on digits
======================================

For CRnet and RN trained on the digits with 2, 5 and 9 unseen: the normalised
feature anchors with their sparsity (paper Figure 4), each expert's response to
the field centres and to their mean (Figure 5), the LRD of each unseen anchor
(Table 3), and the seen-unseen accuracy curves with their AUSUC. The script
prints the numbers behind the figures as a table.

Run it with ``python examples/plot_figures.py``; every figure is a matplotlib
``Figure`` (``figure.savefig("anchors.png")`` saves one).
"""

import os

import matplotlib.pyplot as plt

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl
from sklearn_crnet.metrics import ausuc, gzsl_report, model_local_relative_distance
from sklearn_crnet.plotting import (
    anchor_sparsity,
    plot_expert_responses,
    plot_feature_anchors,
    plot_lrd,
    plot_seen_unseen_curve,
)

# sphinx_gallery_start_ignore
# CRNET_DOCS_QUICK=1 (the test suite, the CI documentation build) trains for 3 epochs only.
QUICK = os.environ.get("CRNET_DOCS_QUICK", "0") != "0"
if QUICK:
    print("QUICK RUN (CRNET_DOCS_QUICK=1, 3 epochs): the figures below are not meaningful")
# sphinx_gallery_end_ignore

# %%
# Both models, trained with their defaults on the seven seen digits.
data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
models = {"CRnet": CRNetClassifier(random_state=0), "RN": RelationNetClassifier(random_state=0)}
# sphinx_gallery_start_ignore
if QUICK:
    for model in models.values():
        model.set_params(max_epochs=3)
# sphinx_gallery_end_ignore
for model in models.values():
    model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)

# %%
# The numbers behind the figures: H on the test digits, the share of near-zero
# anchor entries (Figure 4), the mean LRD of the unseen anchors (Table 3) and
# the area under the seen-unseen curve.
print(f"{'model':<7}{'H':>7}{'sparsity':>10}{'LRD':>7}{'AUSUC':>7}")
for name, model in models.items():
    h = gzsl_report(data.y_test, model.predict(data.X_test), seen_classes=model.seen_classes_,
                    unseen_classes=model.unseen_classes_)["H"]
    print(f"{name:<7}{h:>7.3f}{anchor_sparsity(model):>10.3f}"
          f"{model_local_relative_distance(model).mean():>7.3f}"
          f"{ausuc(model, data.X_test, data.y_test):>7.3f}")

# %%
# Figure 4: normalised anchors, unseen digits first, and the share of near-zero entries.
anchors_figure = plot_feature_anchors(models, n_dims=64)

# %%
# Figure 5: each CRnet expert's response to the field centres and to their mean.
experts_figure = plot_expert_responses(models["CRnet"], n_top=10)

# %%
# Table 3 as a figure: the LRD of each unseen digit's anchor.
lrd_figure = plot_lrd(models)

# %%
# As against Au over every calibration offset; the dot is the uncalibrated model.
curve_figure = plot_seen_unseen_curve(models, data.X_test, data.y_test)
plt.show()
