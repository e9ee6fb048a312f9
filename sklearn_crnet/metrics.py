"""GZSL metrics: per-class accuracy and the harmonic mean of seen and unseen accuracy."""

import numpy as np

__all__ = [
    "area_under_curve",
    "ausuc",
    "gzsl_report",
    "gzsl_scorer",
    "harmonic_mean",
    "harmonic_mean_score",
    "local_relative_distance",
    "mean_per_class_accuracy",
    "model_local_relative_distance",
    "per_class_accuracy",
    "seen_unseen_curve",
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
    """Mean accuracy over those of ``labels`` that occur in ``y_true``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like
        The classes to average over (e.g. the seen classes).

    Returns
    -------
    accuracy : float
        NaN when no class of ``labels`` occurs in ``y_true``.
    """
    accuracies = per_class_accuracy(y_true, y_pred, labels)
    present = ~np.isnan(accuracies)
    return float(accuracies[present].mean()) if present.any() else float("nan")


def harmonic_mean(seen_accuracy, unseen_accuracy):
    """The harmonic mean H = 2 As Au / (As + Au) of seen and unseen accuracy.

    Parameters
    ----------
    seen_accuracy : float
        As, mean per-class accuracy on seen classes.
    unseen_accuracy : float
        Au, mean per-class accuracy on unseen classes.

    Returns
    -------
    H : float
        0 when both accuracies are 0.
    """
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
        label: float(acc) for label, acc in zip(labels.tolist(), accuracies, strict=True) if not np.isnan(acc)
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


def _final_estimator(estimator):
    """The GZSL model inside a Pipeline or a fitted search, or the estimator itself."""
    while not hasattr(estimator, "seen_classes_"):
        if hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        else:
            raise TypeError(
                f"{type(estimator).__name__} has no seen_classes_/unseen_classes_: "
                "pass a fitted GZSL model (or a Pipeline ending in one)."
            )
    return estimator


def gzsl_scorer(estimator, X, y):
    """Scorer for ``scoring=`` in model selection: the GZSL harmonic mean H.

    Reads the seen and unseen classes of the fitted model (also inside a
    Pipeline). When ``y`` holds only seen (or only unseen) classes, as in the
    folds of an ordinary ``StratifiedKFold``, H is undefined and the mean
    per-class accuracy over the classes present is returned instead, the
    same rule as :meth:`CRNetClassifier.score`.

    Parameters
    ----------
    estimator : fitted estimator
        A GZSL model with ``seen_classes_`` and ``unseen_classes_``.
    X : array-like of shape (n_samples, n_features)
        Samples, one row each.
    y : array-like of shape (n_samples,)
        True labels of the samples.

    Returns
    -------
    score : float
    """
    model = _final_estimator(estimator)
    report = gzsl_report(np.asarray(y), estimator.predict(X),
                         seen_classes=model.seen_classes_, unseen_classes=model.unseen_classes_)
    if np.isnan(report["H"]):
        return report["Au"] if np.isnan(report["As"]) else report["As"]
    return report["H"]


def local_relative_distance(seen_anchors, unseen_anchors):
    """Local Relative Distance of each unseen anchor (paper Eq. 3-4).

    ``LRD(u) = e(u, c) / e(c, c')`` where ``c`` is the seen anchor nearest to
    ``u``, ``c'`` the seen anchor nearest to ``c``, and ``e`` the standardised
    Euclidean distance whose per-dimension variance is taken over all anchors,
    seen and unseen. Dimensions of zero variance are left out (they add 0).

    Parameters
    ----------
    seen_anchors : array-like of shape (n_seen, Q)
        Needs at least two seen anchors.
    unseen_anchors : array-like of shape (n_unseen, Q)
        Feature anchors of the unseen classes.

    Returns
    -------
    lrd : ndarray of shape (n_unseen,)
        Larger means unseen anchors stand further from the seen ones,
        relative to the local spacing of seen anchors (less bias).

    Examples
    --------
    >>> local_relative_distance([[0.0], [1.0], [3.0]], [[0.3], [2.5]])
    array([0.3 , 0.25])
    """
    seen = np.asarray(seen_anchors, dtype=np.float64)
    unseen = np.asarray(unseen_anchors, dtype=np.float64)
    if seen.ndim != 2 or unseen.ndim != 2 or seen.shape[1] != unseen.shape[1]:
        raise ValueError(
            "seen_anchors and unseen_anchors must be 2-D with the same number of columns; "
            f"got shapes {seen.shape} and {unseen.shape}."
        )
    if len(seen) < 2:
        raise ValueError(f"LRD needs at least two seen anchors; got {len(seen)}.")
    variance = np.vstack([seen, unseen]).var(axis=0)
    keep = variance > 0
    scale = np.sqrt(variance[keep])
    seen, unseen = seen[:, keep] / scale, unseen[:, keep] / scale

    def distances(a, b):
        return np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), 0))

    to_seen = distances(unseen, seen)
    nearest = to_seen.argmin(axis=1)
    between_seen = distances(seen, seen)
    np.fill_diagonal(between_seen, np.inf)
    local_spacing = between_seen.min(axis=1)[nearest]
    with np.errstate(divide="ignore", invalid="ignore"):
        return to_seen[np.arange(len(unseen)), nearest] / local_spacing


def model_local_relative_distance(estimator):
    """LRD of every unseen class anchor of a fitted model; ``.mean()`` gives Table 3's value.

    Parameters
    ----------
    estimator : fitted CRNetClassifier or other model with ``anchors_``
        A fitted GZSL model (CRNetClassifier, RelationNetClassifier or a Pipeline ending in one).

    Returns
    -------
    lrd : ndarray of shape (n_unseen_classes,)
        Aligned with ``estimator.unseen_classes_``.
    """
    model = _final_estimator(estimator)
    seen = model._seen_mask()
    if seen.all():
        raise ValueError("The model has no unseen classes, so there is no LRD to compute.")
    return local_relative_distance(model.anchors_[seen], model.anchors_[~seen])


def seen_unseen_curve(estimator, X, y, offsets=None):
    """Trace (As, Au) while sweeping the calibration offset (Chao et al., 2016).

    The offset is subtracted from the seen classes' decision scores (relation
    logits) on top of nothing else: the estimator's own ``calibration`` is
    ignored here. Large negative offsets give Au = 0, large positive ones
    As = 0.

    Parameters
    ----------
    estimator : fitted CRNetClassifier (or Pipeline ending in one)
        A fitted GZSL model (CRNetClassifier, RelationNetClassifier or a Pipeline ending in one).
    X : array-like of shape (n_samples, n_features)
        Samples of seen and unseen classes (a validation or test set).
    y : array-like of shape (n_samples,)
        True labels of the samples.
    offsets : array-like, default=None
        Offsets to evaluate. By default every point where some sample's
        prediction flips between its best seen and best unseen class, plus
        both extremes.

    Returns
    -------
    offsets : ndarray of shape (n_points,)
    seen_accuracy : ndarray of shape (n_points,)
    unseen_accuracy : ndarray of shape (n_points,)
    """
    model = _final_estimator(estimator)
    if estimator is not model:  # apply the pipeline's transformers
        X = estimator[:-1].transform(X) if hasattr(estimator, "steps") else X
    y = np.asarray(y)
    logits = model._relation_logits(model._check_X(X)).astype(np.float64)
    seen = model._seen_mask()
    if seen.all():
        raise ValueError("The model has no unseen classes; a seen-unseen curve needs some.")
    if offsets is None:
        gaps = logits[:, seen].max(axis=1) - logits[:, ~seen].max(axis=1)
        inner = np.unique(gaps)
        midpoints = (inner[:-1] + inner[1:]) / 2 if len(inner) > 1 else inner
        span = np.abs(inner).max() + 1.0
        offsets = np.concatenate([[-span], midpoints, [span]])
    offsets = np.asarray(offsets, dtype=np.float64)
    seen_acc, unseen_acc = np.empty(len(offsets)), np.empty(len(offsets))
    for i, offset in enumerate(offsets):
        shifted = logits - offset * seen
        predicted = model.classes_[shifted.argmax(axis=1)]
        seen_acc[i] = mean_per_class_accuracy(y, predicted, model.seen_classes_)
        unseen_acc[i] = mean_per_class_accuracy(y, predicted, model.unseen_classes_)
    return offsets, seen_acc, unseen_acc


def ausuc(estimator, X, y):
    """Area under the seen-unseen accuracy curve (AUSUC, Chao et al., 2016).

    Integrates As over Au along :func:`seen_unseen_curve` with the trapezoid
    rule; 1.0 for a perfect model, and independent of any single calibration.

    Parameters
    ----------
    estimator : fitted CRNetClassifier (or Pipeline ending in one)
        A fitted GZSL model (CRNetClassifier, RelationNetClassifier or a Pipeline ending in one).
    X : array-like of shape (n_samples, n_features)
        Samples, one row each.
    y : array-like of shape (n_samples,)
        True labels of the samples.

    Returns
    -------
    area : float
    """
    return area_under_curve(*seen_unseen_curve(estimator, X, y))


def area_under_curve(offsets, seen_accuracy, unseen_accuracy):
    """Trapezoid area of As over Au along a seen-unseen curve (see :func:`ausuc`).

    Parameters
    ----------
    offsets, seen_accuracy, unseen_accuracy : ndarray
        The three arrays :func:`seen_unseen_curve` returns.

    Returns
    -------
    area : float
    """
    # Raising the offset only moves predictions from seen to unseen classes, so
    # along increasing offsets Au never falls and As never rises.
    order = np.argsort(offsets)
    seen, unseen = np.asarray(seen_accuracy)[order], np.asarray(unseen_accuracy)[order]
    return float(np.sum(np.diff(unseen) * (seen[1:] + seen[:-1]) / 2))
