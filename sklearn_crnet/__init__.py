"""sklearn-crnet: generalized zero-shot learning with the Co-Representation Network."""

from ._attributes import ClassAttributes
from ._crnet import CRNetClassifier
from ._relation_net import RelationNetClassifier

__version__ = "0.1.0"

__all__ = ["CRNetClassifier", "ClassAttributes", "RelationNetClassifier", "__version__"]

# The public path is the one pickles and skops files record (skops users list
# "sklearn_crnet.CRNetClassifier" as a trusted type), whatever module defines the class.
for _public in (ClassAttributes, CRNetClassifier, RelationNetClassifier):
    _public.__module__ = __name__
del _public
