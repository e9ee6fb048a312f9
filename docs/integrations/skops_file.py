"""skops: the scikit-learn ecosystem's safe file format (no code runs on loading)."""

import tempfile
from pathlib import Path

import numpy as np
import skops.io as sio
from _problem import X, small_model, table, y

model = small_model().fit(X, y, class_attributes=table)
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "model.skops"
    sio.dump(model, path)
    print("types to trust:", sio.get_untrusted_types(file=path))
    loaded = sio.load(path, trusted=["sklearn_crnet.CRNetClassifier"])
assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
print("skops: same probabilities after loading")
