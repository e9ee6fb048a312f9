"""Estimator logic shared by CRnet and the Relation Network baseline."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping
from skorch.dataset import Dataset
from skorch.helper import predefined_split

from ._attributes import encode_labels, resolve_class_attributes
from ._modules import RelationModule, RelationScorer
from ._training import BatchClassesNet, BatchSlicer, EpochProgressBar, ValidationHarmonicMean
from .metrics import gzsl_scorer

__all__ = ["BaseRelationClassifier", "fill_shared_docs", "resolve_device", "scale_attributes"]

_BYTES_PER_PAIR_UNIT = 8  # float32 hidden grid and its ReLU, per hidden unit


SHARED_PARAMETERS_DOC = """    hidden_units : int, default=256
        Width of the relation module's FC1. The paper uses 2048 for 2048-d
        ResNet features (see :meth:`from_paper`). 256 did at least as well as
        wider modules on validation digits held out of the seen digits of the
        bundled digits problem, and costs an eighth as much; for CNN features
        it is a usable, cheaper start.
    lr : float, default=3e-4
        Adam learning rate of the relation module. The paper uses 1e-5 for
        250,000 steps, far too slow for small problems and CPU runs; 3e-4
        converges on the digits problem in 40 epochs and remains a standard
        Adam rate for 2048-d features.
    max_epochs : int, default=40
        Passes over the training data.
    batch_size : int, default=32
        Samples per optimisation step (the authors' value); each is scored
        against the distinct classes of its batch.
    attribute_scaling : None, "l2", "standard" or float, default=None
        Transformation of the attribute table before training: None keeps it,
        "l2" normalises each class row, "standard" z-scores each attribute
        with the seen classes' statistics, a number multiplies every value
        (the authors scale SUN and aPY ``original_att`` by 100).
    calibration : float, default=0.0
        Calibrated stacking (Chao et al. 2016): subtracted from the seen
        classes' relation logits at prediction time. Positive values favour
        unseen classes. Choose it on validation classes, never on test data.
    early_stopping : bool, default=False
        Choose the number of epochs on a class-disjoint validation split of
        the training data (never on test data): ``validation_fraction`` of the
        seen classes are held out whole as validation-unseen classes and the
        same share of the other classes' samples as validation-seen; a model
        trained on the rest is scored by the GZSL harmonic mean H after every
        epoch, training stops after ``patience`` epochs without improvement,
        and the final model is then trained on all the data for the best
        number of epochs (``best_epoch_``). Costs up to twice the training.
        Needs at least three seen classes.
    validation_fraction : float, default=0.2
        Share of seen classes, and of the remaining classes' samples, used
        for validation when ``early_stopping`` is on.
    validation_split : splitter or None, default=None
        With ``early_stopping``: where the validation data comes from. None
        means ``GZSLSplit(n_splits=1, unseen_fraction=validation_fraction,
        test_size=validation_fraction)``; pass e.g.
        ``PredefinedClassSplit(val_classes)`` to use a dataset's own
        validation classes. Only its first (train, validation) pair is used.
    patience : int, default=10
        Epochs without a better validation H before early stopping ends.
    predict_memory_mb : float, default=32
        Memory budget of one scoring chunk at prediction time; samples are
        scored in chunks so memory does not grow with
        ``n_samples * n_classes``. Chunks that fit the CPU caches are also
        the fastest (32 MB measured best on a 2-core CPU; see benchmarks).
    device : str, default="auto"
        Torch device. "auto" resolves to "cuda" when available, else "cpu",
        at fit time (stored in ``device_``).
    random_state : int, RandomState instance or None, default=None
        Seeds K-means, weight initialisation and batch order. The same value
        gives the same model on CPU. The global torch random state is left
        untouched.
    verbose : int, default=0
        0 is silent, 1 shows a progress bar over epochs, 2 prints skorch's
        per-epoch table.

"""

SHARED_ATTRIBUTES_DOC = """    classes_ : ndarray of shape (n_classes,)
        Every class of the attribute table, seen and unseen.
    seen_classes_ : ndarray
        Classes that occur in the training labels.
    unseen_classes_ : ndarray
        Classes of the table without training samples.
    class_attributes_ : ndarray of shape (n_classes, n_attributes)
        The table's rows aligned with ``classes_`` (before scaling).
    anchors_ : ndarray of shape (n_classes, n_features)
        Feature anchors ``f(s)`` of every class.
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` holds the torch modules and
        ``net_.history`` the training history.
    device_ : str
        The device the model was trained on.
    n_iter_ : int
        Number of epochs the final model was trained.
    best_epoch_ : int
        With ``early_stopping``: the epoch count of the best validation H.
    validation_scores_ : ndarray
        With ``early_stopping``: validation H after each epoch.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` had string column names.

"""


def fill_shared_docs(docstring):
    """Insert the parameters and attributes common to all relation classifiers."""
    return docstring.replace("{shared_parameters}", SHARED_PARAMETERS_DOC).replace(
        "{shared_attributes}", SHARED_ATTRIBUTES_DOC)


def resolve_device(device):
    """Turn ``"auto"`` into ``"cuda"`` when CUDA is available, else ``"cpu"``."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine; "
            "use device='auto' or 'cpu'."
        )
    return str(resolved)


def homogeneous_labels(y):
    """Object-dtype labels of one kind (all ints, all floats or all strings) as a plain array.

    scikit-learn treats object arrays of numbers as an unknown target type;
    converting them keeps such labels usable. Labels of mixed kinds are
    refused here with a clear error, never silently turned into strings.
    """
    if y.dtype != object or y.size == 0:
        return y
    kinds = {
        "str" if isinstance(v, str) else "bool" if isinstance(v, (bool, np.bool_))
        else "int" if isinstance(v, (int, np.integer)) else "float"
        if isinstance(v, (float, np.floating)) else "other"
        for v in y.tolist()
    }
    if len(kinds) == 1 and kinds != {"other"}:
        return np.asarray(y.tolist())
    if len(kinds) > 1:
        raise ValueError(
            f"y mixes label types {sorted(kinds)}; use labels of one type (e.g. all strings "
            "or all integers), matching the class-attribute table's labels."
        )
    return y


def present_classes(y_encoded, n_classes):
    """Boolean mask over ``n_classes`` of the classes that occur in ``y_encoded``."""
    mask = np.zeros(n_classes, dtype=bool)
    mask[np.unique(y_encoded)] = True
    return mask


def fused_adam_supported(device):
    """Whether ``torch.optim.Adam(fused=True)`` runs on ``device`` with this torch.

    The fused kernel updates all parameters in one pass (several times faster
    than the per-tensor loop on CPU); it exists for CUDA since torch 2.0 and
    for CPU since 2.4.
    """
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    if str(device).startswith("cuda"):
        return True
    return (major, minor) >= (2, 4)


def scale_attributes(attributes, scaling, reference_rows):
    """Apply ``attribute_scaling`` to attribute rows.

    Parameters
    ----------
    attributes : ndarray of shape (n_classes, P)
    scaling : None, "l2", "standard" or float
        None leaves rows as given; "l2" divides each row by its norm;
        "standard" z-scores each attribute with the mean and standard
        deviation of ``reference_rows``; a number multiplies every value.
    reference_rows : ndarray of shape (n_seen, P)
        Rows that define the "standard" statistics (the seen classes).
    """
    if scaling is None:
        return attributes.copy()
    if isinstance(scaling, str) and scaling == "l2":
        norms = np.linalg.norm(attributes, axis=1, keepdims=True)
        return attributes / np.where(norms == 0, 1.0, norms)
    if isinstance(scaling, str) and scaling == "standard":
        mean = reference_rows.mean(axis=0)
        std = reference_rows.std(axis=0)
        return (attributes - mean) / np.where(std == 0, 1.0, std)
    return attributes * float(scaling)


class BaseRelationClassifier(ClassifierMixin, BaseEstimator):
    """Shared fit/predict logic; subclasses supply the attribute projection.

    A subclass implements ``_make_projection(seen_attributes, n_features,
    random_state)`` returning a torch module that maps attribute rows to
    feature anchors, and ``_projection_lr_multiplier()``.
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "hidden_units": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "attribute_scaling": [
            None, StrOptions({"l2", "standard"}), Interval(Real, 0, None, closed="neither")
        ],
        "calibration": [Real],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "validation_split": [None, HasMethods(["split"])],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "predict_memory_mb": [Interval(Real, 0, None, closed="neither")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- fitting ---------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, class_attributes=None):
        """Learn the projection and the relation module from seen-class samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features of training samples (e.g. 2048-d CNN features).
        y : array-like of shape (n_samples,)
            Their labels; every label must be a class of ``class_attributes``.
        class_attributes : DataFrame, mapping, 2-D array-like, ClassAttributes or None
            One row per class, seen and unseen: a DataFrame indexed by class
            label, a mapping ``{label: vector}``, or a 2-D array whose row ``i``
            describes label ``i``. Classes absent from ``y`` are unseen and can
            still be predicted. ``None`` uses one-hot rows for the labels of
            ``y`` (ordinary supervised classification). Wrap the table in
            :class:`~sklearn_crnet.ClassAttributes` when it has as many rows as
            ``X`` has samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float32)
        y = homogeneous_labels(y)
        check_classification_targets(y)
        classes, attributes = resolve_class_attributes(class_attributes, y, X.shape[0])
        y_encoded = encode_labels(y, classes)
        seen_mask = present_classes(y_encoded, len(classes))
        if seen_mask.sum() < 2:
            raise ValueError(
                "Training needs samples of at least two classes; y holds only one class: "
                f"{classes[seen_mask].tolist()}."
            )

        self.classes_ = classes
        self.class_attributes_ = attributes
        self.seen_classes_ = classes[seen_mask]
        self.unseen_classes_ = classes[~seen_mask]
        scaled = self._scaled_attributes()

        self.device_ = resolve_device(self.device)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        n_epochs = self.max_epochs
        if self.early_stopping:
            self.best_epoch_, self.validation_scores_ = self._select_epochs(
                X, y_encoded, scaled, seed)
            n_epochs = self.best_epoch_
        self.net_ = self._train(X, y_encoded, scaled, seed, n_epochs)
        self.n_iter_ = len(self.net_.history)
        self.anchors_ = self._anchors()
        return self

    def _train(self, X, y_encoded, scaled, seed, n_epochs, validation=None):
        """Build fresh modules under ``seed`` and train them for up to ``n_epochs``."""
        seen_mask = present_classes(y_encoded, len(scaled))
        cuda = [torch.device(self.device_).index or 0] if self.device_.startswith("cuda") else []
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(seed)
            projection = self._make_projection(scaled[seen_mask], X.shape[1], seed)
            relation = RelationModule(X.shape[1], self.hidden_units)
            net = self._make_net(RelationScorer(projection, relation, scaled), n_epochs, validation)
            net.fit(X, y_encoded)
        net.module_.zero_grad(set_to_none=True)  # the buffers kept for speed are not needed now
        return net

    def _select_epochs(self, X, y_encoded, scaled, seed):
        """Best epoch count by validation H on a class-disjoint split of the training data."""
        from .model_selection import GZSLSplit

        splitter = self.validation_split
        if splitter is None:
            splitter = GZSLSplit(n_splits=1, unseen_fraction=self.validation_fraction,
                                 test_size=self.validation_fraction, random_state=seed)
        try:
            # Splitters see the original labels, so given validation classes match.
            train, val = next(iter(splitter.split(X, self.classes_[y_encoded])))
        except ValueError as exc:
            raise ValueError(f"early_stopping needs a class-disjoint validation split: {exc}") from None
        seen_mask = present_classes(y_encoded[train], len(scaled))
        if seen_mask[np.unique(y_encoded[val])].all():
            raise ValueError(
                "early_stopping needs validation classes absent from the training part; the "
                "validation_split gave none, so validation H would be undefined."
            )
        monitor = ValidationHarmonicMean(X[val], y_encoded[val], seen_mask, self.calibration,
                                         self._max_pairs())
        net = self._train(X[train], y_encoded[train], scaled, seed, self.max_epochs,
                          validation=(X[val], y_encoded[val], monitor))
        scores = np.asarray(net.history[:, "valid_H"], dtype=float)
        return int(np.argmax(scores)) + 1, scores

    def _make_net(self, scorer, n_epochs, validation=None):
        callbacks = [("progress", EpochProgressBar())] if self.verbose == 1 else []
        train_split = None
        if validation is not None:
            X_val, y_val, monitor = validation
            train_split = predefined_split(Dataset(X_val, y_val))
            callbacks += [
                ("valid_H", monitor),
                ("early_stopping", EarlyStopping(monitor="valid_H", lower_is_better=False,
                                                 patience=self.patience, load_best=False)),
            ]
        lr_multiplier = self._projection_lr_multiplier()
        return BatchClassesNet(
            iterator_train=BatchSlicer,
            iterator_valid=BatchSlicer,
            optimizer__fused=fused_adam_supported(self.device_),
            module=scorer,
            criterion=torch.nn.MSELoss,
            optimizer=torch.optim.Adam,
            optimizer__weight_decay=self.beta,
            optimizer__param_groups=[
                ("projection.*", {"lr": self.lr * lr_multiplier, "weight_decay": self.alpha})
            ],
            lr=self.lr,
            max_epochs=n_epochs,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            train_split=train_split,
            callbacks=callbacks,
            device=self.device_,
            verbose=1 if self.verbose >= 2 else 0,
        )

    # -- prediction ------------------------------------------------------------

    def _check_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=np.float32)

    def _max_pairs(self):
        return self.predict_memory_mb * 2**20 / (_BYTES_PER_PAIR_UNIT * self.hidden_units)

    def _relation_logits(self, X, calibrated=False, argmax=False):
        offsets = self.calibration * self._seen_mask() if calibrated else None
        return self.net_.relation_logits(X, self._max_pairs(), offsets=offsets, argmax=argmax)

    def _calibrated_logits(self, X):
        return self._relation_logits(self._check_X(X), calibrated=True)

    def decision_function(self, X):
        """Relation logits of each sample against every class.

        The logit is the relation module's output before the sigmoid
        (FC2 in the paper); ``calibration`` is subtracted from the seen
        classes' logits. For exactly two classes the scikit-learn
        convention applies: one column, the second class's logit minus the
        first's.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
        """
        logits = self._calibrated_logits(X).astype(np.float64)
        if len(self.classes_) == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def relation_scores(self, X):
        """The paper's similarity ``g(v, f(s))`` in [0, 1] for every class (uncalibrated).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes)
        """
        logits = self._relation_logits(self._check_X(X))
        return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))

    def predict_proba(self, X):
        """Class probabilities: the softmax of the calibrated relation logits.

        Rows sum to 1 and their argmax is ``predict``'s class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        logits = self._calibrated_logits(X).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """The most related class among all classes, seen and unseen.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        best = self._relation_logits(self._check_X(X), calibrated=True, argmax=True)
        return self.classes_[best]

    def score(self, X, y, sample_weight=None):
        """GZSL harmonic mean H of mean per-class accuracies on seen and unseen classes.

        When ``y`` holds only seen (or only unseen) classes, H is undefined
        and the mean per-class accuracy over the classes present is returned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples, one row each.
        y : array-like of shape (n_samples,)
            True labels of the samples.
        sample_weight : None
            Not supported; per-class averaging already weighs classes equally.

        Returns
        -------
        score : float
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by the GZSL score.")
        check_is_fitted(self)
        return gzsl_scorer(self, X, y)

    def _seen_mask(self):
        return np.isin(self.classes_, self.seen_classes_)

    def _scaled_attributes(self, rows=None):
        """``attribute_scaling`` applied to ``rows`` (default: the fitted table)."""
        rows = self.class_attributes_ if rows is None else rows
        return scale_attributes(rows, self.attribute_scaling,
                                self.class_attributes_[self._seen_mask()])

    def _anchors(self):
        with torch.no_grad():
            return self.net_.module_.anchors().cpu().numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
