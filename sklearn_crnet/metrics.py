"""GZSL metrics: per-class accuracy and the harmonic mean of seen and unseen accuracy."""

from numbers import Real

import numpy as np

from ._attributes import describe_labels

__all__ = [
    "area_under_curve",
    "ausuc",
    "ausuc_score",
    "final_estimator",
    "gzsl_report",
    "gzsl_scorer",
    "harmonic_mean",
    "harmonic_mean_score",
    "local_relative_distance",
    "mean_per_class_accuracy",
    "model_local_relative_distance",
    "per_class_accuracy",
    "seen_unseen_curve",
    "seen_unseen_curve_from_scores",
    "seen_unseen_scores",
    "uncalibrated_scores",
    "zsl_scorer",
]


def per_class_accuracy(y_true, y_pred, labels=None, sample_weight=None):
    """Accuracy of each class: the share of its samples predicted as that class.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like, default=None
        Classes to report, in this order. Defaults to the sorted classes of
        ``y_true``. A class absent from ``y_true`` gets NaN.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples within their class (a weighted share).

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
    weights = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, float)
    if weights.shape != y_true.shape:
        raise ValueError(f"sample_weight has shape {weights.shape}; expected {y_true.shape}.")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("sample_weight must hold finite, non-negative weights; it holds "
                         f"{describe_labels(np.unique(weights[~(np.isfinite(weights) & (weights >= 0))]))}.")
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    accuracies = np.full(len(labels), np.nan)
    for i, label in enumerate(labels):
        mask = y_true == label
        total = weights[mask].sum()
        if mask.any() and total > 0:
            accuracies[i] = weights[mask] @ (y_pred[mask] == label) / total
    return accuracies


def mean_per_class_accuracy(y_true, y_pred, labels, sample_weight=None):
    """Mean accuracy over those of ``labels`` that occur in ``y_true``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like
        The classes to average over (e.g. the seen classes).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples within their class.

    Returns
    -------
    accuracy : float
        NaN when no class of ``labels`` occurs in ``y_true``.
    """
    accuracies = per_class_accuracy(y_true, y_pred, labels, sample_weight)
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
    for name, value in (("seen_accuracy", seen_accuracy), ("unseen_accuracy", unseen_accuracy)):
        # The tolerance admits sums of per-class shares that round past 1.
        if isinstance(value, bool) or not isinstance(value, Real) or not -1e-9 <= value <= 1 + 1e-9:
            raise ValueError(f"{name} must be an accuracy in [0, 1]; got {value!r}.")
    seen_accuracy, unseen_accuracy = min(max(seen_accuracy, 0.0), 1.0), min(max(unseen_accuracy, 0.0), 1.0)
    total = seen_accuracy + unseen_accuracy
    return 0.0 if total == 0 else float(2 * seen_accuracy * unseen_accuracy / total)


def gzsl_report(y_true, y_pred, *, seen_classes, unseen_classes, sample_weight=None):
    """As, Au and H of a GZSL prediction, with every class's accuracy.

    As (Au) is the mean per-class accuracy over the seen (unseen) classes
    that occur in ``y_true``; predictions range over all classes.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    seen_classes, unseen_classes : array-like
        The model's seen and unseen classes.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples within their class's accuracy.

    Returns
    -------
    report : dict
        ``{"As", "Au", "H", "per_class": {label: accuracy}}``; As or Au is NaN
        when ``y_true`` holds no class of that kind, and H then is NaN too.
    """
    seen_classes = np.asarray(seen_classes)
    unseen_classes = np.asarray(unseen_classes)
    for name, labels in (("y_true", np.asarray(y_true)), ("y_pred", np.asarray(y_pred)),
                         ("seen_classes", seen_classes), ("unseen_classes", unseen_classes)):
        if labels.dtype.kind == "f" and np.isnan(labels).any():
            raise ValueError(f"{name} holds NaN labels.")
    both = np.intersect1d(seen_classes, unseen_classes)
    if both.size:
        raise ValueError(f"Classes {describe_labels(both)} are listed as both seen and unseen.")
    seen = mean_per_class_accuracy(y_true, y_pred, seen_classes, sample_weight)
    unseen = mean_per_class_accuracy(y_true, y_pred, unseen_classes, sample_weight)
    h = float("nan") if np.isnan(seen) or np.isnan(unseen) else harmonic_mean(seen, unseen)
    labels = np.concatenate([seen_classes, unseen_classes])
    accuracies = per_class_accuracy(y_true, y_pred, labels, sample_weight)
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


def final_estimator(estimator):
    """The GZSL model inside a Pipeline or a fitted search, or the estimator itself.

    Parameters
    ----------
    estimator : fitted estimator
        A GZSL model (``seen_classes_``), a ``Pipeline`` ending in one, or a
        fitted search (``best_estimator_``) over either.

    Returns
    -------
    model : fitted GZSL model
    """
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


def _model_and_labels(estimator, y):
    """The GZSL model inside ``estimator`` and ``y`` as an array, every label one of its classes."""
    model = final_estimator(estimator)
    y = np.asarray(y)
    _check_known_labels(model, y)
    return model, y


def _check_known_labels(model, y):
    known = np.isin(y, model.classes_)
    if not known.all():
        unknown = np.unique(y[~known]) if y.dtype.kind != "O" else list(dict.fromkeys(y[~known]))
        raise ValueError(
            f"y holds labels {describe_labels(unknown)} that are not classes of the model "
            f"({describe_labels(model.classes_)}); add their rows with set_class_attributes to "
            "score them."
        )


def _searched_mask(model, y):
    """Which of ``model.classes_`` a metric searches for labels ``y``.

    Every seen class, and the unseen classes present in ``y``; all unseen
    classes when ``y`` holds none. The class-disjoint folds of a search thus
    pose the problem of their own classes: the table's other unseen classes
    (the test's) are not candidates there, as in xlsa17's validation split.
    """
    seen = np.isin(model.classes_, model.seen_classes_)
    present = np.isin(model.classes_, y)
    if not (present & ~seen).any():
        return np.ones(len(model.classes_), dtype=bool)
    return seen | present


def _predict_among(estimator, model, X, searched):
    """``estimator``'s predictions for ``X`` with the search limited to ``model.classes_[searched]``."""
    if searched.all():
        return estimator.predict(X)
    if estimator is model:
        return model.predict(X, classes=model.classes_[searched])
    # Pipeline or search. A restricted search needs an unseen class and two seen ones (fit's
    # minimum), so decision_function has a column per class (never the two-class single column).
    scores = np.asarray(estimator.decision_function(X), dtype=np.float64)
    columns = np.flatnonzero(searched)
    return model.classes_[columns[scores[:, columns].argmax(axis=1)]]


def gzsl_scorer(estimator, X, y, sample_weight=None):
    """Scorer for ``scoring=`` in model selection: the GZSL harmonic mean H.

    Reads the seen and unseen classes of the fitted model (also inside a
    Pipeline or a search). The model searches every seen class and the
    unseen classes present in ``y`` (all unseen classes when ``y`` holds
    none): on a test set that holds every unseen class, as in the standard
    protocol, this is H of ``estimator.predict(X)``; on a fold of
    :class:`~sklearn_crnet.model_selection.GZSLSplit`, the table's real unseen
    classes, which never occur in the fold, are not candidates, so the fold
    poses the GZSL problem of its own classes (xlsa17's validation protocol).
    When ``y`` holds only seen (or only unseen) classes, as in the folds of an
    ordinary ``StratifiedKFold``, H is undefined and the mean per-class
    accuracy over the classes present is returned instead, the same rule as
    :meth:`sklearn_crnet.CRNetClassifier.score`.

    Parameters
    ----------
    estimator : fitted estimator
        A GZSL model with ``seen_classes_`` and ``unseen_classes_``.
    X : array-like of shape (n_samples, n_features)
        Samples, one row each.
    y : array-like of shape (n_samples,)
        True labels of the samples; every one must be a class of the model.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples within their class's accuracy.

    Returns
    -------
    score : float
    """
    model, y = _model_and_labels(estimator, y)
    predicted = _predict_among(estimator, model, X, _searched_mask(model, y))
    report = gzsl_report(y, predicted, seen_classes=model.seen_classes_,
                         unseen_classes=model.unseen_classes_, sample_weight=sample_weight)
    if np.isnan(report["H"]):
        return report["Au"] if np.isnan(report["As"]) else report["As"]
    return report["H"]


def zsl_scorer(estimator, X, y):
    """Conventional zero-shot accuracy: search only the unseen classes, score unseen samples.

    The mean per-class accuracy over the unseen classes when predictions
    range over the unseen classes alone (the "T1" figure of the xlsa17
    benchmark), next to :func:`gzsl_scorer`'s GZSL figure. As there, only the
    unseen classes present in ``y`` are searched.

    Parameters
    ----------
    estimator : fitted estimator
        A GZSL model (or a Pipeline or search ending in one) with unseen classes.
    X : array-like of shape (n_samples, n_features)
        Samples of unseen classes.
    y : array-like of shape (n_samples,)
        Their labels; all must be unseen classes of the model.

    Returns
    -------
    accuracy : float
    """
    model, y = _model_and_labels(estimator, y)
    seen = np.isin(y, model.seen_classes_)
    if seen.any():
        raise ValueError(
            f"Conventional zero-shot accuracy is measured on unseen-class samples only; y holds "
            f"seen classes {describe_labels(np.unique(y[seen]))}. Use gzsl_scorer for mixed data."
        )
    searched = _searched_mask(model, y) & ~np.isin(model.classes_, model.seen_classes_)
    predicted = _predict_among(estimator, model, X, searched)
    return mean_per_class_accuracy(y, predicted, model.unseen_classes_)


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
    if not (np.isfinite(seen).all() and np.isfinite(unseen).all()):
        raise ValueError("seen_anchors and unseen_anchors must be finite; they hold NaN or infinite values.")
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
    model = final_estimator(estimator)
    seen = np.isin(model.classes_, model.seen_classes_)
    if seen.all():
        raise ValueError("The model has no unseen classes, so there is no LRD to compute.")
    return local_relative_distance(model.anchors_[seen], model.anchors_[~seen])


def uncalibrated_scores(estimator, X):
    """Relation logits of every class before calibration, columns aligned with ``classes_``.

    ``estimator.decision_function(X)`` (through any Pipeline transforms)
    plus the model's ``calibration_offsets_``.

    Parameters
    ----------
    estimator : fitted estimator
        A GZSL model with more than two classes, or a Pipeline or search ending in one.
    X : array-like of shape (n_samples, n_features)
        Samples, one row each.

    Returns
    -------
    scores : ndarray of shape (n_samples, n_classes)
    """
    model = final_estimator(estimator)
    if len(model.classes_) < 3:
        raise ValueError("A seen-unseen analysis needs at least two seen and one unseen class.")
    return np.asarray(estimator.decision_function(X), dtype=np.float64) + model.calibration_offsets_


def seen_unseen_curve(estimator, X, y, offsets=None):
    """Trace (As, Au) while sweeping the calibration offset (Chao et al., 2016).

    The offset is subtracted from the seen classes' relation logits; the
    estimator's own ``calibration`` is ignored here. Large negative offsets
    give Au = 0, large positive ones As = 0. Pipelines and searches are
    applied whole (their transforms included). The classes searched are
    those of :func:`gzsl_scorer`: every seen class and the unseen classes
    present in ``y`` (all unseen classes when ``y`` holds none).

    Parameters
    ----------
    estimator : fitted estimator
        A fitted GZSL model (CRNetClassifier, RelationNetClassifier, or a
        Pipeline or search ending in one).
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
    return seen_unseen_curve_from_scores(**seen_unseen_scores(estimator, X, y), offsets=offsets)


def seen_unseen_scores(estimator, X, y):
    """What :func:`seen_unseen_curve` sweeps: the uncalibrated scores of the classes it searches.

    Keeping these instead of the model lets a caller trace the curve at any
    offsets later, with :func:`seen_unseen_curve_from_scores`, without
    predicting again.

    Parameters
    ----------
    estimator : fitted estimator
        A fitted GZSL model (CRNetClassifier, RelationNetClassifier, or a
        Pipeline or search ending in one).
    X : array-like of shape (n_samples, n_features)
        Samples of seen and unseen classes.
    y : array-like of shape (n_samples,)
        True labels of the samples.

    Returns
    -------
    scores : Bunch
        The keyword arguments of :func:`seen_unseen_curve_from_scores`:
        ``y_true``, ``y_score`` (n_samples x searched classes), ``classes``
        and ``seen_classes``.
    """
    from sklearn.utils import Bunch

    model, y = _model_and_labels(estimator, y)
    searched = _searched_mask(model, y)
    return Bunch(y_true=y, y_score=uncalibrated_scores(estimator, X)[:, searched],
                 classes=model.classes_[searched], seen_classes=model.seen_classes_)


def seen_unseen_curve_from_scores(y_true, y_score, *, classes, seen_classes, offsets=None):
    """The seen-unseen curve of given class scores, in O(n log n).

    Subtracting an offset ``o`` from the seen classes' scores turns a sample's
    prediction from its best seen class to its best unseen class exactly when
    ``o`` passes the gap between the two scores (ties go to the class listed
    first, as ``argmax`` does). Sorting the gaps once gives As and Au at every
    offset from cumulative sums.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Scores (uncalibrated logits) of every class, columns in ``classes`` order.
    classes : array-like of shape (n_classes,)
        The class of each column.
    seen_classes : array-like
        The seen classes; the others are unseen.
    offsets : array-like, default=None
        Offsets to evaluate; by default the midpoints between consecutive
        distinct gaps plus one offset beyond each end.

    Returns
    -------
    offsets : ndarray of shape (n_points,)
    seen_accuracy : ndarray of shape (n_points,)
        Mean per-class accuracy over the seen classes present in ``y_true``
        (NaN if none).
    unseen_accuracy : ndarray of shape (n_points,)
        The same over the unseen classes.

    Examples
    --------
    >>> scores = [[2.0, 0.0, 1.0], [0.0, 1.0, 3.0]]
    >>> off, seen, unseen = seen_unseen_curve_from_scores(
    ...     [0, 2], scores, classes=[0, 1, 2], seen_classes=[0, 1])
    >>> off.tolist(), seen.tolist(), unseen.tolist()
    ([-3.0, -0.5, 3.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0])
    """
    scores = np.asarray(y_score, dtype=np.float64)
    classes = np.asarray(classes)
    y_true = np.asarray(y_true)
    if scores.ndim != 2 or scores.shape != (len(y_true), len(classes)):
        raise ValueError(f"y_score must have shape (n_samples, n_classes) = "
                         f"({len(y_true)}, {len(classes)}); got {scores.shape}.")
    if not np.all(np.isfinite(scores)):
        bad = np.unique(np.nonzero(~np.isfinite(scores))[0])
        raise ValueError(f"y_score holds NaN or infinite scores, in rows {describe_labels(bad)}.")
    seen = np.isin(classes, seen_classes)
    if seen.all() or not seen.any():
        raise ValueError("A seen-unseen curve needs both seen and unseen classes.")
    rows = np.arange(len(scores))
    seen_columns, unseen_columns = np.flatnonzero(seen), np.flatnonzero(~seen)
    best_seen = seen_columns[scores[:, seen].argmax(axis=1)]
    best_unseen = unseen_columns[scores[:, ~seen].argmax(axis=1)]
    gaps = scores[rows, best_seen] - scores[rows, best_unseen]

    index = {label: i for i, label in enumerate(classes.tolist())}
    truth = np.array([index.get(label, -1) for label in y_true.tolist()], dtype=np.int64)
    weight_seen, weight_unseen = _class_weights(truth, seen), _class_weights(truth, ~seen)
    gain_seen = np.where(best_seen == truth, weight_seen, 0.0)      # counts when predicted seen
    gain_unseen = np.where(best_unseen == truth, weight_unseen, 0.0)  # counts when predicted unseen

    if offsets is None:
        distinct = np.unique(gaps)
        span = np.abs(distinct).max() + 1.0
        inner = (distinct[:-1] + distinct[1:]) / 2 if len(distinct) > 1 else distinct
        offsets = np.concatenate([[-span], inner, [span]])
    offsets = np.asarray(offsets, dtype=np.float64)
    if offsets.ndim != 1 or not np.all(np.isfinite(offsets)):
        raise ValueError(f"offsets must be 1-D and finite; got shape {offsets.shape}"
                         f"{'' if offsets.ndim != 1 else ' with non-finite values'}.")

    order = np.argsort(gaps, kind="stable")
    sorted_gaps = gaps[order]
    cum_seen = np.concatenate([[0.0], np.cumsum(gain_seen[order])])
    cum_unseen = np.concatenate([[0.0], np.cumsum(gain_unseen[order])])
    # Gaps well below an offset predict unseen, well above it seen. Within a few
    # rounding errors of it, the decision is taken exactly as argmax takes it.
    tolerance = 1e-9 * max(1.0, float(np.abs(scores).max()), float(np.abs(offsets).max(initial=0)))
    below = np.searchsorted(sorted_gaps, offsets - tolerance, side="left")
    above = np.searchsorted(sorted_gaps, offsets + tolerance, side="right")
    seen_accuracy = cum_seen[-1] - cum_seen[above]
    unseen_accuracy = cum_unseen[below].copy()
    best_seen_score, best_unseen_score = scores[rows, best_seen][order], scores[rows, best_unseen][order]
    for i in np.flatnonzero(above > below):  # rare: offsets at a gap
        window = slice(below[i], above[i])
        shifted = best_seen_score[window] - offsets[i]
        unseen_score = best_unseen_score[window]
        first = best_seen[order][window] < best_unseen[order][window]
        predicted_seen = (shifted > unseen_score) | ((shifted == unseen_score) & first)
        seen_accuracy[i] += gain_seen[order][window] @ predicted_seen
        unseen_accuracy[i] += gain_unseen[order][window] @ ~predicted_seen
    if not np.any(weight_seen):
        seen_accuracy = np.full(len(offsets), np.nan)
    if not np.any(weight_unseen):
        unseen_accuracy = np.full(len(offsets), np.nan)
    return offsets, seen_accuracy, unseen_accuracy


def _class_weights(truth, kind_mask):
    """Per-sample weights 1 / (n_class * n_classes_present) over the classes of ``kind_mask``."""
    weights = np.zeros(len(truth))
    members = (truth >= 0) & kind_mask[np.maximum(truth, 0)]
    if members.any():
        labels, inverse, counts = np.unique(truth[members], return_inverse=True, return_counts=True)
        weights[members] = 1.0 / (counts[inverse] * len(labels))
    return weights


def ausuc(estimator, X, y):
    """Area under the seen-unseen accuracy curve (AUSUC, Chao et al., 2016).

    Integrates As over Au along :func:`seen_unseen_curve` with the trapezoid
    rule; 1.0 for a perfect model, and independent of any single calibration.

    Parameters
    ----------
    estimator : fitted estimator
        A fitted GZSL model (CRNetClassifier, RelationNetClassifier, or a
        Pipeline or search ending in one).
    X : array-like of shape (n_samples, n_features)
        Samples, one row each.
    y : array-like of shape (n_samples,)
        True labels of the samples.

    Returns
    -------
    area : float
    """
    return area_under_curve(*seen_unseen_curve(estimator, X, y))


def ausuc_score(y_true, y_score, *, classes, seen_classes):
    """AUSUC of given class scores (see :func:`ausuc` and :func:`seen_unseen_curve_from_scores`).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Uncalibrated scores of every class, columns in ``classes`` order.
    classes : array-like of shape (n_classes,)
        The class of each column.
    seen_classes : array-like
        The seen classes.

    Returns
    -------
    area : float
    """
    return area_under_curve(*seen_unseen_curve_from_scores(
        y_true, y_score, classes=classes, seen_classes=seen_classes))


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
    offsets = np.asarray(offsets, dtype=float)
    seen, unseen = np.asarray(seen_accuracy, dtype=float), np.asarray(unseen_accuracy, dtype=float)
    for name, values in (("offsets", offsets), ("seen_accuracy", seen), ("unseen_accuracy", unseen)):
        if values.shape != offsets.shape or values.ndim != 1 or not np.all(np.isfinite(values)):
            raise ValueError(
                f"{name} must be finite and 1-D like offsets; an accuracy is NaN when y holds no "
                "class of its kind, and then the curve has no area.")
    if len(offsets) < 2 or np.any((seen < 0) | (seen > 1) | (unseen < 0) | (unseen > 1)):
        raise ValueError("A seen-unseen curve needs at least two points with accuracies in [0, 1].")
    # Raising the offset only moves predictions from seen to unseen classes, so
    # along increasing offsets Au never falls and As never rises.
    order = np.argsort(offsets)
    seen, unseen = seen[order], unseen[order]
    return float(np.sum(np.diff(unseen) * (seen[1:] + seen[:-1]) / 2))
