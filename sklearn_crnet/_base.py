"""The abstract estimator shared by CRnet and the Relation Network baseline."""

import copy
import sys
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._attributes import align_class_attributes, check_rows_representable, describe_labels, scale_attributes
from ._label_guard import refuse_reencoded_labels
from ._modules import build_scorer
from ._persistence import (
    DERIVED_ATTRIBUTES,
    load_net_state,
    net_state,
    restored_device,
    restored_thread_count,
    saved_member_states,
)
from ._prediction import RelationPredictorMixin, max_pairs
from ._published_state import PUBLISH_LOCK, publish, reads_one_state, staged, view
from ._torch_utils import (
    REGULARIZATION_FORMS,
    own_torch_state,
    relation_step_flops,
    resolve_device,
    thread_count,
    torch_threads,
)
from ._training_data import validate_training_data, warn_shared_rows

__all__ = ["SHARED_CONSTRAINTS", "SHARED_PARAMETERS", "BaseRelationClassifier", "shared_arguments"]

_CONVERGENCE_SAMPLE = 1000  # training samples predicted to detect a collapsed model

#: ``lr="auto"`` is this divided by the number of features (3.1e-3 for the 64
#: pixels of the digits, 9.8e-5 for 2048-d CNN features), at most
#: ``AUTO_LR_MAX``. Adam moves every weight by about lr per step, so a unit's
#: input changes in proportion to lr times the width of its input; wider
#: features need a smaller rate, or the relation module's units die in the
#: first steps. The constant's rule and table: docs/defaults.rst.
AUTO_LR_SCALE = 0.2
#: The rule is not extrapolated above the rate of its narrowest studied problem
#: (64 features): with fewer features the rate stays there.
AUTO_LR_MAX = AUTO_LR_SCALE / 64

#: ``calibration="auto"``: folds of ``GZSLSplit`` (its default share of held-out
#: classes) on which the offset is tuned, and the seen classes that needs.
AUTO_CALIBRATION_FOLDS = 3
AUTO_CALIBRATION_MIN_CLASSES = 3

#: Constructor parameters every relation classifier has; the base class stores them.
SHARED_PARAMETERS = (
    "alpha", "beta", "regularization", "penalty_warmup", "hidden_units", "ensemble_size", "lr",
    "max_epochs", "batch_size", "attribute_scaling", "calibration", "early_stopping", "validation_fraction",
    "validation_split", "patience", "predict_memory_mb", "callbacks", "warm_start",
    "precision", "n_threads", "device", "random_state", "verbose",
)


#: The constraints of the shared parameters (scikit-learn's parameter validation).
SHARED_CONSTRAINTS = {
    "alpha": [Interval(Real, 0, None, closed="left")],
    "beta": [Interval(Real, 0, None, closed="left")],
    "regularization": [StrOptions(set(REGULARIZATION_FORMS))],
    "penalty_warmup": [Interval(Real, 0, 1, closed="both")],
    "hidden_units": [Interval(Integral, 1, None, closed="left")],
    "ensemble_size": [Interval(Integral, 1, None, closed="left")],
    "lr": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 2, None, closed="left")],
    "attribute_scaling": [
        None, StrOptions({"l2", "standard"}), Interval(Real, 0, None, closed="neither")
    ],
    "calibration": [StrOptions({"auto"}), Interval(Real, None, None, closed="neither")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "validation_split": [None, HasMethods(["split"])],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "predict_memory_mb": [Interval(Real, 0, None, closed="neither")],
    "callbacks": [None, list],
    "warm_start": ["boolean"],
    "precision": [StrOptions({"float32", "bfloat16"})],
    "n_threads": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "device": [str, torch.device],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


def training_parts():
    """The skorch-based training module, imported on first use.

    skorch cannot be imported under ``python -OO`` (it builds docstrings from
    docstrings, which that mode removes); importing it lazily keeps
    ``import sklearn_crnet`` and everything that does not train or predict
    working there.
    """
    try:
        from . import _training
    except AttributeError:
        if sys.flags.optimize >= 2:
            raise RuntimeError("skorch, which trains and runs the models, cannot be imported under "
                               "python -OO; run Python without -OO to fit or predict.") from None
        raise
    return _training


def shared_arguments(namespace):
    """The shared constructor arguments out of a subclass ``__init__``'s ``locals()``."""
    return {name: namespace[name] for name in SHARED_PARAMETERS}


class BaseRelationClassifier(RelationPredictorMixin, ClassifierMixin, BaseEstimator, metaclass=ABCMeta):
    """Abstract GZSL classifier: an attribute projection scored by a relation module.

    Holds the constructor, fit, prediction and persistence shared by
    :class:`~sklearn_crnet.CRNetClassifier` and
    :class:`~sklearn_crnet.RelationNetClassifier`. A subclass supplies the
    projection of attribute rows to feature anchors by implementing
    :meth:`_make_projections`, :meth:`_empty_projection` and
    :meth:`_projection_lr_multiplier`, and calls ``super().__init__`` with
    the shared parameters (see :func:`shared_arguments`).
    """

    _parameter_constraints = SHARED_CONSTRAINTS

    @abstractmethod
    def __init__(self, *, alpha, beta, regularization, penalty_warmup, hidden_units, ensemble_size, lr,
                 max_epochs, batch_size, attribute_scaling, calibration, early_stopping, validation_fraction,
                 validation_split, patience, predict_memory_mb, callbacks, warm_start, precision,
                 n_threads, device, random_state, verbose):
        self.alpha = alpha
        self.beta = beta
        self.regularization = regularization
        self.penalty_warmup = penalty_warmup
        self.hidden_units = hidden_units
        self.ensemble_size = ensemble_size
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.attribute_scaling = attribute_scaling
        self.calibration = calibration
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.validation_split = validation_split
        self.patience = patience
        self.predict_memory_mb = predict_memory_mb
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.precision = precision
        self.n_threads = n_threads
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def from_paper(cls, name, **overrides):
        """An estimator with its published settings for one xlsa17 dataset.

        For :class:`~sklearn_crnet.CRNetClassifier`: K, alpha, beta of the
        paper's Table 2, 2048 hidden units, Adam at lr 1e-5, batches of 32,
        and from the authors' code the 5x learning rate of the cooperation
        module, alpha and beta as Adam's weight decay
        (``regularization="weight_decay"``), SUN/aPY attributes scaled by 100
        and as many epochs as their 250,000 steps. For
        :class:`~sklearn_crnet.RelationNetClassifier`: the published RN
        code's widths, Adam at lr 1e-5 and weight decay 1e-5 on the
        attribute network.

        Parameters
        ----------
        name : {"AWA1", "AWA2", "CUB", "SUN", "APY"}
            Dataset (case-insensitive).
        **overrides
            Any constructor parameter to change (e.g. ``device``,
            ``random_state``, ``max_epochs``).

        Returns
        -------
        estimator : object
            A new, unfitted estimator of this class.

        Examples
        --------
        >>> from sklearn_crnet import CRNetClassifier, RelationNetClassifier
        >>> CRNetClassifier.from_paper("CUB").K
        4
        >>> RelationNetClassifier.from_paper("AWA2").hidden_units
        400
        """
        return cls(**{**cls._paper_params(name), **overrides})

    def _validate_params(self):
        """Check every parameter against ``_parameter_constraints``; booleans are not numbers."""
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) and "boolean" not in constraints and name != "verbose":
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must not be a boolean; got {value!r}.")
        super()._validate_params()

    # -- the subclass contract -------------------------------------------------

    @staticmethod
    @abstractmethod
    def _paper_params(name):
        """The published constructor parameters for xlsa17 dataset ``name``."""

    @abstractmethod
    def _make_projections(self, seen_attributes, n_features, generator, n_projections):
        """Fresh projection modules, one per member network, and the fitted attributes they share.

        Parameters
        ----------
        seen_attributes : ndarray of shape (n_seen, P)
            Scaled attribute rows of the seen classes.
        n_features : int
            Feature dimension Q.
        generator : torch.Generator
            Source of the initial weights.
        n_projections : int
            Number of independently initialised projections.

        Returns
        -------
        projections : list of torch.nn.Module
        fitted : dict
            Fitted attributes to set on the estimator (e.g. ``field_centres_``).
        """

    @abstractmethod
    def _empty_projection(self, module_state):
        """An untrained projection whose shapes are those of the saved ``module_state``."""

    @abstractmethod
    def _projection_step_flops(self, n_classes, n_attributes, n_features):
        """Approximate FLOPs of one network's projection of ``n_classes`` rows in one training step."""

    @abstractmethod
    def _changed_projection_parameters(self):
        """Names of the projection's structural parameters that no longer match the fitted net."""

    @abstractmethod
    def _projection_lr_multiplier(self):
        """Learning-rate multiplier of the projection's parameters."""

    # -- fitting ---------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, class_attributes=None, sample_weight=None):
        """Learn the projection and the relation module from seen-class samples.

        Training runs on a copy of the estimator's state, which replaces the
        state in one step when training succeeds: until then a fitted model
        keeps predicting as before (also from other threads), and a fit that
        raises (bad input, divergence, an interruption) leaves the estimator
        exactly as it was.

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
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample's pairs in the loss. Samples of
            weight 0 are left out; a class whose samples all have weight 0 is
            unseen.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        refuse_reencoded_labels(type(self).__name__)
        data = validate_training_data(self, X, y, class_attributes, sample_weight)
        # Trained on a copy of the attribute dict (parameters, and the fitted
        # model that warm_start continues), published only once complete.
        new_state = staged(self)
        with own_torch_state():
            new_state._fit(data)
        publish(self, new_state)
        return self

    def _fit(self, data):
        """Train on validated data and set every fitted attribute."""
        continuing = self.warm_start and hasattr(self, "net_")
        if continuing:
            self._check_warm_start(data)
        else:
            self._check_auto_calibration(data)
            for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
                delattr(self, name)
        self.classes_ = data.classes
        self.class_attributes_ = data.attributes
        self.attribute_scaling_ = self.attribute_scaling
        self.seen_classes_ = data.classes[data.seen_mask]
        self.unseen_classes_ = data.classes[~data.seen_mask]
        self.n_features_in_ = data.n_features_in
        if data.feature_names_in is not None:
            self.feature_names_in_ = data.feature_names_in
        self.device_ = resolve_device(self.device)
        self.lr_ = (min(AUTO_LR_SCALE / data.X.shape[1], AUTO_LR_MAX) if self.lr == "auto"
                    else float(self.lr))
        scaled = self._scaled_attributes()
        check_rows_representable(data.classes, scaled)
        warn_shared_rows(data.classes, scaled, data.seen_mask, stacklevel=5)
        n_classes_per_batch = min(int(data.seen_mask.sum()), self.batch_size)
        n_features, n_attributes = data.X.shape[1], data.attributes.shape[1]
        flops = self.ensemble_size * (
            relation_step_flops(self.batch_size, n_classes_per_batch, n_features, self.hidden_units)
            + self._projection_step_flops(n_classes_per_batch, n_attributes, n_features))
        self.n_threads_ = thread_count(self.n_threads, flops, self.device_)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        with torch_threads(self.n_threads_):
            if continuing:
                net = self._continue_training(data, seed)
            else:
                n_epochs = self.max_epochs
                if self.early_stopping:
                    self.best_epoch_, self.validation_scores_ = self._select_epochs(data, scaled, seed)
                    n_epochs = self.best_epoch_
                net, projection_fitted = self._train(data, scaled, seed, n_epochs)
                self.__dict__.update(projection_fitted)
            self.net_ = net
            self.n_iter_ = len(net.history)
            self.anchors_ = self._anchors()
            self._check_convergence(data)
        if self.calibration != "auto":
            self.calibration_ = float(self.calibration)
        elif not continuing:
            self.calibration_ = self._tuned_calibration(data, seed)
        return self

    def _check_auto_calibration(self, data):
        n_seen = int(data.seen_mask.sum())
        if self.calibration == "auto" and not data.seen_mask.all() and n_seen < AUTO_CALIBRATION_MIN_CLASSES:
            raise ValueError(
                f'calibration="auto" tunes the offset on folds that hold out whole seen classes, so '
                f"it needs at least {AUTO_CALIBRATION_MIN_CLASSES} seen classes; y has {n_seen}: "
                f"{describe_labels(data.classes[data.seen_mask])}. Give a number instead."
            )

    def _tuned_calibration(self, data, seed):
        """The offset of ``calibration="auto"``, tuned on class-disjoint folds of the training data.

        The folds are drawn with the fit's ``seed``; the fold models are
        trained as the final model was, for as many epochs as it was
        (``best_epoch_`` with early stopping). With no unseen class in the
        table the offset changes no prediction: 0.
        """
        from .model_selection import GZSLSplit, tune_calibration

        if data.seen_mask.all():
            return 0.0
        template = clone(self).set_params(calibration=0.0, warm_start=False)
        if self.early_stopping:
            template.set_params(early_stopping=False, max_epochs=self.best_epoch_)
        table = dict(zip(data.classes.tolist(), data.attributes, strict=True))
        offset, _ = tune_calibration(template, data.X, data.classes[data.y], class_attributes=table,
                                     cv=GZSLSplit(n_splits=AUTO_CALIBRATION_FOLDS, random_state=seed),
                                     sample_weight=data.sample_weight)
        return offset

    def _check_warm_start(self, data):
        if self.early_stopping:
            raise ValueError("warm_start=True continues the fitted model, while early_stopping "
                             "retrains from scratch; use one of them.")
        same = (data.n_features_in == self.n_features_in_
                and np.array_equal(data.classes, self.classes_)
                and np.array_equal(data.attributes, self.class_attributes_)
                and np.array_equal(data.classes[data.seen_mask], self.seen_classes_))
        if not same:
            raise ValueError(
                "warm_start=True continues training the fitted model, so X must have the same "
                "features and the table the same classes, rows and seen classes as in the first "
                "fit; set warm_start=False to train a new model."
            )
        module = self.net_.module_
        changed = [name for name, fitted in [("ensemble_size", module.n_members),
                                             ("hidden_units", module.hidden_units),
                                             ("attribute_scaling", self.attribute_scaling_)]
                   if getattr(self, name) != fitted] + self._changed_projection_parameters()
        if changed:
            raise ValueError(
                f"warm_start=True continues the fitted network, but {changed} changed since it "
                "was fitted; set them back, or set warm_start=False to train a new model."
            )

    def _continue_training(self, data, seed):
        net = copy.deepcopy(self.net_)  # trained on a copy: a failure leaves net_ as it was
        # Plain attributes, not set_params: skorch would re-initialise the module.
        net.iterator_train__generator = torch.Generator().manual_seed(seed)
        net.callbacks = training_parts().training_callbacks(self.callbacks, self.verbose)
        net.initialize_callbacks()
        net.train(training_parts().net_inputs(data.X, data.sample_weight), data.y, epochs=self.max_epochs)
        net.module_.zero_grad(set_to_none=True)
        return net

    def _train(self, data, scaled, seed, n_epochs, validation=None):
        """Fresh modules from ``seed`` trained for up to ``n_epochs``; returns (net, fitted)."""
        generator = torch.Generator().manual_seed(seed)
        projections, fitted = self._make_projections(scaled[data.seen_mask], data.X.shape[1],
                                                     generator, self.ensemble_size)
        scorer = build_scorer(projections, data.X.shape[1], self.hidden_units, scaled, generator)
        net = self._make_net(scorer, n_epochs, generator, validation)
        net.train(training_parts().net_inputs(data.X, data.sample_weight), data.y)
        net.module_.zero_grad(set_to_none=True)  # the buffers kept for speed are not needed now
        return net, fitted

    def _select_epochs(self, data, scaled, seed):
        """Best epoch count by validation H on a class-disjoint split of the training data."""
        from .model_selection import GZSLSplit

        splitter = self.validation_split
        if splitter is None:
            splitter = GZSLSplit(n_splits=1, unseen_fraction=self.validation_fraction,
                                 test_size=self.validation_fraction, random_state=seed)
        try:
            # Splitters see the original labels, so given validation classes match.
            train, val = next(iter(splitter.split(data.X, data.classes[data.y])))
        except ValueError as exc:
            raise ValueError(f"early_stopping needs a class-disjoint validation split: {exc}") from None
        part = data.subset(train)
        seen_mask = part.seen_mask
        if seen_mask[np.unique(data.y[val])].all():
            raise ValueError(
                "early_stopping needs validation classes absent from the training part; the "
                "validation_split gave none, so validation H would be undefined."
            )
        monitor = training_parts().ValidationHarmonicMean(
            data.X[val], data.y[val], seen_mask, self._fixed_calibration() * seen_mask,
            max_pairs(self.predict_memory_mb, self.hidden_units))
        net, _ = self._train(part, scaled, seed, self.max_epochs,
                             validation=(data.X[val], data.y[val], monitor))
        scores = np.asarray(net.history[:, "valid_H"], dtype=float)
        if np.isnan(scores).all():
            warnings.warn(
                "early_stopping: validation H is undefined at every epoch (the validation part "
                "needs samples of both training and validation classes); training for "
                f"max_epochs={self.max_epochs} instead.", UserWarning, stacklevel=4)
            return self.max_epochs, scores
        return int(np.nanargmax(scores)) + 1, scores

    def _make_net(self, scorer, n_epochs, generator=None, validation=None):
        """The skorch net that trains ``scorer`` with this estimator's settings."""
        return training_parts().make_net(self, scorer, n_epochs, self._projection_lr_multiplier(),
                                         generator, validation)

    def _check_convergence(self, data):
        """Warn when training left the model no better than a constant score or one class."""
        losses = np.asarray(self.net_.history[:, "train_loss"], dtype=float)
        constant = np.asarray(self.net_.history[:, "train_constant_loss"], dtype=float)
        if losses[-1] >= 0.98 * constant[-1]:
            warnings.warn(
                f"Training made no progress: the final training loss {losses[-1]:.4g} is no better "
                f"than scoring every pair with the same constant ({constant[-1]:.4g}). Lower the "
                "learning rate or the penalties alpha and beta, or scale the features (e.g. "
                "StandardScaler) and attributes.",
                ConvergenceWarning, stacklevel=4)
            return
        take = np.random.RandomState(0).permutation(len(data.y))[:_CONVERGENCE_SAMPLE]
        predicted = self.net_.module_.chunked_logits(data.X[take], self._max_pairs(), argmax=True,
                                                     candidates=np.flatnonzero(data.seen_mask))
        if len(np.unique(predicted)) == 1 and len(np.unique(data.y[take])) > 1:
            warnings.warn(
                f"The trained model predicts one class ({describe_labels(self.classes_[predicted[:1]])}) "
                "for every training sample checked. Lower the learning rate, train longer or scale "
                "the features and attributes.", ConvergenceWarning, stacklevel=4)

    # -- classes after fit -----------------------------------------------------

    def set_class_attributes(self, class_attributes):
        """Replace the class table of a fitted model: add or change unseen classes without refitting.

        Every seen class must keep its row (the model was trained on it);
        any other row is an unseen class. ``classes_``, ``unseen_classes_``,
        ``anchors_`` and the columns of :meth:`predict_proba` and
        :meth:`decision_function` follow the new table. The new state is
        built aside and replaces the old one in one step: a prediction or
        save running meanwhile sees the whole old table or the whole new one.

        Parameters
        ----------
        class_attributes : DataFrame, mapping, 2-D array-like or ClassAttributes
            The new table, in any form :meth:`fit` accepts.

        Returns
        -------
        self : object
            The estimator, with the new table.
        """
        check_is_fitted(self)
        with PUBLISH_LOCK:  # held throughout, so that no concurrent update is lost
            current = view(self)
            classes, attributes = align_class_attributes(
                class_attributes, current.seen_classes_,
                current.class_attributes_[current._seen_mask()])
            seen_mask = np.isin(classes, current.seen_classes_)
            new_state = staged(current, classes_=classes, class_attributes_=attributes,
                               unseen_classes_=classes[~seen_mask],
                               net_=copy.deepcopy(current.net_))  # the published net is not touched
            scaled = new_state._scaled_attributes()
            check_rows_representable(classes, scaled)
            warn_shared_rows(classes, scaled, seen_mask, stacklevel=3)
            with own_torch_state():
                new_state.net_.module_.set_class_attributes(scaled)
                new_state.anchors_ = new_state._anchors()
            publish(self, new_state)
        return self

    # -- prediction (the public methods: RelationPredictorMixin) ----------------

    def _fixed_calibration(self):
        """The given offset, or 0 while ``calibration="auto"`` has not been tuned."""
        return 0.0 if self.calibration == "auto" else float(self.calibration)

    def _scaled_attributes(self, rows=None):
        """The fitted ``attribute_scaling_`` applied to ``rows`` (default: the fitted table)."""
        rows = self.class_attributes_ if rows is None else rows
        return scale_attributes(rows, self.attribute_scaling_,
                                self.class_attributes_[self._seen_mask()])

    def _anchors(self):
        """The classes' feature anchors; ``ValueError`` names classes whose anchor overflows."""
        with torch.no_grad():
            anchors = self.net_.module_.anchors().cpu().numpy()
        check_rows_representable(self.classes_, anchors, "as feature anchors of this model")
        return anchors

    # -- persistence (rules and checks: _persistence) ---------------------------

    @reads_one_state
    def __getstate__(self):
        """The estimator's state with the skorch net reduced to its weights.

        Returns
        -------
        state : dict
            Parameters, fitted attributes and ``net_state_``: the module's
            weights and the optimiser's state as numpy arrays, and the
            training history; no torch object, so that pickle, joblib and
            skops share it. Derived attributes (``anchors_``,
            ``unseen_classes_``) are rebuilt on loading.
        """
        state = dict(super().__getstate__())  # object.__getstate__ gives __dict__ itself
        net = state.pop("net_", None)
        if net is not None:
            # Parameters are checked again on loading: refuse now what could not be loaded.
            self._validate_params()
        for derived in DERIVED_ATTRIBUTES:
            state.pop(derived, None)
        if net is not None:
            state["net_state_"] = net_state(net)
        return state

    def __setstate__(self, state):
        """Restore a state made by ``__getstate__``, rebuilding the skorch net.

        The parameters are checked against the estimator's constraints and
        the fitted attributes against each other and against the weights;
        any inconsistency raises ``ValueError``. A model trained on CUDA is
        restored on the CPU when CUDA is not available.

        Parameters
        ----------
        state : dict
            The state to restore.
        """
        state = dict(state)
        saved = state.pop("net_state_", None)
        super().__setstate__(state)
        if saved is None:
            return
        self._validate_params()
        with own_torch_state():
            module_state, member_states = saved_member_states(self, saved, self._scaled_attributes)
            self.device_ = restored_device(getattr(self, "device_", "cpu"))
            self.n_threads_ = restored_thread_count(getattr(self, "n_threads_", None))
            n_hidden, n_features = (int(d) for d in member_states[0]["relation.anchor_fc.weight"].shape)
            projections = [self._empty_projection(member) for member in member_states]
            scorer = build_scorer(projections, n_features, n_hidden, self._scaled_attributes())
            self.net_ = load_net_state(self._make_net(scorer, self.max_epochs).initialize(), module_state,
                                       saved)
        self.unseen_classes_ = self.classes_[~self._seen_mask()]
        self.anchors_ = self._anchors()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

