"""The class-attribute table that describes seen and unseen classes: reading, checking, scaling."""

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

__all__ = [
    "ClassAttributes",
    "align_class_attributes",
    "check_rows_representable",
    "check_distinct_labels",
    "describe_labels",
    "encode_labels",
    "homogeneous_labels",
    "label_kind",
    "resolve_class_attributes",
    "scale_attributes",
]


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
        labels = _plain_labels(table.index.to_numpy())
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
        return _plain_labels(labels), rows

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
            f"{describe_labels(np.unique(bad))}. Pass a pandas DataFrame indexed by class "
            "label or a mapping {label: attribute vector} instead."
        )
    labels = np.arange(n_rows)
    if y_labels.dtype.kind == "f":
        labels = labels.astype(y_labels.dtype)
    return labels, rows


def label_kind(value):
    """'str', 'bool', 'int', 'float' or 'other': the kind of a class label."""
    if isinstance(value, str):
        return "str"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    return "other"


def _plain_labels(labels):
    """Labels of one kind (all str, int, float or bool) as a plain array, else as objects.

    Labels of mixed kinds stay Python objects, so that a key ``7`` next to
    ``"a"`` remains the integer 7 rather than the string "7".
    """
    values = np.asarray(labels, dtype=object).tolist()
    kinds = {label_kind(v) for v in values}
    if len(kinds) == 1 and kinds != {"other"}:
        return np.asarray(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def homogeneous_labels(y):
    """Object-dtype labels of one kind (all ints, all floats or all strings) as a plain array.

    scikit-learn treats object arrays of numbers as an unknown target type;
    converting them keeps such labels usable. Labels of mixed kinds are
    refused here with a clear error, never silently turned into strings.
    """
    if y.dtype != object or y.size == 0:
        return y
    kinds = {label_kind(v) for v in y.tolist()}
    if len(kinds) > 1:
        raise ValueError(
            f"y mixes label types {sorted(kinds)}; use labels of one type (e.g. all strings "
            "or all integers), matching the class-attribute table's labels."
        )
    return _plain_labels(y) if kinds != {"other"} else y


def describe_labels(values, limit=10):
    """A short printable list of labels, e.g. ``[2, 5, 9]`` or ``['cat', ... (40 in all)]``."""
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


def check_distinct_labels(labels):
    """Refuse labels that are equal as Python values (1, True, 1.0) or as text (1, "1")."""
    values = labels.tolist()
    groups = {}
    for value in values:
        groups.setdefault(value, []).append(value)
    text_groups = {}
    for value in values:
        text_groups.setdefault(str(value), []).append(value)
    clashes = [g for g in list(groups.values()) + list(text_groups.values()) if len(g) > 1]
    if not clashes:
        return
    exact = [g for g in clashes if len({(type(v).__name__, repr(v)) for v in g}) == 1]
    if exact:
        raise ValueError(
            "class_attributes has duplicate class labels: "
            f"{describe_labels(sorted({str(g[0]) for g in exact}))}. Each class needs exactly one row."
        )
    raise ValueError(
        f"class_attributes has labels that are different values but compare or print equal: "
        f"{describe_labels(clashes[0])}. They would merge classes; use labels of one type, each once."
    )


def resolve_class_attributes(class_attributes, y, n_samples, source="occur in y"):
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
    source : str, default="occur in y"
        How the error message describes labels of ``y`` missing from the table.

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
            f"{describe_labels(labels[bad_rows])}."
        )
    check_distinct_labels(labels)

    order = _sorted_order(labels)
    classes, rows = labels[order], rows[order]
    index = {label: i for i, label in enumerate(classes.tolist())}
    missing = [label for label in np.unique(y).tolist() if label not in index]
    if missing:
        raise ValueError(
            f"Labels {describe_labels(missing)} {source} but have no row in class_attributes "
            f"(its classes are {describe_labels(classes)})."
        )
    return classes, rows


def align_class_attributes(class_attributes, seen_classes, seen_rows):
    """Read a new table for a fitted model: every seen class must keep its row.

    Parameters
    ----------
    class_attributes : DataFrame, mapping, 2-D array-like or ClassAttributes
        The new table.
    seen_classes : ndarray of shape (n_seen,)
        The model's seen classes.
    seen_rows : ndarray of shape (n_seen, P)
        Their rows in the table the model was trained with.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
    attributes : ndarray of shape (n_classes, P)
        The new table's rows, with the seen classes' rows as trained.
    """
    if class_attributes is None:
        raise TypeError("class_attributes must be a table; got None.")
    classes, rows = resolve_class_attributes(class_attributes, np.asarray(seen_classes), 0,
                                             source="are seen classes of the model")
    if rows.shape[1] != seen_rows.shape[1]:
        raise ValueError(
            f"The new table has {rows.shape[1]} attributes; the model was trained with "
            f"{seen_rows.shape[1]}."
        )
    position = encode_labels(seen_classes, classes)
    changed = ~np.all(np.isclose(rows[position], seen_rows, rtol=1e-7, atol=1e-9), axis=1)
    if changed.any():
        raise ValueError(
            f"Seen classes {describe_labels(np.asarray(seen_classes)[changed])} have rows in the "
            "new table that differ from those the model was trained with; a fitted model can only "
            "add or change unseen classes (refit to change a seen class)."
        )
    rows[position] = seen_rows
    return classes, rows


def encode_labels(y, classes):
    """Indices of ``y``'s labels in ``classes`` (all labels must be present)."""
    index = {label: i for i, label in enumerate(np.asarray(classes).tolist())}
    try:
        return np.fromiter((index[label] for label in np.asarray(y).tolist()), dtype=np.int64, count=len(y))
    except KeyError as exc:
        raise ValueError(
            f"Label {exc.args[0]!r} is not one of the model's classes {describe_labels(classes)}."
        ) from None


def scale_attributes(attributes, scaling, reference_rows):
    """Apply ``attribute_scaling`` to attribute rows.

    Parameters
    ----------
    attributes : ndarray of shape (n_classes, P)
        Rows to transform.
    scaling : None, "l2", "standard" or float
        None leaves rows as given; "l2" divides each row by its norm;
        "standard" z-scores each attribute with the mean and standard
        deviation of ``reference_rows``; a number multiplies every value.
    reference_rows : ndarray of shape (n_seen, P)
        Rows that define the "standard" statistics (the seen classes).

    Returns
    -------
    scaled : ndarray of shape (n_classes, P)
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if scaling is None:
            return attributes.copy()
        if isinstance(scaling, str) and scaling == "l2":
            norms = np.linalg.norm(attributes, axis=1, keepdims=True)
            return attributes / np.where(norms == 0, 1.0, norms)
        if isinstance(scaling, str) and scaling == "standard":
            mean = reference_rows.mean(axis=0)
            std = reference_rows.std(axis=0)
            return (attributes - mean) / np.where(std == 0, 1.0, std)
        return attributes * float(scaling)


def check_rows_representable(classes, rows, what="after attribute_scaling"):
    """Raise ``ValueError`` naming the classes whose ``rows`` are not finite in float32."""
    with np.errstate(over="ignore"):
        finite = np.isfinite(np.asarray(rows, dtype=np.float32)).all(axis=1)
    if not finite.all():
        raise ValueError(
            f"The attribute rows of classes {describe_labels(np.asarray(classes)[~finite])} are not "
            f"finite float32 numbers {what}; scale them down (e.g. attribute_scaling='l2').")
