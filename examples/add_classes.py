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

Run: ``python examples/add_classes.py`` (``--quick`` for a smoke run).
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl
from sklearn_crnet.metrics import gzsl_report, zsl_scorer

parser = argparse.ArgumentParser(description="Add classes to a fitted CRnet.")
parser.add_argument("--quick", action="store_true", help="3 epochs: not a result")
args = parser.parse_args()
if args.quick:
    print("QUICK RUN (--quick, 3 epochs): the numbers below are not meaningful")

data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
table = data.class_attributes
known = table.loc[data.seen_classes]  # at training time only these rows exist
clf = CRNetClassifier(random_state=0, **({"max_epochs": 3} if args.quick else {}))
clf.fit(data.X_train, data.y_train, class_attributes=known)
print("classes at training time:", clf.classes_.tolist())

clf.set_class_attributes(table)  # the new digits' seven-segment rows
print("classes now:", clf.classes_.tolist(), "- new:", clf.unseen_classes_.tolist())
report = gzsl_report(data.y_test, clf.predict(data.X_test), seen_classes=clf.seen_classes_,
                     unseen_classes=clf.unseen_classes_)
print(f"all ten digits (GZSL): As {report['As']:.3f}  Au {report['Au']:.3f}  H {report['H']:.3f}")
unseen = np.isin(data.y_test, clf.unseen_classes_)
print(f"only the new digits searched (conventional ZSL): accuracy "
      f"{zsl_scorer(clf, data.X_test[unseen], data.y_test[unseen]):.3f} (chance 0.333)")

# %%
# Which new digit each image of a new digit is taken for, searching the new digits only.
predicted = clf.predict(data.X_test[unseen], classes="unseen")
matrix = confusion_matrix(data.y_test[unseen], predicted, labels=clf.unseen_classes_,
                          normalize="true")
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
