"""CRNetClassifier: the Co-Representation Network as a scikit-learn classifier."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.utils._param_validation import Interval

from ._base import BaseRelationClassifier
from ._modules import CooperationModule

__all__ = ["CRNetClassifier", "field_centres"]


def field_centres(seen_attributes, n_fields, random_state):
    """K-means centres of the distinct seen-class attribute rows (paper Sec. 3.2).

    Parameters
    ----------
    seen_attributes : ndarray of shape (n_seen, P)
    n_fields : int
        Number of semantic fields K.
    random_state : int
        Seed of K-means.

    Returns
    -------
    centres : ndarray of shape (K, P)
    """
    # np.unique sorts the rows, which also makes the centres independent of
    # the order of the table's rows.
    distinct = np.unique(seen_attributes, axis=0)
    if n_fields > len(distinct):
        raise ValueError(
            f"K={n_fields} exceeds the number of distinct seen-class attribute rows "
            f"({len(distinct)}); choose K <= {len(distinct)}."
        )
    kmeans = KMeans(n_clusters=n_fields, n_init=10, random_state=random_state)
    return kmeans.fit(distinct).cluster_centers_


class CRNetClassifier(BaseRelationClassifier):
    """Co-Representation Network (Zhang & Shi, ICML 2019) for generalized zero-shot learning.

    CRnet projects each class's attribute vector ``s`` into the feature space
    with a cooperation module of K single-layer ReLU experts,
    ``f(s) = sum_k relu(W_k (s - c_k) + b_k)``, where ``c_k`` are K-means
    centres of the seen classes' attributes (Eq. 5-7). A relation module
    (FC1-ReLU-FC2-Sigmoid on ``[f(s), x]``) scores how well a sample ``x``
    matches each class anchor; it is trained with MSE against 1/0 match labels
    (Eq. 8-9), each sample scored against the distinct classes of its batch.
    Prediction searches all classes of the table, seen and unseen (GZSL).

    Parameters
    ----------
    K : int, default=3
        Number of expert modules (semantic fields). The paper uses 3 for
        AwA1/AwA2/aPY, 4 for CUB and 12 for SUN. Must not exceed the number
        of distinct seen-class attribute rows.
    alpha : float, default=1e-5
        L2 coefficient of the cooperation module (paper's alpha), applied as
        Adam's coupled ``weight_decay`` on its parameter group as in the
        authors' code.
    beta : float, default=1e-4
        L2 coefficient of the relation module (paper's beta), applied the same
        way on the relation module's parameters.
    hidden_units : int, default=256
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
    cooperation_lr_multiplier : float, default=5.0
        The cooperation module learns at ``lr * cooperation_lr_multiplier``
        (the authors' code uses 5).
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
    patience : int, default=10
        Epochs without a better validation H before early stopping ends.
    predict_memory_mb : float, default=256
        Memory budget of one scoring chunk at prediction time; samples are
        scored in chunks so memory does not grow with
        ``n_samples * n_classes``.
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

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Every class of the attribute table, seen and unseen.
    seen_classes_ : ndarray
        Classes that occur in the training labels.
    unseen_classes_ : ndarray
        Classes of the table without training samples.
    class_attributes_ : ndarray of shape (n_classes, n_attributes)
        The table's rows aligned with ``classes_`` (before scaling).
    field_centres_ : ndarray of shape (K, n_attributes)
        K-means centres of the seen classes' (scaled) attribute rows.
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
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` had string column names.

    See Also
    --------
    sklearn_crnet.ClassAttributes : Keeps the table whole inside model selection.

    Examples
    --------
    >>> from sklearn_crnet import CRNetClassifier
    >>> from sklearn_crnet.datasets import load_digits_gzsl
    >>> d = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
    >>> clf = CRNetClassifier(K=3, max_epochs=2, random_state=0)
    >>> clf = clf.fit(d.X_train, d.y_train, class_attributes=d.class_attributes)
    >>> clf.unseen_classes_
    array([2, 5, 9])
    >>> clf.predict_proba(d.X_test[:2]).shape
    (2, 10)
    """

    _parameter_constraints = {
        **BaseRelationClassifier._parameter_constraints,
        "K": [Interval(Integral, 1, None, closed="left")],
        "cooperation_lr_multiplier": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        K=3,
        *,
        alpha=1e-5,
        beta=1e-4,
        hidden_units=256,
        lr=3e-4,
        cooperation_lr_multiplier=5.0,
        max_epochs=40,
        batch_size=32,
        attribute_scaling=None,
        calibration=0.0,
        early_stopping=False,
        validation_fraction=0.2,
        patience=10,
        predict_memory_mb=256,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.K = K
        self.alpha = alpha
        self.beta = beta
        self.hidden_units = hidden_units
        self.lr = lr
        self.cooperation_lr_multiplier = cooperation_lr_multiplier
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.attribute_scaling = attribute_scaling
        self.calibration = calibration
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.predict_memory_mb = predict_memory_mb
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def from_paper(cls, name, **overrides):
        """An estimator with the paper's settings for one xlsa17 dataset.

        Parameters
        ----------
        name : {"AWA1", "AWA2", "CUB", "SUN", "APY"}
            Dataset whose Table 2 row to use (case-insensitive).
        **overrides
            Any constructor parameter to change (e.g. ``device``,
            ``random_state``, ``max_epochs``).

        Returns
        -------
        estimator : CRNetClassifier
            K, alpha, beta of Table 2; 2048 hidden units; lr 1e-5; batches of
            32; and, from the authors' code, 5x learning rate on the
            cooperation module, SUN/aPY attributes scaled by 100, and as many
            epochs as their 250,000 steps.

        Examples
        --------
        >>> CRNetClassifier.from_paper("CUB").K
        4
        """
        from ._presets import paper_params

        return cls(**{**paper_params(name), **overrides})

    def _make_projection(self, seen_attributes, n_features, seed):
        self.field_centres_ = field_centres(seen_attributes, self.K, seed)
        return CooperationModule(self.field_centres_, n_features)

    def _projection_lr_multiplier(self):
        return self.cooperation_lr_multiplier

    def expert_responses(self, class_attributes=None):
        """Response of each expert to attribute rows (paper Fig. 5).

        Parameters
        ----------
        class_attributes : array-like of shape (n_rows, n_attributes), default=None
            Attribute rows in the table's original units (scaling is applied
            here). Defaults to the fitted table, aligned with ``classes_``.

        Returns
        -------
        responses : ndarray of shape (n_rows, K, n_features)
            ``relu(W_k (s - c_k) + b_k)``; the sum over axis 1 is the anchor.
        """
        from ._base import scale_attributes

        self._check_X(np.zeros((1, self.n_features_in_), dtype=np.float32))
        rows = self.class_attributes_ if class_attributes is None else np.asarray(class_attributes, float)
        scaled = scale_attributes(rows, self.attribute_scaling, self.class_attributes_[self._seen_mask()])
        module = self.net_.module_.projection
        with torch.no_grad():
            tensor = torch.as_tensor(scaled, dtype=torch.float32, device=self.device_)
            return module.expert_responses(tensor).cpu().numpy()
