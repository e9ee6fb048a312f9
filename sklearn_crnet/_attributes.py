"""Reading the class-attribute table that describes seen and unseen classes."""

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

__all__ = ["ClassAttributes", "resolve_class_attributes"]


class ClassAttributes:
    """Wrapper that keeps a class-attribute table whole inside model selection.

    scikit-learn's model-selection tools (``GridSearchCV``, ``cross_validate``,
    ...) slice every fit argument whose length equals the number of samples.
    A class-attribute table with exactly as many rows as ``X`` has samples
    would therefore be cut per fold. This wrapper is deliberately not
    array-like (no ``__len__``, ``shape`` or ``__array__``), so it is passed
    to every fold unchanged.

    Parameters
    ----------
    table : DataFrame, mapping or 2-D array-like
        Any table accepted as ``class_attributes`` by
        :class:`~sklearn_crnet.CRNetClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_crnet import ClassAttributes
    >>> wrapped = ClassAttributes(np.eye(3))
    >>> wrapped.table.shape
    (3, 3)
    """

    def __init__(self, table):
        if isinstance(table, ClassAttributes):
            table = table.table
        self.table = table

    def __repr__(self):
        shape = getattr(self.table, "shape", None)
        if shape is None and isinstance(self.table, Mapping):
            shape = f"{len(self.table)} classes"
        return f"ClassAttributes({shape})"


def _table_length(table):
    if isinstance(table, Mapping):
        return len(table)
    shape = getattr(table, "shape", None)
    if shape is not None and len(shape) >= 1:
        return shape[0]
    try:
        return len(table)
    except TypeError:
        return None


def _as_float_matrix(values, what):
    if sp.issparse(values):
        values = values.toarray()
    try:
        matrix = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"class_attributes {what} must be numeric; could not convert them to "
            f"float ({exc})."
        ) from None
    return matrix


def _labels_and_rows(table, y_labels):
    """Split a table into its class labels and its attribute matrix."""
    try:
        import pandas as pd
    except ImportError:  # pandas is optional
        pd = None

    if pd is not None and isinstance(table, pd.Series):
        raise ValueError(
            "class_attributes must be 2-D (one row per class); got a pandas Series. "
            "Pass a DataFrame indexed by class label instead."
        )
    if pd is not None and isinstance(table, pd.DataFrame):
        labels = table.index.to_numpy()
        rows = _as_float_matrix(table.to_numpy(), "values")
        return labels, rows
    if isinstance(table, Mapping):
        labels = np.empty(len(table), dtype=object)
        labels[:] = list(table.keys())
        vectors = [np.ravel(_as_float_matrix(v, f"of class {k!r}")) for k, v in table.items()]
        lengths = {v.shape[0] for v in vectors}
        if len(lengths) > 1:
            raise ValueError(
                "class_attributes mapping has vectors of different lengths "
                f"{sorted(lengths)}; every class needs the same number of attributes."
            )
        rows = np.vstack(vectors) if vectors else np.empty((0, 0))
        # Recover a plain numeric/str dtype when the keys allow it.
        labels = np.asarray(labels.tolist()) if len(labels) else labels
        if labels.dtype.kind not in "iub" and labels.dtype.kind != "U":
            labels = np.asarray(list(table.keys()), dtype=object)
        return labels, rows

    rows = _as_float_matrix(table, "values")
    if rows.ndim != 2:
        raise ValueError(
            f"class_attributes must be 2-D (one row per class); got an array of "
            f"shape {rows.shape}."
        )
    n_rows = rows.shape[0]
    y_labels = np.asarray(y_labels)
    integral = y_labels.dtype.kind in "iu" or (
        y_labels.dtype.kind == "f" and np.all(np.mod(y_labels, 1) == 0)
    )
    if y_labels.dtype.kind == "b" or not integral or (
        y_labels.size and (y_labels.min() < 0 or y_labels.max() >= n_rows)
    ):
        bad = y_labels if not integral else y_labels[(y_labels < 0) | (y_labels >= n_rows)]
        raise ValueError(
            "A plain array as class_attributes means row i describes class label i, "
            f"so labels must be integers in 0..{n_rows - 1}; y contains "
            f"{_preview(np.unique(bad))}. Pass a pandas DataFrame indexed by class "
            "label or a mapping {label: attribute vector} instead."
        )
    labels = np.arange(n_rows)
    if y_labels.dtype.kind == "f":
        labels = labels.astype(y_labels.dtype)
    return labels, rows


def _preview(values, limit=10):
    values = list(values)
    text = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:limit])
    if len(values) > limit:
        text += f", ... ({len(values)} in all)"
    return "[" + text + "]"


def _sorted_order(labels):
    """Order that sorts the labels, or table order when they cannot be compared."""
    try:
        return np.argsort(labels, kind="stable")
    except TypeError:
        return np.arange(len(labels))


def resolve_class_attributes(class_attributes, y, n_samples):
    """Align a class-attribute table with the training labels.

    Parameters
    ----------
    class_attributes : DataFrame, mapping, 2-D array-like, ClassAttributes or None
        The table describing every class, seen and unseen. ``None`` gives
        one-hot rows for the labels of ``y`` (ordinary supervised learning).
    y : ndarray of shape (n_samples,)
        Training labels; each must be a class of the table.
    n_samples : int
        Number of training samples, used to detect tables that model
        selection may have sliced.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        Every class of the table, sorted when the labels are comparable.
    attributes : ndarray of shape (n_classes, n_attributes)
        The table's rows aligned with ``classes``.
    """
    if class_attributes is None:
        classes = np.unique(y)
        return classes, np.eye(len(classes))

    wrapped = isinstance(class_attributes, ClassAttributes)
    table = class_attributes.table if wrapped else class_attributes
    if table is None:
        raise TypeError("ClassAttributes(None) is not a table; pass class_attributes=None.")
    if not wrapped and n_samples > 1 and _table_length(table) == n_samples:
        raise ValueError(
            f"class_attributes has as many rows as X has samples ({n_samples}). "
            "scikit-learn's model-selection tools (GridSearchCV, cross_validate, ...) "
            "slice every fit argument of that length per fold, which would silently "
            "drop classes from the table. Wrap the table so that it is passed whole: "
            "class_attributes=ClassAttributes(table) "
            "(from sklearn_crnet import ClassAttributes)."
        )

    labels, rows = _labels_and_rows(table, y)
    if rows.ndim != 2 or rows.shape[0] == 0 or rows.shape[1] == 0:
        raise ValueError(
            "class_attributes must be a non-empty 2-D table (one row per class, at "
            f"least one attribute); got shape {rows.shape}."
        )
    if not np.all(np.isfinite(rows)):
        bad_rows = np.unique(np.nonzero(~np.isfinite(rows))[0])
        raise ValueError(
            "class_attributes contains NaN or infinite values in the rows of classes "
            f"{_preview(labels[bad_rows])}."
        )
    unique_labels, counts = np.unique(labels.astype(str), return_counts=True)
    if np.any(counts > 1):
        raise ValueError(
            "class_attributes has duplicate class labels: "
            f"{_preview(unique_labels[counts > 1])}. Each class needs exactly one row."
        )

    order = _sorted_order(labels)
    classes, rows = labels[order], rows[order]
    index = {label: i for i, label in enumerate(classes.tolist())}
    missing = [label for label in np.unique(y).tolist() if label not in index]
    if missing:
        raise ValueError(
            f"Labels {_preview(missing)} occur in y but have no row in class_attributes "
            f"(its classes are {_preview(classes)})."
        )
    return classes, rows


def encode_labels(y, classes):
    """Indices of ``y``'s labels in ``classes`` (all labels must be present)."""
    index = {label: i for i, label in enumerate(np.asarray(classes).tolist())}
    try:
        return np.fromiter((index[label] for label in np.asarray(y).tolist()), dtype=np.int64, count=len(y))
    except KeyError as exc:
        raise ValueError(
            f"Label {exc.args[0]!r} is not one of the model's classes {_preview(classes)}."
        ) from None
