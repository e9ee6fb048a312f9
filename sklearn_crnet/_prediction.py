"""Prediction of a fitted relation classifier: logits, probabilities, classes and H."""

import math
from numbers import Real

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ._attributes import describe_labels, label_kind
from ._docstrings import Substitution
from ._published_state import reads_one_state
from ._torch_utils import torch_threads

__all__ = ["RelationPredictorMixin", "max_pairs"]

_fill_samples = Substitution(samples="""Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.""")

_BYTES_PER_PAIR_UNIT = 8  # float32 hidden grid and its ReLU, per hidden unit


def max_pairs(memory_mb, hidden_units):
    """The (sample, class) pairs whose hidden grid of ``hidden_units`` fits in ``memory_mb``."""
    return memory_mb * 2**20 / (_BYTES_PER_PAIR_UNIT * hidden_units)


class RelationPredictorMixin:
    """Prediction methods of a fitted relation classifier.

    Reads the fitted ``net_`` (a skorch net whose module has ``chunked_logits``),
    ``classes_``, ``seen_classes_``, ``unseen_classes_``, ``calibration_`` and
    ``n_threads_``, and the prediction-time parameters ``calibration`` and
    ``predict_memory_mb``, which are checked where they are used. Every
    public method reads one published state
    (:func:`~sklearn_crnet._published_state.reads_one_state`).
    """

    @property
    def calibration_offsets_(self):
        """Offset subtracted from each class's relation logit, aligned with ``classes_``.

        The offset (``calibration``, or ``calibration_`` when that is "auto")
        for seen classes and 0 for unseen ones; adding it back to
        :meth:`decision_function` gives the uncalibrated logits.
        """
        check_is_fitted(self)
        offset = self.calibration
        if isinstance(offset, str) and offset == "auto":
            offset = self.calibration_
        elif isinstance(offset, bool) or not isinstance(offset, Real) or not math.isfinite(offset):
            raise ValueError(f'calibration must be "auto" or a finite number; got {offset!r}.')
        return float(offset) * self._seen_mask()

    def _max_pairs(self):
        memory = self.predict_memory_mb
        if isinstance(memory, bool) or not isinstance(memory, Real) or not 0 < memory < math.inf:
            raise ValueError(f"predict_memory_mb must be a positive number of megabytes; got {memory!r}.")
        return min(max_pairs(memory, self.net_.module_.hidden_units), 2.0**62)

    def _check_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=np.float32)

    def _logits(self, X, calibrated=True, argmax=False, candidates=None):
        offsets = self.calibration_offsets_ if calibrated else None
        with torch_threads(self.n_threads_):
            return self.net_.module_.chunked_logits(X, self._max_pairs(),
                                                    offsets=offsets, argmax=argmax, candidates=candidates)

    @_fill_samples
    @reads_one_state
    def decision_function(self, X):
        """Relation logits of each sample against every class.

        The logit is the relation module's output before the sigmoid
        (FC2 in the paper); ``calibration`` is subtracted from the seen
        classes' logits (see ``calibration_offsets_``). For exactly two
        classes the scikit-learn convention applies: one column, the second
        class's logit minus the first's.

        {samples}

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            Columns follow ``classes_``.
        """
        logits = self._logits(self._check_X(X)).astype(np.float64)
        if len(self.classes_) == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    @_fill_samples
    @reads_one_state
    def relation_scores(self, X):
        """The paper's similarity ``g(v, f(s))`` in [0, 1] for every class (uncalibrated).

        {samples}

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        logits = self._logits(self._check_X(X), calibrated=False)
        return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))

    @_fill_samples
    @reads_one_state
    def predict_proba(self, X):
        """Class probabilities: the softmax of the calibrated relation logits.

        Rows sum to 1 and their argmax is ``predict``'s class.

        {samples}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        logits = self._logits(self._check_X(X)).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    @_fill_samples
    @reads_one_state
    def predict(self, X, classes=None):
        """The most related class, searched among all classes or a given subset.

        {samples}
        classes : None, "seen", "unseen" or array-like, default=None
            Where to search: None searches every class of the table (GZSL);
            "unseen" only the unseen classes (conventional zero-shot
            learning); "seen" only the seen ones; an array-like, those
            classes of ``classes_``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        candidates = None if classes is None else self._candidate_index(classes)
        return self.classes_[self._logits(X, argmax=True, candidates=candidates)]

    def _candidate_index(self, classes):
        if isinstance(classes, str):
            if classes not in ("seen", "unseen"):
                raise ValueError(f"classes must be None, 'seen', 'unseen' or a list of classes; "
                                 f"got {classes!r}.")
            chosen = self.seen_classes_ if classes == "seen" else self.unseen_classes_
            if len(chosen) == 0:
                raise ValueError(f"The model has no {classes} classes to search.")
            return np.flatnonzero(np.isin(self.classes_, chosen))
        try:
            chosen = np.asarray(classes, dtype=object)
        except ValueError:  # ragged nesting
            chosen = None
        if chosen is None or chosen.ndim != 1 or len(chosen) == 0:
            raise ValueError("classes must be a non-empty 1-D list of the model's classes.")
        # A label matches a class of the same kind only: 1.5, "1" or True never stand for 1.
        position = {(label_kind(c), c): i for i, c in enumerate(self.classes_.tolist())}
        keys = [(label_kind(c), c.item() if isinstance(c, np.generic) else c) if label_kind(c) != "other"
                else None for c in chosen.tolist()]
        unknown = [c for key, c in zip(keys, chosen.tolist(), strict=True) if key not in position]
        if unknown:
            raise ValueError(f"classes {describe_labels(unknown)} are not among the model's "
                             f"classes {describe_labels(self.classes_)} (labels must match in type too).")
        return np.unique([position[key] for key in keys])

    @_fill_samples
    @reads_one_state
    def score(self, X, y, sample_weight=None):
        """GZSL harmonic mean H of mean per-class accuracies on seen and unseen classes.

        The model searches every seen class and the unseen classes present
        in ``y`` (all unseen classes when ``y`` holds none). On a test set
        holding every unseen class this is H of :meth:`predict`; on a
        class-disjoint validation fold
        (:class:`~sklearn_crnet.model_selection.GZSLSplit`) the table's real
        unseen classes, absent from the fold, are not candidates, so the fold
        poses the problem of its own classes, as xlsa17's validation split
        does. When ``y`` holds only seen (or only unseen) classes, H is
        undefined and the mean per-class accuracy over the classes present is
        returned.

        {samples}
        y : array-like of shape (n_samples,)
            True labels of the samples; each must be one of ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples within their class's accuracy.

        Returns
        -------
        score : float
        """
        from .metrics import gzsl_scorer

        check_is_fitted(self)
        return gzsl_scorer(self, X, y, sample_weight=sample_weight)

    def _seen_mask(self):
        """Which of ``classes_`` are seen classes."""
        return np.isin(self.classes_, self.seen_classes_)
