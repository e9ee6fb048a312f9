"""The paper's analysis figures, drawn for CRnet and RN trained on the digits problem.

Writes four PNGs to ``--output`` (default ``crnet-figures``):
``figure4_anchors.png`` (normalised feature anchors and their sparsity, paper Fig. 4),
``figure5_experts.png`` (each expert's response to the field centres and their mean,
Fig. 5), ``lrd.png`` (LRD of each unseen anchor, Table 3) and
``seen_unseen_curve.png`` (As against Au over all calibrations, with AUSUC).

Run: ``python examples/plot_figures.py`` (``--quick`` for a smoke run).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from sklearn_crnet import CRNetClassifier, RelationNetClassifier  # noqa: E402
from sklearn_crnet.datasets import load_digits_gzsl  # noqa: E402
from sklearn_crnet.plotting import (  # noqa: E402
    plot_expert_responses,
    plot_feature_anchors,
    plot_lrd,
    plot_seen_unseen_curve,
)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--output", default="crnet-figures")
parser.add_argument("--quick", action="store_true", help="3 epochs")
args = parser.parse_args()
epochs = 3 if args.quick else 40

data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
models = {
    "CRnet": CRNetClassifier(K=3, max_epochs=epochs, random_state=0),
    "RN": RelationNetClassifier(max_epochs=epochs, random_state=0),
}
for model in models.values():
    model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)

output = Path(args.output)
output.mkdir(parents=True, exist_ok=True)
figures = {
    "figure4_anchors.png": plot_feature_anchors(models, n_dims=64),
    "figure5_experts.png": plot_expert_responses(models["CRnet"], n_top=10),
    "lrd.png": plot_lrd(models),
    "seen_unseen_curve.png": plot_seen_unseen_curve(models, data.X_test, data.y_test),
}
for name, figure in figures.items():
    figure.savefig(output / name, dpi=120)
    print(f"saved {output / name}")
