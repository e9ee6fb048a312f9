"""mlflow's scikit-learn flavour at its default (skops) serialization."""

import tempfile
from pathlib import Path

import mlflow.sklearn
import numpy as np
from _problem import X, small_model, table, y

model = small_model().fit(X, y, class_attributes=table)
with tempfile.TemporaryDirectory() as folder:
    path = str(Path(folder) / "model")
    mlflow.sklearn.save_model(model, path, skops_trusted_types=["sklearn_crnet.CRNetClassifier"])
    loaded = mlflow.sklearn.load_model(path)
assert np.array_equal(loaded.predict(X), model.predict(X))
print("mlflow: same predictions after loading")
