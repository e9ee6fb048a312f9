"""Quickstart: CRnet on the bundled digits GZSL problem.

Digits 2, 5 and 9 are never seen in training; the model recognises them from
their seven-segment descriptions. Run: ``python examples/quickstart.py``.
"""

import time

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl
from sklearn_crnet.metrics import gzsl_report

data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
start = time.perf_counter()
clf = CRNetClassifier(K=3, random_state=0)
clf.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
seconds = time.perf_counter() - start

report = gzsl_report(data.y_test, clf.predict(data.X_test),
                     seen_classes=clf.seen_classes_, unseen_classes=clf.unseen_classes_)
print(data.DESCR)
print(f"fit: {seconds:.1f} s on {clf.device_}")
print(f"As = {report['As']:.3f}  Au = {report['Au']:.3f}  H = {report['H']:.3f}")
