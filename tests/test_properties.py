"""Property-based tests (hypothesis) of the estimator's outputs."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_crnet import CRNetClassifier


@st.composite
def problems(draw):
    n_classes = draw(st.integers(3, 6))
    n_seen = draw(st.integers(2, n_classes))
    n_attributes = draw(st.integers(1, 4))
    n_features = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    labels = draw(st.sampled_from(["int", "str"]))
    names = np.arange(n_classes) if labels == "int" else np.array([f"c{i}" for i in range(n_classes)])
    table = pd.DataFrame(rng.uniform(size=(n_classes, n_attributes)), index=names)
    y = names[rng.randint(0, n_seen, size=6 * n_seen)]
    y[:n_seen] = names[:n_seen]  # every seen class appears
    X = rng.normal(size=(len(y), n_features)) * draw(st.floats(0.1, 10))
    return X, y, table, seed


SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _fit(X, y, table, seed):
    return CRNetClassifier(K=1, max_epochs=2, hidden_units=8, random_state=seed).fit(
        X, y, class_attributes=table)


@SETTINGS
@given(problems())
def test_predictions_are_classes_and_probabilities_sum_to_one(problem):
    X, y, table, seed = problem
    clf = _fit(X, y, table, seed)
    assert set(clf.predict(X).tolist()) <= set(clf.classes_.tolist())
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(table))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-9)
    assert np.all(proba >= 0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))


@SETTINGS
@given(problems(), st.randoms(use_true_random=False))
def test_invariant_to_the_order_of_the_table_rows(problem, random):
    X, y, table, seed = problem
    order = list(range(len(table)))
    random.shuffle(order)
    a = _fit(X, y, table, seed)
    b = _fit(X, y, table.iloc[order], seed)
    np.testing.assert_array_equal(a.classes_, b.classes_)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6, atol=1e-9)
