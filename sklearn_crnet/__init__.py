"""sklearn-crnet: generalized zero-shot learning with the Co-Representation Network."""

from ._attributes import ClassAttributes
from ._crnet import CRNetClassifier
from ._relation_net import RelationNetClassifier

__version__ = "0.1.0"

__all__ = ["CRNetClassifier", "ClassAttributes", "RelationNetClassifier", "__version__"]
