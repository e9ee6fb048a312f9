"""Saving and loading fitted models without pickle, safe for files from untrusted sources.

A saved model is a zip archive of three members:

``metadata.json``
    The format name and version, the estimator class (one of a fixed list),
    its constructor parameters and its fitted attributes (classes, attribute
    table, field centres, ...).
``weights.safetensors``
    The torch state dict (float32 tensors) in the safetensors layout.
``checksum``
    The SHA-256 digest of ``metadata.json`` followed by the weights: any
    edit of either, or damage, is detected.

Members are stored uncompressed. Loading opens regular files only, never
executes code from the file and allocates no more than a small multiple of
the file's size: member sizes are capped by the file's size before they are
read, JSON is parsed, the class is looked up in the fixed list, every
tensor's declared size is checked against its bytes before it is built,
every shape is read from the weights themselves, and every parameter and fitted attribute is checked
(by the estimator's own constraints and against the weights) before the model
is returned. Whatever is wrong with a file, loading raises one ``ValueError``
that says so, with the reason. ``joblib`` (pickle) files, by contrast,
execute code on loading and are only for files you made yourself.

The file format has one version, ``FORMAT_VERSION``; a file of any other
version is refused with an error that names both.

The optimiser state, the training history and the fit-only parameters
``callbacks`` and ``validation_split`` are not saved: a loaded model
predicts and can be refitted, and ``warm_start`` continues it with a fresh
optimiser.
"""

import hashlib
import json
import math
import os
import re
import stat
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from . import __version__
from ._attributes import label_kind
from ._crnet import CRNetClassifier
from ._relation_net import RelationNetClassifier
from ._tensor_file import tensors_from_bytes, tensors_to_bytes
from ._torch_utils import resolve_device

__all__ = ["FORMAT_VERSION", "load_model", "save_model"]

FORMAT_NAME = "sklearn-crnet-model"
FORMAT_VERSION = 8
_ESTIMATORS = {cls.__name__: cls for cls in (CRNetClassifier, RelationNetClassifier)}
_MEMBERS = ("metadata.json", "weights.safetensors", "checksum")
_FIT_ONLY_PARAMS = ("callbacks", "validation_split")
#: Fitted attributes a file may hold, and those it must hold.
_FITTED = ("classes_", "seen_classes_", "class_attributes_", "attribute_scaling_", "field_centres_",
           "n_features_in_",
           "feature_names_in_", "n_iter_", "best_epoch_", "validation_scores_", "device_",
           "n_threads_", "lr_", "calibration_")
_REQUIRED = ("classes_", "seen_classes_", "class_attributes_", "attribute_scaling_", "n_features_in_",
             "n_iter_", "lr_", "calibration_")
#: Fitted attributes that hold one value (every other one holds an array).
_SCALAR_FITTED = ("attribute_scaling_", "n_features_in_", "n_iter_", "best_epoch_", "device_", "n_threads_",
                  "lr_", "calibration_")
_MIN_MEMBER_CAP = 2**20  # bytes a member may always unpack to; beyond, at most the archive's size


class _InvalidModel(Exception):
    """Raised inside loading; turned into one ValueError naming the file."""


# -- encoding ------------------------------------------------------------------

def _kind(value):
    kind = label_kind(value)
    return None if kind == "other" else kind


def _plain(value):
    """A numpy scalar as the Python scalar of its kind."""
    kind = _kind(value)
    return {"bool": bool, "int": int, "float": float, "str": str}[kind](value) if kind else value


_DTYPE_KINDS = {"b": "bool", "i": "int", "u": "int", "f": "float", "U": "str"}
#: numpy dtypes an encoded array may name: bool, 1-8 byte integers, 2-8 byte floats, unicode.
_DTYPE_PATTERN = re.compile(r"[<>|=]?(b1|[iu][1248]|f[248]|U[0-9]{1,7})")


def _encode_array(name, values):
    values = np.asarray(values)
    items = values.ravel().tolist()
    kinds = {_kind(v) for v in items}
    if None in kinds:
        raise TypeError(
            f"Cannot save {name} without pickle: it holds values of type "
            f"{sorted({type(v).__name__ for v in items if _kind(v) is None})}; labels must be "
            "ints, floats, bools or strings. Use joblib.dump for such a model."
        )
    if len(kinds) <= 1 and values.dtype != object:
        kind = kinds.pop() if kinds else _DTYPE_KINDS.get(values.dtype.kind, "float")
        return {"kind": kind, "dtype": values.dtype.str, "shape": list(values.shape),
                "values": [None if kind == "float" and math.isnan(v) else _plain(v) for v in items]}
    if len(kinds) <= 1:  # Python objects of one kind: decoded as numpy's choice for them
        kind = kinds.pop() if kinds else "float"
        return {"kind": kind, "shape": list(values.shape), "values": [_plain(v) for v in items]}
    # labels of mixed kinds keep each value's type
    return {"kind": "mixed", "shape": list(values.shape), "values": [[_kind(v), _plain(v)] for v in items]}


def _encode_param(name, value):
    if name in _FIT_ONLY_PARAMS:
        return None
    if isinstance(value, np.random.RandomState):
        generator, keys, position, has_gauss, cached = value.get_state()
        return {"RandomState": [generator, keys.tolist(), int(position), int(has_gauss),
                                float(cached)]}
    if isinstance(value, torch.device):
        return str(value)
    if value is None or _kind(value):
        return _plain(value)
    raise TypeError(f"Cannot save parameter {name}={value!r} without pickle; use joblib.dump.")


def _json_bytes(payload):
    try:
        return json.dumps(payload, allow_nan=False).encode("utf-8")
    except ValueError as exc:
        raise ValueError(f"Cannot save a model with non-finite values: {exc}") from None


def save_model(model, path):
    """Save a fitted CRNetClassifier or RelationNetClassifier without pickle.

    Parameters
    ----------
    model : fitted CRNetClassifier or RelationNetClassifier
        The fitted model.
    path : str or Path
        File to write (conventionally ``*.crnet``). It is written to a
        temporary file beside it and renamed only when complete, so an
        existing file is replaced whole or not at all, and no partial file is
        left behind.

    Returns
    -------
    path : Path
    """
    name = type(model).__name__
    if name not in _ESTIMATORS:
        raise TypeError(f"save_model saves {sorted(_ESTIMATORS)}; got {name}.")
    check_is_fitted(model)
    state = model.__getstate__()  # one consistent state, even while another thread updates the model
    params = {k: _encode_param(k, state[k]) for k in model.get_params(deep=False)}
    fitted = {}
    for key in _FITTED:
        if key not in state:
            continue
        value = state[key]
        fitted[key] = (_plain(value) if value is None or _kind(value) and np.ndim(value) == 0
                       else _encode_array(key, value))
    weights = tensors_to_bytes(state["net_state_"]["module"])
    metadata = _json_bytes({
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "library_version": __version__,
        "estimator": name, "params": params, "fitted": fitted,
    })
    checksum = hashlib.sha256(metadata + weights).hexdigest().encode()

    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                         dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name, data in zip(_MEMBERS, (metadata, weights, checksum), strict=True):
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp creates 0600; the user's umask decides
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask():
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


# -- decoding ------------------------------------------------------------------

def _open_regular(path):
    """A binary handle of the regular file at ``path``; anything else (a pipe, a device) is refused."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise FileNotFoundError(f"No model file at {path}.") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _InvalidModel("it is not a regular file (a pipe, a device or a folder)")
    return os.fdopen(descriptor, "rb")


def _read_members(handle):
    size = os.fstat(handle.fileno()).st_size
    cap = _MIN_MEMBER_CAP + size
    with zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        if sorted(names) != sorted(_MEMBERS):
            raise _InvalidModel(f"it holds members {sorted(names)[:6]}, expected {list(_MEMBERS)}")
        members = {}
        for name in _MEMBERS:
            info = archive.getinfo(name)
            if info.file_size > cap:
                raise _InvalidModel(f"{name} would unpack to {info.file_size} bytes, more than "
                                    f"{cap} for a file of {size} bytes")
            with archive.open(info) as stream:
                data = stream.read(cap + 1)  # the header's size is not trusted either
            if len(data) > cap:
                raise _InvalidModel(f"{name} unpacks to more than {cap} bytes")
            members[name] = data
    return members


def _refuse_constant(name):
    raise _InvalidModel(f"metadata holds the non-finite number {name}")


def _decode_scalar(kind, value):
    checks = {"int": lambda v: isinstance(v, int) and not isinstance(v, bool)
              and -2**63 <= v < 2**64,
              "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
              and math.isfinite(v),
              "bool": lambda v: isinstance(v, bool), "str": lambda v: isinstance(v, str)}
    if kind not in checks or not checks[kind](value):
        raise _InvalidModel(f"value {str(value)[:40]!r} is not a valid {kind}")
    return float(value) if kind == "float" else value


def _decode_array(key, entry):
    if not isinstance(entry, dict) or set(entry) - {"dtype"} != {"kind", "shape", "values"}:
        raise _InvalidModel(f"{key} is not an encoded array")
    kind, shape, values = entry["kind"], entry["shape"], entry["values"]
    if (not isinstance(shape, list) or len(shape) > 2
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)):
        raise _InvalidModel(f"{key} has an invalid shape {str(shape)[:40]}")
    if not isinstance(values, list) or len(values) != math.prod(shape):
        raise _InvalidModel(f"{key} does not hold {math.prod(shape)} values for its shape {shape}")
    if kind == "mixed":
        decoded = np.empty(len(values), dtype=object)
        for i, item in enumerate(values):
            if not isinstance(item, list) or len(item) != 2:
                raise _InvalidModel(f"{key} holds an invalid mixed-type value")
            decoded[i] = _decode_scalar(item[0], item[1])
        return decoded.reshape(shape)
    default = {"int": np.int64, "float": np.float64, "bool": bool, "str": str}.get(kind)
    if default is None:
        raise _InvalidModel(f"{key} has unknown kind {str(kind)[:20]!r}")
    # NaN is stored as null (JSON has no NaN); the checks of the fitted attributes decide where it may stand.
    decoded = [math.nan if kind == "float" and v is None else _decode_scalar(kind, v) for v in values]
    dtype = entry.get("dtype", default)
    if "dtype" in entry and not (isinstance(dtype, str) and _DTYPE_PATTERN.fullmatch(dtype)
                                 and _DTYPE_KINDS[np.dtype(dtype).kind] == kind):
        raise _InvalidModel(f"{key} has an invalid dtype {str(dtype)[:20]!r} for kind {kind}")
    if kind == "str" and np.dtype(dtype).itemsize // 4 > max([1] + [len(v) for v in decoded]):
        raise _InvalidModel(f"{key} declares strings wider than those it holds")  # size by the file's
    try:
        array = np.asarray(decoded, dtype=dtype).reshape(shape)
    except (OverflowError, ValueError):
        raise _InvalidModel(f"{key} holds values that do not fit its dtype {dtype}") from None
    both_nan = (lambda a, b: math.isnan(a) and math.isnan(b)) if kind == "float" else (lambda a, b: False)
    if any(a != b and not both_nan(a, b) for a, b in zip(array.ravel().tolist(), decoded, strict=True)):
        raise _InvalidModel(f"{key} holds values that its dtype {dtype} would change")
    return array


def _decode_param(name, value):
    if isinstance(value, dict) and set(value) == {"RandomState"}:
        try:
            generator, keys, position, has_gauss, cached = value["RandomState"]
            state = np.random.RandomState()
            state.set_state((str(generator), np.asarray(keys, dtype=np.uint32), int(position),
                             int(has_gauss), float(cached)))
            return state
        except (TypeError, ValueError, OverflowError):
            raise _InvalidModel(f"parameter {name} holds an invalid RandomState") from None
    if value is not None and _kind(value) is None:
        raise _InvalidModel(f"parameter {name} has a value of type {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _InvalidModel(f"parameter {name} is not finite")
    return value


def _decode_metadata(raw):
    try:
        metadata = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _InvalidModel(f"metadata.json is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise _InvalidModel("it is not a sklearn-crnet model file")
    version = metadata.get("format_version")
    if not (isinstance(version, int) and not isinstance(version, bool) and version == FORMAT_VERSION):
        raise _InvalidModel(f"it uses model format version {str(version)[:20]}; this "
                            f"sklearn-crnet ({__version__}) reads version {FORMAT_VERSION} only: "
                            "fit and save the model again with this version")
    estimator = _ESTIMATORS.get(metadata.get("estimator")) if isinstance(
        metadata.get("estimator"), str) else None
    if estimator is None:
        raise _InvalidModel(f"unknown estimator {str(metadata.get('estimator'))[:40]!r}")
    params, fitted = metadata.get("params"), metadata.get("fitted")
    if not isinstance(params, dict) or not isinstance(fitted, dict):
        raise _InvalidModel("params and fitted attributes must be objects")
    expected = set(estimator().get_params(deep=False))
    if set(params) != expected:
        raise _InvalidModel(f"parameters {sorted(set(params) ^ expected)[:5]} are missing or unknown")
    missing = [k for k in _REQUIRED if k not in fitted]
    unknown = sorted(set(fitted) - set(_FITTED))
    if missing or unknown:
        raise _InvalidModel(f"fitted attributes {missing + unknown} are missing or unknown")
    state = {}
    for key, value in fitted.items():
        if key in _SCALAR_FITTED and isinstance(value, dict):
            raise _InvalidModel(f"fitted attribute {key} must be a single value")
        if isinstance(value, dict):
            state[key] = _decode_array(key, value)
        elif value is None or _kind(value) in ("int", "float", "str"):
            state[key] = _decode_param(key, value)
        else:
            raise _InvalidModel(f"fitted attribute {key} has an invalid value")
    for key in ("n_features_in_", "n_iter_", "best_epoch_"):
        if key in state and not (isinstance(state[key], int) and state[key] >= 1):
            raise _InvalidModel(f"{key} must be a positive integer")
    params = {k: _decode_param(k, v) for k, v in params.items()}
    return estimator, params, state


def _load_weights(raw):
    try:
        return tensors_from_bytes(raw)
    except ValueError as exc:
        raise _InvalidModel(str(exc)) from None


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
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        For anything else wrong with the file (not a model file, truncated,
        damaged, edited, inconsistent, or from another format version).
    RuntimeError
        When a file that passed every check still fails to load: the cause
        may lie in this environment rather than in the file.
    """
    device = resolve_device(device)
    try:
        exists = Path(path).exists()
    except OSError as exc:  # e.g. a name too long for the file system
        raise ValueError(f"{str(path)[:200]} cannot be opened as a model file ({exc.strerror}).") from None
    if not exists:
        raise FileNotFoundError(f"No model file at {path}.")
    checked = False  # whether the file passed its checksum and its format's checks
    try:
        with _open_regular(path) as handle:
            members = _read_members(handle)
        digest = hashlib.sha256(members["metadata.json"] + members["weights.safetensors"]).hexdigest()
        if members["checksum"].decode("ascii", "replace").strip() != digest:
            raise _InvalidModel("its checksum does not match its contents (damaged or edited)")
        estimator, params, state = _decode_metadata(members["metadata.json"])
        weights = _load_weights(members["weights.safetensors"])
        checked = True
        model = estimator(**params)
        state["device_"] = device
        state["net_state_"] = {"module": weights}
        model.__setstate__(state)
    except _InvalidModel as exc:
        raise ValueError(f"{path} is not a valid sklearn-crnet model file: {exc}.") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{path} is not a valid sklearn-crnet model file: it is not a readable "
                         f"zip archive ({type(exc).__name__}: {exc}).") from None
    except ValueError as exc:  # parameters or attributes inconsistent with the weights
        raise ValueError(f"{path} is not a valid sklearn-crnet model file: {exc}.") from None
    except Exception as exc:  # noqa: BLE001 - whatever else a crafted file provokes
        if checked:
            raise RuntimeError(
                f"{path} passed the file checks but could not be loaded here ({type(exc).__name__}: "
                f"{exc}); the cause may be this environment (library versions, torch settings) "
                "rather than the file.") from exc
        raise ValueError(f"{path} is not a valid sklearn-crnet model file: "
                         f"{type(exc).__name__}: {exc}.") from None
    return model
