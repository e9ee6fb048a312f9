"""The one home of a fitted estimator's persistence: its net reduced to tensors, and restored.

``__getstate__`` of an estimator replaces its skorch net by :func:`net_state`
(tensors on the CPU, the optimiser's state, the history) and drops the
attributes in :data:`DERIVED_ATTRIBUTES`; ``__setstate__`` checks the saved
weights against the fitted attributes with :func:`saved_member_states`,
builds an empty net of their shapes and fills it with :func:`load_net_state`.
``io`` writes and reads the same state without pickle.
"""

import math
import os
import warnings
from numbers import Real

import numpy as np
import torch

from ._attributes import check_distinct_labels
from ._modules import split_ensemble_state
from ._torch_utils import resolve_device

__all__ = ["DERIVED_ATTRIBUTES", "check_tensor", "load_net_state", "net_state", "restored_device",
           "restored_thread_count", "saved_member_states"]

#: Fitted attributes left out of a saved state and rebuilt on loading.
DERIVED_ATTRIBUTES = ("anchors_", "unseen_classes_")

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
    if classes.dtype.kind == "f" and not np.isfinite(classes).all():
        raise ValueError("classes_ holds NaN or infinite labels")
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
    scaling = getattr(model, "attribute_scaling_", "missing")
    if not (scaling is None or (isinstance(scaling, str) and scaling in ("l2", "standard")) or (
            isinstance(scaling, Real) and not isinstance(scaling, bool) and 0 < scaling < math.inf)):
        raise ValueError(f'attribute_scaling_ must be None, "l2", "standard" or a positive number; '
                         f"got {scaling!r}")
    lr = getattr(model, "lr_", None)
    if isinstance(lr, bool) or not isinstance(lr, Real) or not 0 < lr < math.inf:
        raise ValueError(f"lr_ must be a positive number; got {lr!r}")
    offset = getattr(model, "calibration_", None)
    if isinstance(offset, bool) or not isinstance(offset, Real) or not np.isfinite(offset):
        raise ValueError(f"calibration_ must be a finite number; got {offset!r}")
    names = getattr(model, "feature_names_in_", None)
    if names is not None and (np.asarray(names).shape != (n_features,)):
        raise ValueError("feature_names_in_ does not name every feature")


def net_state(net):
    """A fitted skorch net as plain data: the weights and the optimiser's state as numpy arrays
    (on the CPU), and the training history as lists and dicts; no torch object remains."""
    return {
        "module": {k: v.detach().cpu().numpy() for k, v in net.module_.state_dict().items()},
        "optimizer": _to_numpy(net.optimizer_.state_dict()),
        "history": net.history.to_list(),
    }


def _map_leaves(value, leaf_type, convert):
    """``value`` (nested dicts, lists and tuples) with every ``leaf_type`` leaf converted."""
    if isinstance(value, leaf_type):
        return convert(value)
    if isinstance(value, dict):
        return {k: _map_leaves(v, leaf_type, convert) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_map_leaves(v, leaf_type, convert) for v in value)
    return value


def _to_numpy(value):
    """Optimiser state with every tensor as a numpy array."""
    return _map_leaves(value, torch.Tensor, lambda tensor: tensor.detach().cpu().numpy())


def _to_tensors(value):
    """The inverse of :func:`_to_numpy`: every numpy array as a tensor (a copy)."""
    return _map_leaves(value, np.ndarray, lambda array: torch.from_numpy(array.copy()))


def _module_tensors(module_state):
    """The saved weights as tensors: numpy arrays (a pickled state) or tensors (a model file)."""
    if not isinstance(module_state, dict):
        raise ValueError("the saved state holds no module weights")
    tensors = {}
    for key, value in module_state.items():
        if isinstance(value, np.ndarray):
            value = torch.from_numpy(value.copy())
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise ValueError(f"the saved weights' entry {str(key)[:40]!r} is not a named array")
        tensors[key] = value
    return tensors


def _split_members(module_state):
    """The state dict of each member network: an ensemble stacks its members on axis 0."""
    anchor_weight = module_state.get("relation.anchor_fc.weight")
    if not isinstance(anchor_weight, torch.Tensor) or anchor_weight.ndim not in (2, 3):
        raise ValueError("the weights lack a 2-D (one network) or 3-D (an ensemble) "
                         "'relation.anchor_fc.weight'")
    if anchor_weight.ndim == 2:
        return [module_state]
    if anchor_weight.numel() == 0:  # every member has at least one weight, so members <= weights
        raise ValueError("the weights' 'relation.anchor_fc.weight' is empty")
    n_members = int(anchor_weight.shape[0])
    if n_members < 2:
        raise ValueError(f"the weights stack {n_members} member networks; an ensemble has at least 2")
    return split_ensemble_state(module_state, n_members)


def _check_member(module_state):
    """Check one member network's weights against each other; returns its (Q, n_classes, P)."""
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
    return n_features, n_classes, n_attributes


def saved_member_states(model, saved, scaled_table):
    """Each member network's saved weights, checked against each other and ``model``'s fitted attributes.

    Shapes are read from the weights, so nothing larger than the weights
    themselves is allocated. Raises ``ValueError`` naming the first
    inconsistency.

    Parameters
    ----------
    model : BaseRelationClassifier
        The estimator, with its fitted attributes set.
    saved : dict
        A state made by :func:`net_state` (``module``, and optionally
        ``optimizer`` and ``history``).
    scaled_table : callable
        Returns the fitted class table after ``attribute_scaling``; called
        once the fitted attributes have passed their checks.

    Returns
    -------
    module_state : dict
        The saved weights as tensors, for :func:`load_net_state`.
    member_states : list of dict
        One state dict per member network (one for a single network).
    """
    module_state = _module_tensors(saved.get("module") if isinstance(saved, dict) else None)
    member_states = _split_members(module_state)
    shapes = [_check_member(member_state) for member_state in member_states]
    # The members share the class table, so the fitted attributes are checked once.
    _check_fitted_attributes(model, *shapes[0])
    if not np.allclose(scaled_table(), module_state["class_attributes"].numpy(), rtol=1e-5, atol=1e-6):
        raise ValueError("class_attributes_ does not match the table stored with the weights")
    return module_state, member_states


def restored_thread_count(n_threads):
    """The fitted thread count ``n_threads`` checked, and at most this machine's CPU count."""
    if n_threads is None:
        return None
    if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)) or n_threads < 1:
        raise ValueError(f"n_threads_ must be None or a positive integer; got {n_threads!r}")
    return min(int(n_threads), os.cpu_count() or 1)


def restored_device(device):
    """The device a model saved on ``device`` is restored on: the CPU when CUDA is missing here."""
    if not isinstance(device, str):
        raise ValueError(f"device_ must be a string; got {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(f"The model was trained on {device}, which is not available here; it is "
                      "loaded on the CPU.", UserWarning, stacklevel=4)
        device = "cpu"
    return resolve_device(device)


def load_net_state(net, module_state, saved):
    """Fill the initialised ``net`` (built to the saved shapes) with the checked ``module_state``
    (from :func:`saved_member_states`) and the optimiser state and history of ``saved``; returns it."""
    unexpected = set(module_state) - set(net.module_.state_dict())
    if unexpected:
        raise ValueError(f"the weights hold unexpected entries {sorted(unexpected)[:5]}")
    device = next(net.module_.parameters()).device
    net.module_.load_state_dict({k: v.to(device) for k, v in module_state.items()})
    optimizer_state = saved.get("optimizer")
    if optimizer_state is not None:
        net.optimizer_.load_state_dict(_to_tensors(optimizer_state))
    history = saved.get("history")
    if history is not None:
        from ._training import History

        net.history = History(history)
    return net
