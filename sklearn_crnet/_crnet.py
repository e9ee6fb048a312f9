"""CRNetClassifier: the Co-Representation Network as a scikit-learn classifier."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import BaseRelationClassifier, fill_shared_docs
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
    cooperation_lr_multiplier : float, default=5.0
        The cooperation module learns at ``lr * cooperation_lr_multiplier``
        (the authors' code uses 5).
{shared_parameters}    Attributes
    ----------
    field_centres_ : ndarray of shape (K, n_attributes)
        K-means centres of the seen classes' (scaled) attribute rows.
{shared_attributes}    See Also
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

    __doc__ = fill_shared_docs(__doc__)

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
        cooperation_lr_multiplier=5.0,
        hidden_units=256,
        lr=3e-4,
        max_epochs=40,
        batch_size=32,
        attribute_scaling=None,
        calibration=0.0,
        early_stopping=False,
        validation_fraction=0.2,
        validation_split=None,
        patience=10,
        predict_memory_mb=32,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.K = K
        self.alpha = alpha
        self.beta = beta
        self.cooperation_lr_multiplier = cooperation_lr_multiplier
        self.hidden_units = hidden_units
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

    def _empty_projection(self, n_attributes, n_features):
        """An untrained cooperation module of the fitted shape, for loading saved weights."""
        return CooperationModule(torch.zeros(self.K, n_attributes), n_features)

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
        check_is_fitted(self)
        rows = None if class_attributes is None else np.asarray(class_attributes, dtype=float)
        return self._expert_responses_scaled(self._scaled_attributes(rows))

    def _expert_responses_scaled(self, scaled_rows):
        """Expert responses to rows already in the scaled attribute space (e.g. field centres)."""
        with torch.no_grad():
            tensor = torch.as_tensor(scaled_rows, dtype=torch.float32, device=self.device_)
            return self.net_.module_.projection.expert_responses(tensor).cpu().numpy()
