"""dask-ml's GridSearchCV, run by dask's threaded scheduler."""

from _problem import X, small_model, table, y
from dask_ml.model_selection import GridSearchCV

from sklearn_crnet.model_selection import GZSLSplit

search = GridSearchCV(small_model(), {"K": [1, 3]}, cv=GZSLSplit(n_splits=2, random_state=0),
                      scheduler="threads")
search.fit(X, y, class_attributes=table)
print(f"dask-ml GridSearchCV: best {search.best_params_}")
