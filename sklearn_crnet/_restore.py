"""Rebuilding a fitted estimator's skorch net from saved weights, with every consistency check."""

import warnings
from numbers import Real

import numpy as np
import torch

from ._attributes import check_distinct_labels
from ._modules import split_ensemble_state
from ._torch_utils import resolve_device

__all__ = ["check_tensor", "restore_net"]

_RELATION_SHAPES = {  # key: shape in terms of H (hidden units) and Q (features)
    "relation.anchor_fc.weight": ("H", "Q"),
    "relation.anchor_fc.bias": ("H",),
    "relation.feature_fc.weight": ("H", "Q"),
    "relation.output_fc.weight": (1, "H"),
    "relation.output_fc.bias": (1,),
}


def check_tensor(module_state, key, shape):
    """The float32 tensor ``module_state[key]``, checked to have ``shape`` and finite values.

    Parameters
    ----------
    module_state : dict
        A module's state dict.
    key : str
        The entry to check.
    shape : tuple of int
        Its required shape.

    Returns
    -------
    tensor : torch.Tensor
    """
    tensor = module_state.get(key)
    if not isinstance(tensor, torch.Tensor):
        raise ValueError(f"the weights lack {key!r}")
    if tensor.dtype != torch.float32:
        raise ValueError(f"weight {key!r} has dtype {tensor.dtype}, expected float32")
    if tuple(tensor.shape) != tuple(shape):
        raise ValueError(f"weight {key!r} has shape {tuple(tensor.shape)}, expected {tuple(shape)}")
    if not torch.isfinite(tensor).all():
        raise ValueError(f"weight {key!r} holds NaN or infinite values")
    return tensor


def _check_fitted_attributes(model, n_features, n_classes, n_attributes):
    classes = np.asarray(model.classes_)
    table = np.asarray(model.class_attributes_)
    if classes.ndim != 1 or len(classes) != n_classes:
        raise ValueError(f"classes_ has shape {classes.shape}, but the weights hold {n_classes} classes")
    check_distinct_labels(classes)
    if table.shape != (n_classes, n_attributes) or table.dtype.kind != "f":
        raise ValueError(f"class_attributes_ has shape {table.shape}, expected "
                         f"({n_classes}, {n_attributes}) floats")
    if not np.isfinite(table).all():
        raise ValueError("class_attributes_ holds NaN or infinite values")
    seen = np.asarray(model.seen_classes_)
    if (seen.ndim != 1 or len(seen) < 2 or not np.isin(seen, classes).all()
            or len(set(seen.tolist())) != len(seen)):
        raise ValueError("seen_classes_ must list at least two distinct classes of classes_")
    if not isinstance(model.n_features_in_, (int, np.integer)) or model.n_features_in_ != n_features:
        raise ValueError(f"n_features_in_ is {model.n_features_in_!r}, but the weights take "
                         f"{n_features} features")
    offset = getattr(model, "calibration_", None)
    if isinstance(offset, bool) or not isinstance(offset, Real) or not np.isfinite(offset):
        raise ValueError(f"calibration_ must be a finite number; got {offset!r}")
    names = getattr(model, "feature_names_in_", None)
    if names is not None and (np.asarray(names).shape != (n_features,)):
        raise ValueError("feature_names_in_ does not name every feature")


def _member_states(model, module_state):
    """The state dict of each member network (an ensemble stacks them on axis 0)."""
    if model.ensemble_size == 1:
        return [module_state]
    return split_ensemble_state(module_state, model.ensemble_size)


def _check_member(model, module_state):
    """Check one member network's weights against each other and the fitted attributes."""
    anchor_weight = module_state.get("relation.anchor_fc.weight")
    table = module_state.get("class_attributes")
    if not isinstance(anchor_weight, torch.Tensor) or anchor_weight.ndim != 2:
        raise ValueError("the weights lack a 2-D 'relation.anchor_fc.weight'")
    if not isinstance(table, torch.Tensor) or table.ndim != 2:
        raise ValueError("the weights lack a 2-D 'class_attributes' table")
    n_hidden, n_features = (int(d) for d in anchor_weight.shape)
    n_classes, n_attributes = (int(d) for d in table.shape)
    sizes = {"H": n_hidden, "Q": n_features}
    for key, shape in _RELATION_SHAPES.items():
        check_tensor(module_state, key, tuple(sizes.get(d, d) for d in shape))
    check_tensor(module_state, "class_attributes", (n_classes, n_attributes))
    if n_hidden != model.hidden_units:
        raise ValueError(f"hidden_units is {model.hidden_units}, but the weights have {n_hidden}")
    _check_fitted_attributes(model, n_features, n_classes, n_attributes)
    scaled = model._scaled_attributes()
    if not np.allclose(scaled, table.numpy(), rtol=1e-5, atol=1e-6):
        raise ValueError("class_attributes_ does not match the table stored with the weights")


def restore_net(model, net_state):
    """The skorch net of a fitted ``model``, rebuilt from ``net_state`` (see ``__getstate__``).

    Shapes are read from the weights, so nothing larger than the weights
    themselves is allocated, and every fitted attribute is checked against
    them. Raises ``ValueError`` naming the first inconsistency.

    Parameters
    ----------
    model : BaseRelationClassifier
        The estimator, with parameters and fitted attributes set.
    net_state : dict
        ``module`` (state dict), and optionally ``optimizer`` and ``history``.

    Returns
    -------
    net : BatchClassesNet
    """
    module_state = net_state.get("module") if isinstance(net_state, dict) else None
    if not isinstance(module_state, dict):
        raise ValueError("the saved state holds no module weights")
    member_states = _member_states(model, module_state)
    for member_state in member_states:
        _check_member(model, member_state)

    device = getattr(model, "device_", "cpu")
    if not isinstance(device, str):
        raise ValueError(f"device_ must be a string; got {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(f"The model was trained on {device}, which is not available here; it is "
                      "loaded on the CPU.", UserWarning, stacklevel=3)
        device = "cpu"
    model.device_ = resolve_device(device)
    net = model._net_for_state(member_states)
    unexpected = set(module_state) - set(net.module_.state_dict())
    if unexpected:
        raise ValueError(f"the weights hold unexpected entries {sorted(unexpected)[:5]}")
    net.module_.load_state_dict({k: v.to(model.device_) for k, v in module_state.items()})
    optimizer_state = net_state.get("optimizer")
    if optimizer_state is not None:
        net.optimizer_.load_state_dict(optimizer_state)
    history = net_state.get("history")
    if history is not None:
        from ._training import History

        net.history = History(history)
    return net
