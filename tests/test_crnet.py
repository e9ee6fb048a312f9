"""Real-data sanity check: the true seven-segment table beats shuffled tables on digits."""

import numpy as np
import pandas as pd

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.metrics import gzsl_report

MODEL_SEEDS = (0, 1, 2)
N_SHUFFLES = 6
# Chosen by GridSearchCV with class-disjoint GZSLSplit folds on the training
# digits only (examples/grid_search.py); never on the test digits.
VALIDATED_CALIBRATION = 2.0


def _reports(digits, table, seed):
    clf = CRNetClassifier(random_state=seed).fit(digits.X_train, digits.y_train,
                                                 class_attributes=table)
    reports = {}
    for calibration in (0.0, VALIDATED_CALIBRATION):
        clf.set_params(calibration=calibration)
        reports[calibration] = gzsl_report(digits.y_test, clf.predict(digits.X_test),
                                           seen_classes=clf.seen_classes_,
                                           unseen_classes=clf.unseen_classes_)
    return reports


def _mean(reports, calibration, key):
    return float(np.mean([r[calibration][key] for r in reports]))


def test_true_attributes_beat_shuffled_control(digits):
    table = digits.class_attributes
    true = [_reports(digits, table, seed) for seed in MODEL_SEEDS]
    controls = []
    for seed in range(N_SHUFFLES):
        perm = np.random.RandomState(seed).permutation(len(table))
        shuffled = pd.DataFrame(table.to_numpy()[perm], index=table.index, columns=table.columns)
        controls.append(_reports(digits, shuffled, 0))
    cal = VALIDATED_CALIBRATION
    # A model that ignores the attributes scores alike with either table (its
    # unseen predictions are at chance among unseen digits), so it fails these.
    # Measured: calibrated H 0.48 (true) vs 0.34 (control), Au 0.42 vs 0.24;
    # uncalibrated H 0.21 vs 0.13.
    assert _mean(true, cal, "H") > _mean(controls, cal, "H") + 0.08
    assert _mean(true, cal, "Au") > _mean(controls, cal, "Au") + 0.1
    assert _mean(true, 0.0, "H") > _mean(controls, 0.0, "H") + 0.03
    assert _mean(true, 0.0, "As") > 0.85
