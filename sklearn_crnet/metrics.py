"""GZSL metrics: per-class accuracy and the harmonic mean of seen and unseen accuracy."""

import numpy as np

__all__ = [
    "per_class_accuracy",
    "mean_per_class_accuracy",
    "harmonic_mean",
    "harmonic_mean_score",
    "gzsl_report",
]


def per_class_accuracy(y_true, y_pred, labels=None):
    """Accuracy of each class: the share of its samples predicted as that class.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like, default=None
        Classes to report, in this order. Defaults to the sorted classes of
        ``y_true``. A class absent from ``y_true`` gets NaN.

    Returns
    -------
    accuracies : ndarray of shape (n_labels,)

    Examples
    --------
    >>> per_class_accuracy([0, 0, 0, 1], [0, 0, 1, 1])
    array([0.66666667, 1.        ])
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D of the same length; got shapes "
            f"{y_true.shape} and {y_pred.shape}."
        )
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    accuracies = np.full(len(labels), np.nan)
    for i, label in enumerate(labels):
        mask = y_true == label
        if mask.any():
            accuracies[i] = np.mean(y_pred[mask] == label)
    return accuracies


def mean_per_class_accuracy(y_true, y_pred, labels):
    """Mean accuracy over those of ``labels`` that occur in ``y_true`` (NaN if none)."""
    accuracies = per_class_accuracy(y_true, y_pred, labels)
    present = ~np.isnan(accuracies)
    return float(accuracies[present].mean()) if present.any() else float("nan")


def harmonic_mean(seen_accuracy, unseen_accuracy):
    """H = 2 As Au / (As + Au), and 0 when both are 0."""
    total = seen_accuracy + unseen_accuracy
    return 0.0 if total == 0 else float(2 * seen_accuracy * unseen_accuracy / total)


def gzsl_report(y_true, y_pred, *, seen_classes, unseen_classes):
    """As, Au and H of a GZSL prediction, with every class's accuracy.

    As (Au) is the mean per-class accuracy over the seen (unseen) classes
    that occur in ``y_true``; predictions range over all classes.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    seen_classes, unseen_classes : array-like
        The model's seen and unseen classes.

    Returns
    -------
    report : dict
        ``{"As", "Au", "H", "per_class": {label: accuracy}}``; As or Au is NaN
        when ``y_true`` holds no class of that kind, and H then is NaN too.
    """
    seen_classes = np.asarray(seen_classes)
    unseen_classes = np.asarray(unseen_classes)
    seen = mean_per_class_accuracy(y_true, y_pred, seen_classes)
    unseen = mean_per_class_accuracy(y_true, y_pred, unseen_classes)
    h = float("nan") if np.isnan(seen) or np.isnan(unseen) else harmonic_mean(seen, unseen)
    labels = np.concatenate([seen_classes, unseen_classes])
    accuracies = per_class_accuracy(y_true, y_pred, labels)
    per_class = {
        label: float(acc) for label, acc in zip(labels.tolist(), accuracies) if not np.isnan(acc)
    }
    return {"As": seen, "Au": unseen, "H": h, "per_class": per_class}


def harmonic_mean_score(y_true, y_pred, *, seen_classes, unseen_classes):
    """GZSL harmonic mean H of the mean per-class accuracies on seen and unseen classes.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    seen_classes, unseen_classes : array-like
        The model's seen and unseen classes.

    Returns
    -------
    H : float

    Raises
    ------
    ValueError
        If ``y_true`` holds no seen or no unseen class, so H is undefined.

    Examples
    --------
    >>> harmonic_mean_score([0, 0, 1, 2], [0, 1, 1, 2], seen_classes=[0, 1],
    ...                     unseen_classes=[2])
    0.8571428571428571
    """
    report = gzsl_report(y_true, y_pred, seen_classes=seen_classes, unseen_classes=unseen_classes)
    if np.isnan(report["H"]):
        kind = "seen" if np.isnan(report["As"]) else "unseen"
        raise ValueError(
            f"y_true contains no {kind} class, so the harmonic mean is undefined."
        )
    return report["H"]
