"""Saving and loading fitted models without pickle.

A saved model is a zip archive of two members:

``metadata.json``
    The format name and version, the estimator class (one of a fixed list),
    its constructor parameters, the fitted attributes (classes, attribute
    table, field centres, ...) and the SHA-256 digest of the weights.
``weights.pt``
    The torch state dict, read back with ``torch.load(weights_only=True)``.

Loading never executes code from the file: JSON is parsed, the class is looked
up in the fixed list, and tensors are restored by torch's weights-only
unpickler. Use this format for files from sources you do not trust; ``joblib``
(pickle) files execute code on loading and are only for files you made
yourself. The optimiser state is not saved: a loaded model predicts, and can
be refitted, but does not continue its previous training run.
"""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import torch

from . import __version__
from ._base import resolve_device
from ._crnet import CRNetClassifier
from ._modules import RelationModule, RelationScorer
from ._relation_net import RelationNetClassifier

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

FORMAT_NAME = "sklearn-crnet-model"
FORMAT_VERSION = 1
_ESTIMATORS = {cls.__name__: cls for cls in (CRNetClassifier, RelationNetClassifier)}
_ARRAYS = ("classes_", "seen_classes_", "unseen_classes_", "class_attributes_", "field_centres_",
           "anchors_", "validation_scores_", "feature_names_in_")
_SCALARS = ("n_features_in_", "n_iter_", "best_epoch_")


def _encode_array(values):
    values = np.asarray(values)
    if values.dtype.kind in "iub":
        kind = "int" if values.dtype.kind != "b" else "bool"
    elif values.dtype.kind == "f":
        kind = "float"
    elif values.dtype.kind == "U" or all(isinstance(v, str) for v in values.ravel().tolist()):
        kind = "str"
    elif values.dtype.kind == "O" and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool)
            for v in values.ravel().tolist()):
        kind = "int"
    else:
        raise TypeError(
            f"Cannot save values of dtype {values.dtype} without pickle (labels must all be "
            "ints, floats, bools or strings); use joblib.dump for such a model."
        )
    return {"kind": kind, "shape": list(values.shape), "values": values.ravel().tolist()}


def _decode_array(entry):
    dtype = {"int": np.int64, "float": np.float64, "bool": bool, "str": str}[entry["kind"]]
    return np.asarray(entry["values"], dtype=dtype).reshape(entry["shape"])


def save_model(model, path):
    """Save a fitted CRNetClassifier or RelationNetClassifier without pickle.

    Parameters
    ----------
    model : fitted CRNetClassifier or RelationNetClassifier
        The fitted model.
    path : str or Path
        File to write (conventionally ``*.crnet``). It is written to a
        temporary name first and renamed, so an existing file is never left
        half-written.

    Returns
    -------
    path : Path
    """
    name = type(model).__name__
    if name not in _ESTIMATORS:
        raise TypeError(f"save_model saves {sorted(_ESTIMATORS)}; got {name}.")
    if not hasattr(model, "net_"):
        raise ValueError(f"This {name} is not fitted; fit it before saving.")
    params = model.get_params()
    params["validation_split"] = None  # only used during fit; splitters are not JSON
    buffer = io.BytesIO()
    state = {k: v.detach().cpu() for k, v in model.net_.module_.state_dict().items()}
    torch.save(state, buffer)
    weights = buffer.getvalue()
    fitted = {k: _encode_array(getattr(model, k)) for k in _ARRAYS if hasattr(model, k)}
    fitted.update({k: int(getattr(model, k)) for k in _SCALARS if hasattr(model, k)})
    metadata = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "library_version": __version__, "estimator": name, "params": params,
        "fitted": fitted, "trained_on": model.device_,
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
    }
    path = Path(path)
    temporary = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("weights.pt", weights)
    temporary.replace(path)
    return path


def _read(path):
    try:
        with zipfile.ZipFile(path) as archive:
            metadata = json.loads(archive.read("metadata.json"))
            weights = archive.read("weights.pt")
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, json.JSONDecodeError,
            UnicodeDecodeError) as exc:
        raise ValueError(
            f"{path} is not a readable sklearn-crnet model file (truncated, damaged or another "
            f"format): {exc}"
        ) from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise ValueError(f"{path} is not a sklearn-crnet model file.")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path} uses model format version {version!r}; this sklearn-crnet "
            f"({__version__}) reads version {FORMAT_VERSION}."
        )
    if hashlib.sha256(weights).hexdigest() != metadata.get("weights_sha256"):
        raise ValueError(f"{path}: the weights do not match their recorded checksum (tampered "
                         "with or damaged).")
    return metadata, weights


def load_model(path, device="auto"):
    """Load a model saved by :func:`save_model`; no code from the file is executed.

    Parameters
    ----------
    path : str or Path
        The model file.
    device : str, default="auto"
        Where to put the model: "auto" (CUDA when available, else CPU),
        "cpu" or "cuda". A model trained on CUDA loads on a CPU-only machine.

    Returns
    -------
    model : CRNetClassifier or RelationNetClassifier
        Fitted, ready to predict.

    Raises
    ------
    ValueError
        For a truncated, damaged or tampered file, or an unknown format version.
    """
    metadata, weights = _read(path)
    estimator = _ESTIMATORS.get(metadata.get("estimator"))
    if estimator is None:
        raise ValueError(f"{path}: unknown estimator {metadata.get('estimator')!r}.")
    try:
        model = estimator(**metadata["params"])
        for key, value in metadata["fitted"].items():
            if key not in _ARRAYS + _SCALARS:
                raise ValueError(f"unexpected fitted attribute {key!r}")
            setattr(model, key, _decode_array(value) if isinstance(value, dict) else int(value))
        state = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
        model.device_ = resolve_device(device)
        n_features = model.n_features_in_
        scaled = model._scaled_attributes()
        scorer = RelationScorer(
            model._empty_projection(scaled.shape[1], n_features),
            RelationModule(n_features, model.hidden_units), scaled)
        scorer.load_state_dict(state)
        model.net_ = model._make_net(scorer, model.max_epochs).initialize()
    except (TypeError, ValueError, KeyError, RuntimeError) as exc:
        raise ValueError(f"{path}: inconsistent model file ({exc}).") from None
    return model
