"""joblib and cloudpickle (pickle: only for files you made yourself; they run code on loading)."""

import io

import cloudpickle
import joblib
import numpy as np
from _problem import X, small_model, table, y

model = small_model().fit(X, y, class_attributes=table)
buffer = io.BytesIO()
joblib.dump(model, buffer)
buffer.seek(0)
copies = {"joblib": joblib.load(buffer), "cloudpickle": cloudpickle.loads(cloudpickle.dumps(model))}
for name, loaded in copies.items():
    assert np.array_equal(loaded.decision_function(X), model.decision_function(X))
    print(f"{name}: same scores after loading")
