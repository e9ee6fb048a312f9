"""scikit-learn's GridSearchCV on a dask cluster through joblib's dask backend."""

import joblib
from _problem import X, small_model, table, y
from dask.distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV

from sklearn_crnet.model_selection import GZSLSplit

if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster, Client(cluster):
        search = GridSearchCV(small_model(), {"K": [1, 3]}, cv=GZSLSplit(n_splits=2, random_state=0))
        with joblib.parallel_backend("dask"):
            search.fit(X, y, class_attributes=table)
    print(f"dask joblib backend: best {search.best_params_}")
