import numpy as np
import pytest

from sklearn_crnet.metrics import gzsl_report, harmonic_mean_score, per_class_accuracy


def test_per_class_accuracy_hand_computed():
    y_true = [0, 0, 0, 0, 1, 2, 2]
    y_pred = [0, 0, 0, 1, 1, 0, 2]
    np.testing.assert_allclose(per_class_accuracy(y_true, y_pred), [0.75, 1.0, 0.5])
    acc = per_class_accuracy(y_true, y_pred, labels=[2, 9])
    assert acc[0] == 0.5 and np.isnan(acc[1])


def test_harmonic_mean_uses_per_class_not_per_sample_averages():
    # Seen class 0 has 9 samples all right, seen class 1 one sample wrong:
    # per-sample seen accuracy would be 0.9, per-class As is 0.5.
    y_true = np.array([0] * 9 + [1] + [2, 2])
    y_pred = np.array([0] * 9 + [0] + [2, 0])
    report = gzsl_report(y_true, y_pred, seen_classes=[0, 1], unseen_classes=[2])
    assert report["As"] == pytest.approx(0.5)
    assert report["Au"] == pytest.approx(0.5)
    assert report["H"] == pytest.approx(0.5)
    assert harmonic_mean_score(y_true, y_pred, seen_classes=[0, 1], unseen_classes=[2]) == (
        pytest.approx(2 * 0.5 * 0.5 / 1.0)
    )


def test_harmonic_mean_asymmetric_values():
    y_true = [0, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 2, 0, 0, 0]
    # As = 1.0, Au = 0.25 -> H = 2*0.25/1.25 = 0.4
    assert harmonic_mean_score(y_true, y_pred, seen_classes=[0, 1], unseen_classes=[2]) == (
        pytest.approx(0.4)
    )


def test_harmonic_mean_undefined_without_unseen_samples():
    with pytest.raises(ValueError, match="no unseen class"):
        harmonic_mean_score([0, 1], [0, 1], seen_classes=[0, 1], unseen_classes=[2])
