"""RelationNetClassifier: the Relation Network baseline that CRnet is contrasted with."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval

from ._base import BaseRelationClassifier, fill_shared_docs
from ._modules import MLPProjection

__all__ = ["RelationNetClassifier"]


class RelationNetClassifier(BaseRelationClassifier):
    """Relation Network (Sung et al., CVPR 2018) for generalized zero-shot learning.

    The contrast of the CRnet paper: the same relation module, loss and
    training as :class:`CRNetClassifier`, but attributes are projected to
    feature anchors by a two-layer perceptron (Linear-ReLU-Linear-ReLU)
    instead of the cooperation module of K experts. With the same remaining
    settings, any difference between the two is the projection's doing.

    Parameters
    ----------
    projection_hidden_units : int, default=256
        Width of the projection's hidden layer (the published RN code uses
        1024 for AwA and 1200 for CUB; see :meth:`from_paper`).
    alpha : float, default=1e-5
        L2 coefficient of the projection, applied as Adam's coupled
        ``weight_decay`` on its parameter group.
    beta : float, default=1e-4
        L2 coefficient of the relation module, applied the same way.
    projection_lr_multiplier : float, default=1.0
        The projection learns at ``lr * projection_lr_multiplier``.
{shared_parameters}
    Attributes
    ----------
{shared_attributes}
    See Also
    --------
    CRNetClassifier : The same classifier with the cooperation module.

    Examples
    --------
    >>> from sklearn_crnet import RelationNetClassifier
    >>> from sklearn_crnet.datasets import load_digits_gzsl
    >>> d = load_digits_gzsl(random_state=0)
    >>> rn = RelationNetClassifier(max_epochs=2, random_state=0)
    >>> rn = rn.fit(d.X_train, d.y_train, class_attributes=d.class_attributes)
    >>> rn.anchors_.shape
    (10, 64)
    """

    __doc__ = fill_shared_docs(__doc__)

    _parameter_constraints = {
        **BaseRelationClassifier._parameter_constraints,
        "projection_hidden_units": [Interval(Integral, 1, None, closed="left")],
        "projection_lr_multiplier": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        projection_hidden_units=256,
        *,
        alpha=1e-5,
        beta=1e-4,
        projection_lr_multiplier=1.0,
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
        self.projection_hidden_units = projection_hidden_units
        self.alpha = alpha
        self.beta = beta
        self.projection_lr_multiplier = projection_lr_multiplier
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
        """The Relation Network with its published settings for one xlsa17 dataset.

        Parameters
        ----------
        name : {"AWA1", "AWA2", "CUB", "SUN", "APY"}
            Dataset (case-insensitive).
        **overrides
            Any constructor parameter to change.

        Returns
        -------
        estimator : RelationNetClassifier

        Examples
        --------
        >>> RelationNetClassifier.from_paper("AWA2").hidden_units
        400
        """
        from ._presets import rn_paper_params

        return cls(**{**rn_paper_params(name), **overrides})

    def _make_projection(self, seen_attributes, n_features, seed):
        return MLPProjection(seen_attributes.shape[1], self.projection_hidden_units, n_features)

    def _empty_projection(self, n_attributes, n_features):
        """An untrained projection of the fitted shape, for loading saved weights."""
        return MLPProjection(n_attributes, self.projection_hidden_units, n_features)

    def _projection_lr_multiplier(self):
        return self.projection_lr_multiplier
