"""Metadata routing: the class table requested by the estimator and routed by the search."""

import sklearn
from _problem import X, small_model, table, y
from sklearn.model_selection import GridSearchCV

from sklearn_crnet.model_selection import GZSLSplit

with sklearn.config_context(enable_metadata_routing=True):
    model = small_model().set_fit_request(class_attributes=True, sample_weight=False)
    search = GridSearchCV(model, {"K": [1, 3]}, cv=GZSLSplit(n_splits=2, random_state=0))
    search.fit(X, y, class_attributes=table)
print(f"routed: best {search.best_params_}")
