"""Grid search fanned out to a dask.distributed cluster gives the sequential result."""

import time

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.metrics import gzsl_scorer
from sklearn_crnet.model_selection import GZSLSplit

distributed = pytest.importorskip("distributed", reason="pip install 'sklearn-crnet[distributed]'")


def _limit_threads():
    import torch

    torch.set_num_threads(1)


@pytest.mark.slow
def test_dask_grid_search_matches_sequential(synthetic):
    grid = {"alpha": [0.0, 1e-3], "calibration": [0.0, 0.5, 1.0]}
    cv = GZSLSplit(n_splits=2, random_state=0)

    def search(n_jobs):
        model = CRNetClassifier(K=2, max_epochs=15, hidden_units=32, lr=1e-3, random_state=0)
        return GridSearchCV(model, grid, cv=cv, scoring=gzsl_scorer, n_jobs=n_jobs,
                            error_score="raise").fit(
            synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)

    start = time.perf_counter()
    sequential = search(n_jobs=None)
    sequential_s = time.perf_counter() - start

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        client.run(_limit_threads)
        start = time.perf_counter()
        with joblib.parallel_backend("dask"):
            parallel = search(n_jobs=-1)
        parallel_s = time.perf_counter() - start

    print(f"\nsequential {sequential_s:.1f} s, dask with 2 workers {parallel_s:.1f} s")
    assert parallel.best_params_ == sequential.best_params_
    np.testing.assert_allclose(parallel.cv_results_["mean_test_score"],
                               sequential.cv_results_["mean_test_score"], rtol=1e-6)
