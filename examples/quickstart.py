"""
Quickstart: recognise digits never seen in training
===================================================

Digits 2, 5 and 9 are left out of training; CRnet recognises them from their
seven-segment descriptions alone. The script prints As, Au and H (the mean
per-class accuracies on seen and unseen digits and their harmonic mean) and
each digit's accuracy, and draws them as a bar chart.

Run it with ``python examples/quickstart.py`` (about 15 seconds on a 2-core
CPU).
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl
from sklearn_crnet.metrics import gzsl_report

# sphinx_gallery_start_ignore
# CRNET_DOCS_QUICK=1 (the test suite, the CI documentation build) trains for 3 epochs only.
QUICK = os.environ.get("CRNET_DOCS_QUICK", "0") != "0"
if QUICK:
    print("QUICK RUN (CRNET_DOCS_QUICK=1, 3 epochs): the numbers below are not meaningful")
# sphinx_gallery_end_ignore

# %%
# The data
# --------
# scikit-learn's 8x8 digits (real images); the class attributes are the seven
# segments of each digit on a display. The rows of the unseen digits 2, 5 and 9
# are in the table, but no image of them is in the training set.
data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
print(data.DESCR)
print(data.class_attributes)

# %%
# Training
# --------
# ``fit`` takes the attribute table of all ten digits; classes without training
# images become the unseen classes.
clf = CRNetClassifier(random_state=0)
# sphinx_gallery_start_ignore
if QUICK:
    clf.set_params(max_epochs=3)
# sphinx_gallery_end_ignore
start = time.perf_counter()
clf.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
seconds = time.perf_counter() - start
print(f"fit: {seconds:.1f} s on {clf.device_}, {clf.n_iter_} epochs; "
      f"unseen digits: {clf.unseen_classes_.tolist()}")

# %%
# Evaluation
# ----------
# Every test image is classified among all ten digits (generalized zero-shot
# learning). As and Au are mean per-class accuracies on the seen and unseen
# digits; H, their harmonic mean, is high only when both are.
report = gzsl_report(data.y_test, clf.predict(data.X_test),
                     seen_classes=clf.seen_classes_, unseen_classes=clf.unseen_classes_)
print(f"As = {report['As']:.3f}  Au = {report['Au']:.3f}  H = {report['H']:.3f}")
print("digit  seen  accuracy")
for digit in range(10):
    print(f"{digit:>5}  {'no' if digit in data.unseen_classes else 'yes':>4}"
          f"  {report['per_class'][digit]:>8.3f}")

# %%
# Each digit's accuracy; the unseen ones are shaded.
fig, ax = plt.subplots(figsize=(7, 3))
digits = np.arange(10)
ax.bar(digits, [report["per_class"][d] for d in digits], color="C0")
for d in data.unseen_classes:
    ax.axvspan(d - 0.45, d + 0.45, color="0.85", zorder=0)
ax.set_xticks(digits)
ax.set_ylim(0, 1)
ax.set_xlabel("digit (shaded: never seen in training)")
ax.set_ylabel("accuracy")
ax.set_title(f"CRnet on digits: As {report['As']:.2f}, Au {report['Au']:.2f}, H {report['H']:.2f}")
fig.tight_layout()
plt.show()
