"""Checking and encoding what ``fit`` is given: features, labels, weights and the class table."""

import warnings

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._attributes import describe_labels, encode_labels, homogeneous_labels, resolve_class_attributes

__all__ = ["TrainingData", "present_classes", "validate_training_data", "warn_shared_rows"]


class TrainingData:
    """Validated training inputs: features, encoded labels, weights and the class table."""

    def __init__(self, X, y_encoded, sample_weight, classes, attributes, seen_mask,
                 n_features_in=None, feature_names_in=None):
        self.X = X
        self.y = y_encoded
        self.sample_weight = sample_weight
        self.classes = classes
        self.attributes = attributes
        self.seen_mask = seen_mask
        self.n_features_in = n_features_in
        self.feature_names_in = feature_names_in

    def subset(self, index):
        """The samples ``index`` over the same class table, their seen classes recomputed."""
        y = self.y[index]
        return TrainingData(self.X[index], y, self.sample_weight[index], self.classes,
                            self.attributes, present_classes(y, len(self.classes)))


def present_classes(y_encoded, n_classes):
    """Boolean mask over ``n_classes`` of the classes that occur in ``y_encoded``."""
    mask = np.zeros(n_classes, dtype=bool)
    mask[np.unique(y_encoded)] = True
    return mask


def validate_training_data(estimator, X, y, class_attributes, sample_weight):
    """Check and encode the inputs of ``estimator.fit``; nothing of ``estimator`` changes.

    Samples of weight 0 are dropped, so a class whose samples all weigh 0 is
    unseen. Raises ``ValueError`` when fewer than two classes remain seen.

    Returns
    -------
    data : TrainingData
    """
    # validate_data records n_features_in_ on its estimator: let it write on a parameters-only twin.
    probe = type(estimator).__new__(type(estimator))
    probe.__dict__.update(estimator.get_params(deep=False))
    X, y = validate_data(probe, X, y, dtype=np.float32)
    y = homogeneous_labels(y)
    check_classification_targets(y)
    classes, attributes = resolve_class_attributes(class_attributes, y, X.shape[0])
    y_encoded = encode_labels(y, classes)
    weights = _check_sample_weight(sample_weight, X, dtype=np.float32, ensure_non_negative=True)
    if not np.any(weights > 0):
        raise ValueError("sample_weight is zero for every sample; at least one must be positive.")
    keep = weights > 0
    if not keep.all():
        X, y_encoded, weights = X[keep], y_encoded[keep], weights[keep]
    seen_mask = present_classes(y_encoded, len(classes))
    if seen_mask.sum() < 2:
        raise ValueError(
            "Training needs samples of at least two classes; y holds only one class"
            f"{' with positive weight' if not keep.all() else ''}: "
            f"{describe_labels(classes[seen_mask])}."
        )
    return TrainingData(X, y_encoded, weights, classes, attributes, seen_mask,
                        probe.n_features_in_, getattr(probe, "feature_names_in_", None))


def warn_shared_rows(classes, scaled_rows, seen_mask, stacklevel=4):
    """Warn about classes whose row equals a seen class's: they share its anchor.

    ``scaled_rows`` are the rows after ``attribute_scaling``; they are compared
    in float32, the precision the network sees.
    """
    attributes = np.asarray(scaled_rows, dtype=np.float32)
    by_row = {}
    for label, row in zip(classes[seen_mask].tolist(), attributes[seen_mask].tolist(), strict=True):
        by_row.setdefault(tuple(row), []).append(label)
    for labels in by_row.values():
        if len(labels) > 1:
            warnings.warn(
                f"Seen classes {describe_labels(labels)} share one attribute row, so they get one "
                "anchor and the model cannot tell them apart: give each class its own row.",
                UserWarning, stacklevel=stacklevel)
    seen_rows = set(by_row)
    clashes = [label for label, row, seen in zip(classes.tolist(), attributes.tolist(), seen_mask,
                                                  strict=True) if not seen and tuple(row) in seen_rows]
    if clashes:
        warnings.warn(
            f"Unseen classes {describe_labels(clashes)} have the same attribute row as a seen "
            "class, so they get the same anchor and can never be predicted over it.",
            UserWarning, stacklevel=stacklevel)
