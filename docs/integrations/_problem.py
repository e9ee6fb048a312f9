"""The small problem every integration snippet uses: a slice of the digits GZSL problem."""

from sklearn_crnet import ClassAttributes, CRNetClassifier
from sklearn_crnet.datasets import load_digits_gzsl

data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
X, y = data.X_train[:400], data.y_train[:400]
table = ClassAttributes(data.class_attributes)  # passed whole to every fold


def small_model(**params):
    """A CRnet small enough that a snippet runs in seconds."""
    return CRNetClassifier(**{"max_epochs": 2, "ensemble_size": 1, "hidden_units": 16,
                              "random_state": 0, **params})
