"""Loader for the standard GZSL benchmark release xlsa17 (Xian et al., 2017)."""

import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io as sio
from sklearn.utils import Bunch

__all__ = ["XLSA17_DATASETS", "XLSA17_URL", "load_xlsa17"]

XLSA17_DATASETS = ("AWA1", "AWA2", "CUB", "SUN", "APY", "FLO")
XLSA17_URL = (
    "https://www.mpi-inf.mpg.de/departments/computer-vision-and-machine-learning/"
    "research/zero-shot-learning/zero-shot-learning-the-good-the-bad-and-the-ugly"
)
_SPLIT_KEYS = ("trainval_loc", "test_seen_loc", "test_unseen_loc")
_CLASS_SPLIT_KEYS = ("train_loc", "val_loc")


_MI_MATRIX, _MI_COMPRESSED = 14, 15
_MIN_UNPACKED = 64 * 2**20  # bytes a file's compressed variables may always unpack to
_EXPANSION_CAP = 16  # beyond that, at most this multiple of the file's size
_CHUNK = 2**20


def _unpacked_size(path, cap):
    """Bytes the compressed variables of a MATLAB 5 file unpack to, counted up to ``cap``.

    Each compressed variable is inflated in chunks of at most 1 MB that are
    counted and dropped (the sizes its headers declare are not trusted), and
    counting stops as soon as the total passes ``cap``: a small file that
    unpacks to gigabytes is measured in bounded memory and time.
    """
    total = 0
    with open(path, "rb") as handle:
        header = handle.read(128)
        if len(header) < 128:
            raise ValueError("it is shorter than a MATLAB file header")
        order = "<" if header[126:128] == b"IM" else ">"
        while len(tag := handle.read(8)) == 8:
            kind, size = struct.unpack(order + "II", tag)
            if kind & 0xFFFF0000:  # a small data element: its data is inside the tag
                continue
            if kind != _MI_COMPRESSED:
                handle.seek(size, 1)
                continue
            inflater, remaining = zlib.decompressobj(), size
            while remaining > 0:
                pending = handle.read(min(remaining, _CHUNK))
                if not pending:
                    break
                remaining -= len(pending)
                while pending:
                    total += len(inflater.decompress(pending, _CHUNK))
                    if total > cap:
                        return total
                    pending = inflater.unconsumed_tail
            handle.seek(remaining, 1)
    return total


def _read_mat(path, what, keys):
    if not path.is_file():
        raise FileNotFoundError(
            f"{what} not found: {path}. The xlsa17 release (res101.mat and att_splits.mat "
            f"for AWA1, AWA2, CUB, SUN, APY) is published at {XLSA17_URL} ; unpack it so "
            "that ROOT/<DATASET>/res101.mat and ROOT/<DATASET>/att_splits.mat exist."
        )
    try:
        cap = _MIN_UNPACKED + _EXPANSION_CAP * path.stat().st_size
        if _unpacked_size(path, cap) > cap:
            raise ValueError(f"its compressed variables unpack to more than {cap} bytes for a file of "
                             f"{path.stat().st_size} bytes")
        mat = sio.loadmat(path)
    except Exception as exc:  # noqa: BLE001 - scipy raises many types for damaged files
        raise ValueError(f"{path} is not a readable MATLAB file ({type(exc).__name__}: {exc}).") from None
    missing = [key for key in keys if key not in mat]
    if missing:
        raise ValueError(f"{path} lacks the entries {missing} of the xlsa17 release's {what}.")
    return mat


def _zero_based(mat, key, source="att_splits.mat"):
    """The 1-based integer entries ``mat[key]`` as 0-based int64; fractional values are refused."""
    try:
        values = np.asarray(mat[key], dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{key} in {source} is not numeric.") from None
    whole = np.isfinite(values) & (np.abs(values) < 2**53) & (np.mod(values, 1) == 0)
    if not whole.all():
        raise ValueError(f"{key} in {source} must hold whole numbers; it holds "
                         f"{values[~whole][:5].tolist()}.")
    return values.astype(np.int64) - 1


def load_xlsa17(name, root, attributes="original_att"):
    """Load one dataset of the xlsa17 GZSL benchmark release.

    Parameters
    ----------
    name : {"AWA1", "AWA2", "CUB", "SUN", "APY", "FLO"}
        Dataset folder name (case-insensitive).
    root : str or Path
        Folder holding ``<NAME>/res101.mat`` (2048 x N ResNet-101 features and
        1-based ``labels``) and ``<NAME>/att_splits.mat``.
    attributes : {"original_att", "att"}, default="original_att"
        Which class-attribute matrix to use: the raw one (the authors' CRnet
        code uses it) or the release's L2-normalised one.

    Returns
    -------
    data : Bunch
        ``X_trainval`` (n_trainval, Q) float32, ``y_trainval``;
        ``X_test_seen``, ``y_test_seen``; ``X_test_unseen``, ``y_test_unseen``.
        Labels are 0-based class indices. ``class_attributes``: DataFrame
        (n_classes x n_attributes) indexed by class index; ``class_names``;
        ``seen_classes``, ``unseen_classes``; ``train_classes`` and
        ``val_classes``: the release's class-disjoint validation split of the
        seen classes (None when the files lack ``train_loc``/``val_loc``);
        ``DESCR``.
    """
    key = str(name).upper()
    if key not in XLSA17_DATASETS:
        raise ValueError(f"Unknown xlsa17 dataset {name!r}; expected one of {XLSA17_DATASETS}.")
    if attributes not in ("original_att", "att"):
        raise ValueError(f"attributes must be 'original_att' or 'att'; got {attributes!r}.")
    folder = Path(root) / key
    features_mat = _read_mat(folder / "res101.mat", f"{key} image features (res101.mat)",
                             ("features", "labels"))
    splits = _read_mat(folder / "att_splits.mat", f"{key} class attributes and splits (att_splits.mat)",
                       (attributes, "allclasses_names", *_SPLIT_KEYS))

    try:
        features = np.asarray(features_mat["features"], dtype=np.float32).T
        labels = _zero_based(features_mat, "labels", "res101.mat")
        matrix = np.asarray(splits[attributes], dtype=np.float64).T  # classes x attributes
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{folder}: features, labels or attributes are not numeric ({exc}).") from None
    if (features.ndim != 2 or matrix.ndim != 2 or not np.isfinite(features).all()
            or not np.isfinite(matrix).all()):
        raise ValueError(f"{folder}: features and attributes must be finite 2-D matrices.")
    if features.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{folder / 'res101.mat'}: features describe {features.shape[0]} images but "
            f"labels has {labels.shape[0]} entries."
        )
    names = np.array([str(np.ravel(name)[0]) if np.size(name) else ""
                      for name in np.ravel(splits["allclasses_names"])])
    if len(names) != matrix.shape[0] or not all(name.strip() for name in names):
        raise ValueError(f"{folder / 'att_splits.mat'}: allclasses_names must name each of the "
                         f"{matrix.shape[0]} classes with a non-empty name.")
    if labels.min() < 0 or labels.max() >= matrix.shape[0]:
        raise ValueError(
            f"{folder / 'res101.mat'}: labels must lie in 1..{matrix.shape[0]} (one per class "
            f"of att_splits.mat); found {labels.min() + 1}..{labels.max() + 1}."
        )

    parts = {}
    for split in _SPLIT_KEYS:
        index = _zero_based(splits, split)
        if index.size == 0 or index.min() < 0 or index.max() >= len(labels):
            raise ValueError(
                f"{split} in att_splits.mat points past the {len(labels)} images of res101.mat."
            )
        parts[split] = index

    notes = []
    class_split = splits if all(k in splits for k in _CLASS_SPLIT_KEYS) else None
    if class_split is None and (folder / "sent_splits.mat").is_file():
        sent = _read_mat(folder / "sent_splits.mat", f"{key} sentence splits (sent_splits.mat)", ())
        if all(k in sent for k in _CLASS_SPLIT_KEYS):
            class_split = sent
            notes.append("train_loc/val_loc read from sent_splits.mat (att_splits.mat lacks them).")
    if class_split is None:
        train_classes = val_classes = None
        notes.append(
            "att_splits.mat has no train_loc/val_loc, so the release's train/val class "
            "split is absent (train_classes and val_classes are None)."
        )
    else:
        train_classes = np.unique(labels[_zero_based(class_split, "train_loc")])
        val_classes = np.unique(labels[_zero_based(class_split, "val_loc")])

    table = pd.DataFrame(matrix, index=pd.Index(np.arange(matrix.shape[0]), name="class"))
    y_trainval = labels[parts["trainval_loc"]]
    y_unseen = labels[parts["test_unseen_loc"]]
    seen, unseen = np.unique(y_trainval), np.unique(y_unseen)
    description = (
        f"xlsa17 {key}: {len(labels)} images, {features.shape[1]}-d features, "
        f"{matrix.shape[0]} classes ({len(seen)} seen, {len(unseen)} unseen), "
        f"{matrix.shape[1]} attributes ({attributes}); trainval {len(y_trainval)}, "
        f"test-seen {len(parts['test_seen_loc'])}, test-unseen {len(y_unseen)} images."
    )
    return Bunch(
        X_trainval=features[parts["trainval_loc"]], y_trainval=y_trainval,
        X_test_seen=features[parts["test_seen_loc"]], y_test_seen=labels[parts["test_seen_loc"]],
        X_test_unseen=features[parts["test_unseen_loc"]], y_test_unseen=y_unseen,
        class_attributes=table, class_names=names,
        seen_classes=seen, unseen_classes=unseen,
        train_classes=train_classes, val_classes=val_classes,
        DESCR=" ".join([description, *notes]),
    )
