"""RelationNetClassifier: the Relation Network baseline that CRnet is contrasted with."""

from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval

from ._base import BaseRelationClassifier, shared_arguments
from ._docstrings import Substitution
from ._modules import MLPProjection
from ._persistence import check_tensor
from ._presets import rn_paper_params
from ._shared_docs import SHARED_ATTRIBUTES_DOC, SHARED_PARAMETERS_DOC

__all__ = ["RelationNetClassifier"]


@Substitution(shared_parameters=SHARED_PARAMETERS_DOC, shared_attributes=SHARED_ATTRIBUTES_DOC)
class RelationNetClassifier(BaseRelationClassifier):
    """Relation Network (Sung et al., CVPR 2018) for generalized zero-shot learning.

    The contrast of the CRnet paper: the same relation module, loss and
    training as :class:`CRNetClassifier`, but attributes are projected to
    feature anchors by a two-layer perceptron (Linear-ReLU-Linear-ReLU)
    instead of the cooperation module of K experts. With the same remaining
    settings, any difference between the two is the projection's doing.

    Parameters
    ----------
    projection_hidden_units : int, default=1024
        Width of the projection's hidden layer (the published RN code uses
        1024 for AwA and 1200 for CUB; see :meth:`from_paper`). 1024 has the
        higher mean validation H over the digits and a 2048-d synthetic
        problem (``docs/defaults.rst``).
    projection_lr_multiplier : float, default=1.0
        The projection learns at ``lr * projection_lr_multiplier``.
{shared_parameters}    Attributes
    ----------
{shared_attributes}    See Also
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

    _parameter_constraints = {
        **BaseRelationClassifier._parameter_constraints,
        "projection_hidden_units": [Interval(Integral, 1, None, closed="left")],
        "projection_lr_multiplier": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, projection_hidden_units=1024, *, projection_lr_multiplier=1.0, alpha=1e-5,
                 beta=1e-4, regularization="objective", penalty_warmup=0.5, hidden_units=256,
                 ensemble_size=8, lr="auto", max_epochs=80, batch_size=32, attribute_scaling="standard",
                 calibration=0.0, early_stopping=False, validation_fraction=0.2, validation_split=None,
                 patience=10, predict_memory_mb=32, callbacks=None, warm_start=False,
                 precision="float32", n_threads="auto", device="auto", random_state=None, verbose=0):
        self.projection_hidden_units = projection_hidden_units
        self.projection_lr_multiplier = projection_lr_multiplier
        super().__init__(**shared_arguments(locals()))

    _paper_params = staticmethod(rn_paper_params)

    def _make_projections(self, seen_attributes, n_features, generator, n_projections):
        return [MLPProjection(seen_attributes.shape[1], self.projection_hidden_units, n_features,
                              generator) for _ in range(n_projections)], {}

    def _empty_projection(self, module_state):
        weight = module_state.get("projection.hidden.weight")
        if not isinstance(weight, torch.Tensor) or weight.ndim != 2:
            raise ValueError("the weights lack a 2-D 'projection.hidden.weight'")
        n_hidden, n_attributes = (int(d) for d in weight.shape)
        n_features = int(module_state["relation.anchor_fc.weight"].shape[1])
        check_tensor(module_state, "projection.hidden.bias", (n_hidden,))
        check_tensor(module_state, "projection.output.weight", (n_features, n_hidden))
        check_tensor(module_state, "projection.output.bias", (n_features,))
        return MLPProjection(n_attributes, n_hidden, n_features)

    def _changed_projection_parameters(self):
        width = self.net_.module_.projection.hidden.weight.shape[-2]
        return [] if self.projection_hidden_units == width else ["projection_hidden_units"]

    def _projection_lr_multiplier(self):
        return self.projection_lr_multiplier

    def _projection_step_flops(self, n_classes, n_attributes, n_features):
        # Two layers: forward, and the weight and input gradients (none for the attributes).
        hidden = self.projection_hidden_units
        return n_classes * (4 * n_attributes * hidden + 6 * hidden * n_features)
