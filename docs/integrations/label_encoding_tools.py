"""Tools that re-encode the labels before fit are refused; loop over the folds instead."""

import numpy as np
from _problem import X, small_model, table, y
from sklearn.model_selection import cross_val_predict

from sklearn_crnet.model_selection import GZSLSplit

try:
    cross_val_predict(small_model(), X, y, method="predict_proba", params={"class_attributes": table})
except ValueError as error:
    print("refused:", str(error).split(":")[0])

# The same out-of-fold probabilities, one fold at a time (columns follow each model's classes_).
proba = np.zeros((len(y), 10))
for train, test in GZSLSplit(n_splits=2, random_state=0).split(X, y):
    model = small_model().fit(X[train], y[train], class_attributes=table)
    proba[test] = model.predict_proba(X[test])
print("out-of-fold probabilities:", proba.shape)
