"""A hyperparameter search spread over a Dask cluster through joblib."""

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

from skmem import RNNClassifier

distributed = pytest.importorskip("dask.distributed")


def test_grid_search_on_a_local_cluster_matches_the_serial_search():
    rng = np.random.RandomState(0)
    X = rng.randint(2, 8, size=(120, 6))
    y = (X == 7).any(axis=1)
    grid = {"hidden_size": [4, 8], "lr": [0.003, 0.03], "cell": ["gru", "lstm"]}  # 8 candidates
    estimator = RNNClassifier(max_epochs=3, random_state=0)
    serial = GridSearchCV(estimator, grid, cv=2).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster), parallel_backend("dask"):
        spread = GridSearchCV(estimator, grid, cv=2, n_jobs=-1).fit(X, y)
    assert len(spread.cv_results_["params"]) == 8
    assert spread.best_params_ == serial.best_params_
    np.testing.assert_allclose(spread.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(spread.predict(X), serial.predict(X))
