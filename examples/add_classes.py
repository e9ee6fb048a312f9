"""
Zero-shot after training: add classes to a fitted model
=======================================================

The defining use of zero-shot learning: a class that did not exist when the
model was trained (a new species, a new product) is described by its
attributes and recognised at once, without retraining. Here CRnet is trained on
seven digits knowing nothing of the others; afterwards the rows of digits 2, 5
and 9 are added with :meth:`~sklearn_crnet.CRNetClassifier.set_class_attributes`.

The model then predicts all ten digits (GZSL), or searches only the new ones
(conventional zero-shot learning, ``predict(X, classes="unseen")``, scored by
:func:`~sklearn_crnet.metrics.zsl_scorer`).

Run it with ``python examples/add_classes.py``.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl
from sklearn_crnet.metrics import gzsl_report, zsl_scorer

# sphinx_gallery_start_ignore
# CRNET_DOCS_QUICK=1 (the test suite, the CI documentation build) trains for 3 epochs only.
QUICK = os.environ.get("CRNET_DOCS_QUICK", "0") != "0"
if QUICK:
    print("QUICK RUN (CRNET_DOCS_QUICK=1, 3 epochs): the numbers below are not meaningful")
# sphinx_gallery_end_ignore

# %%
# Training on the known digits
# ----------------------------
# At training time the table holds only the seven digits that have images.
data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
table = data.class_attributes
known = table.loc[data.seen_classes]  # at training time only these rows exist
clf = CRNetClassifier(random_state=0)
# sphinx_gallery_start_ignore
if QUICK:
    clf.set_params(max_epochs=3)
# sphinx_gallery_end_ignore
clf.fit(data.X_train, data.y_train, class_attributes=known)
print("classes at training time:", clf.classes_.tolist())

# %%
# Adding the new digits
# ---------------------
# ``set_class_attributes`` takes the full table; the seen rows must stay as
# trained. No weight changes: the new rows are projected to anchors by the
# trained network.
clf.set_class_attributes(table)  # the new digits' seven-segment rows
print("classes now:", clf.classes_.tolist(), "- new:", clf.unseen_classes_.tolist())
report = gzsl_report(data.y_test, clf.predict(data.X_test), seen_classes=clf.seen_classes_,
                     unseen_classes=clf.unseen_classes_)
print(f"all ten digits (GZSL): As {report['As']:.3f}  Au {report['Au']:.3f}  H {report['H']:.3f}")
unseen = np.isin(data.y_test, clf.unseen_classes_)
print(f"only the new digits searched (conventional ZSL): accuracy "
      f"{zsl_scorer(clf, data.X_test[unseen], data.y_test[unseen]):.3f} (chance 0.333)")

# %%
# Which new digit each image of a new digit is taken for, searching the new
# digits only (row: true digit; each row sums to 1).
predicted = clf.predict(data.X_test[unseen], classes="unseen")
matrix = confusion_matrix(data.y_test[unseen], predicted, labels=clf.unseen_classes_,
                          normalize="true")
print("confusion among the new digits (rows: true digit, columns: predicted):")
print("     " + "".join(f"{d:>7}" for d in clf.unseen_classes_))
for digit, row in zip(clf.unseen_classes_, matrix, strict=True):
    print(f"{digit:>5}" + "".join(f"{v:>7.2f}" for v in row))
fig, ax = plt.subplots(figsize=(3.6, 3.2))
ax.imshow(matrix, vmin=0, vmax=1, cmap="Blues")
ticks = np.arange(len(clf.unseen_classes_))
ax.set_xticks(ticks, clf.unseen_classes_)
ax.set_yticks(ticks, clf.unseen_classes_)
for i in ticks:
    for j in ticks:
        ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=8)
ax.set_xlabel("predicted new digit")
ax.set_ylabel("true digit")
ax.set_title("new digits, never trained on")
fig.tight_layout()
plt.show()
