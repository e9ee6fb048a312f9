"""Class-disjoint validation splits for honest GZSL model selection."""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import Bunch, check_random_state

__all__ = ["GZSLSplit", "PredefinedClassSplit", "tune_calibration"]

#: How many offsets ``tune_calibration`` tries across the folds' range by default.
_N_OFFSETS = 101


def _gzsl_fold(y, held_out_classes, test_size, rng):
    """Train and validation indices: held-out classes whole, plus a share of the others."""
    held_out = np.isin(y, held_out_classes)
    validation = held_out.copy()
    for label in np.unique(y[~held_out]):
        members = np.flatnonzero(y == label)
        n_val = int(np.floor(test_size * len(members)))
        if n_val and n_val < len(members):
            validation[rng.choice(members, size=n_val, replace=False)] = True
    return np.flatnonzero(~validation), np.flatnonzero(validation)


def _check_fraction(value, name):
    if not 0 < value < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {value}.")


class GZSLSplit(BaseCrossValidator):
    """Cross-validation over seen-class data that simulates unseen classes.

    Each fold holds out whole classes (validation-unseen: absent from the
    fold's training part) and a share of the samples of every other class
    (validation-seen). A model fitted on a fold's training part with the full
    class-attribute table treats the held-out classes as unseen, so its score
    on the validation part is a GZSL harmonic mean H, with no test data
    involved. That score searches the fold's classes only (the seen classes
    and the unseen classes present in the validation part), so the table's
    real unseen classes, which a fold never holds, are not candidates there.
    Successive folds hold out different classes.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds.
    unseen_fraction : float, default=1/3
        Share of the classes held out as validation-unseen in each fold (at
        least one class; at least two classes always stay for training). The
        default is the share of the xlsa17 validation splits (13 of AwA's 40
        training classes, 50 of CUB's 150), and holds out two of seven seen
        digits: a fold's unseen accuracy then rests on more than one class.
    test_size : float, default=0.2
        Share of each remaining class's samples used as validation-seen.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of classes and samples.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_crnet.model_selection import GZSLSplit
    >>> y = np.repeat(np.arange(5), 10)
    >>> train, val = next(GZSLSplit(n_splits=2, random_state=0).split(np.zeros((50, 1)), y))
    >>> sorted(set(y[val].tolist()) - set(y[train].tolist()))  # the validation-unseen classes
    [0, 2]
    """

    def __init__(self, n_splits=5, unseen_fraction=1 / 3, test_size=0.2, random_state=None):
        self.n_splits = n_splits
        self.unseen_fraction = unseen_fraction
        self.test_size = test_size
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds.

        Parameters
        ----------
        X, y, groups : ignored
            Present for API compatibility.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits

    def split(self, X, y, groups=None):
        """Generate (train, validation) indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.
        y : array-like of shape (n_samples,)
            Labels of seen-class training data.
        groups : ignored
            Ignored; present for API compatibility.

        Yields
        ------
        train : ndarray
            Indices of the fold's training part.
        validation : ndarray
            Indices of its validation part: every sample of the held-out
            classes plus a share of the other classes' samples.
        """
        if not isinstance(self.n_splits, (int, np.integer)) or self.n_splits < 1:
            raise ValueError(f"n_splits must be a positive integer; got {self.n_splits!r}.")
        _check_fraction(self.unseen_fraction, "unseen_fraction")
        _check_fraction(self.test_size, "test_size")
        y = np.asarray(y)
        if X is not None and len(X) != len(y):
            raise ValueError(f"X has {len(X)} samples but y has {len(y)}.")
        classes = np.unique(y)
        n_held_out = max(1, int(round(self.unseen_fraction * len(classes))))
        if len(classes) - n_held_out < 2:
            raise ValueError(
                f"GZSLSplit needs at least {n_held_out + 2} classes to hold out {n_held_out} "
                f"and keep two for training; y has {len(classes)}."
            )
        rng = check_random_state(self.random_state)
        order = rng.permutation(classes)
        for fold in range(self.n_splits):
            start = fold * n_held_out
            held_out = order[np.arange(start, start + n_held_out) % len(classes)]
            yield _gzsl_fold(y, held_out, self.test_size, rng)


class PredefinedClassSplit(BaseCrossValidator):
    """One GZSL validation fold with given validation classes (e.g. xlsa17's ``val_loc`` classes).

    Parameters
    ----------
    val_classes : array-like
        Classes held out whole as validation-unseen.
    test_size : float, default=0.2
        Share of every other class's samples used as validation-seen.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of validation-seen samples.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.repeat(np.arange(4), 5)
    >>> train, val = next(PredefinedClassSplit([3]).split(np.zeros((20, 1)), y))
    >>> 3 in set(y[train])
    False
    """

    def __init__(self, val_classes, test_size=0.2, random_state=None):
        self.val_classes = val_classes
        self.test_size = test_size
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds: always 1.

        Parameters
        ----------
        X, y, groups : ignored
            Present for API compatibility.

        Returns
        -------
        n_splits : int
        """
        return 1

    def split(self, X, y, groups=None):
        """Yield the single (train, validation) pair of indices.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.
        y : array-like of shape (n_samples,)
            True labels of the samples.
        groups : ignored
            Ignored; present for API compatibility.

        Yields
        ------
        train, validation : ndarray
        """
        _check_fraction(self.test_size, "test_size")
        y = np.asarray(y)
        val_classes = np.asarray(self.val_classes)
        missing = np.setdiff1d(val_classes, y)
        if missing.size:
            raise ValueError(f"val_classes {missing.tolist()} have no samples in y.")
        if len(np.setdiff1d(np.unique(y), val_classes)) < 2:
            raise ValueError("At least two classes must remain for training besides val_classes.")
        yield _gzsl_fold(y, val_classes, self.test_size, check_random_state(self.random_state))


def tune_calibration(estimator, X, y, *, class_attributes=None, cv=None, offsets=None, sample_weight=None):
    """Choose the calibration offset on class-disjoint validation folds of the training data.

    Calibration acts only at prediction time, so one fit per fold suffices:
    each fold's model scores its validation part for every offset (a sweep of
    the seen-unseen curve) and the offset with the best mean validation H
    wins. Much cheaper than a grid search that refits for every offset, and
    it never sees test data.

    Parameters
    ----------
    estimator : CRNetClassifier or RelationNetClassifier
        Unfitted template; cloned for every fold (its own calibration is ignored).
    X : array-like of shape (n_samples, n_features)
        Training data of the seen classes.
    y : array-like of shape (n_samples,)
        True labels of the samples.
    class_attributes : table, default=None
        The class-attribute table, passed to every fit.
    cv : splitter, default=None
        Class-disjoint splitter; ``GZSLSplit(n_splits=3, random_state=0)`` when None.
    offsets : array-like, default=None
        Offsets to try. None: 0 and 101 evenly spaced offsets from
        the lowest to the highest offset at which some fold's validation
        prediction changes, so the range follows the models' own score
        scale (and may be negative, for a model that favours unseen classes).
    sample_weight : array-like of shape (n_samples,), default=None
        Passed, fold by fold, to every fit.

    Returns
    -------
    best_offset : float
    results : Bunch
        ``offsets``, ``mean_validation_H`` and ``fold_validation_H``
        (n_folds x n_offsets).
    """
    from .metrics import harmonic_mean, seen_unseen_curve_from_scores, seen_unseen_scores

    X, y = np.asarray(X), np.asarray(y)
    weights = None if sample_weight is None else np.asarray(sample_weight)
    cv = GZSLSplit(n_splits=3, random_state=0) if cv is None else cv
    if offsets is not None:
        offsets = np.asarray(offsets, dtype=float)
        if offsets.ndim != 1 or offsets.size == 0 or not np.isfinite(offsets).all():
            raise ValueError(f"offsets must be a non-empty 1-D list of finite numbers; got {offsets!r}.")
    fold_scores = []  # the validation scores, not the models: one model in memory at a time
    for train, val in cv.split(X, y):
        model = clone(estimator).set_params(calibration=0.0)
        model.fit(X[train], y[train], class_attributes=class_attributes,
                  sample_weight=None if weights is None else weights[train])
        fold_scores.append(seen_unseen_scores(model, X[val], y[val]))
    if offsets is None:
        offsets = _offsets_spanning([seen_unseen_curve_from_scores(**scores)[0] for scores in fold_scores])
    offsets = np.asarray(offsets, dtype=float)
    per_fold = []
    for scores in fold_scores:
        _, seen, unseen = seen_unseen_curve_from_scores(**scores, offsets=offsets)
        per_fold.append([float("nan") if np.isnan(s) or np.isnan(u) else harmonic_mean(s, u)
                         for s, u in zip(seen, unseen, strict=True)])
    per_fold = np.array(per_fold)
    defined = ~np.isnan(per_fold).any(axis=1)
    result = Bunch(offsets=offsets, mean_validation_H=np.full(len(offsets), np.nan),
                   fold_validation_H=per_fold)
    if not defined.any():
        warnings.warn(
            "tune_calibration: validation H is undefined on every fold (a validation part without "
            "samples of both the training classes and its held-out classes); returning offset 0 "
            "(no calibration). Use a class-disjoint splitter such as GZSLSplit.",
            UserWarning, stacklevel=2)
        return 0.0, result
    if not defined.all():
        warnings.warn(
            f"tune_calibration: validation H is undefined on folds {np.flatnonzero(~defined).tolist()} "
            "(no samples of the training classes or of the held-out classes in the validation "
            "part); the offset is tuned on the other folds.", UserWarning, stacklevel=2)
    result.mean_validation_H = per_fold[defined].mean(axis=0)
    return float(offsets[int(np.argmax(result.mean_validation_H))]), result


def _offsets_spanning(fold_curves, n_points=_N_OFFSETS):
    """Evenly spaced offsets from the lowest to the highest point where a fold's prediction flips.

    ``fold_curves`` are the folds' default seen-unseen offsets, whose first and
    last entries lie beyond every flip; 0 (no calibration) is always included.
    """
    inner = np.concatenate([curve[1:-1] for curve in fold_curves])
    if inner.size == 0:
        return np.array([0.0])
    return np.union1d(np.linspace(inner.min(), inner.max(), n_points), [0.0])
