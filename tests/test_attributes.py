"""Every accepted form of the class-attribute table, and every refused one."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_crnet import ClassAttributes, CRNetClassifier
from sklearn_crnet._attributes import resolve_class_attributes

from .conftest import FAST


def test_forms_agree(synthetic):
    table = synthetic.class_attributes
    y = synthetic.y_train
    from_frame = resolve_class_attributes(table, y, len(y))
    from_mapping = resolve_class_attributes(
        {label: row for label, row in zip(table.index, table.to_numpy(), strict=True)}, y, len(y)
    )
    from_array = resolve_class_attributes(table.to_numpy(), y, len(y))
    for classes, rows in (from_mapping, from_array):
        np.testing.assert_array_equal(classes, from_frame[0])
        np.testing.assert_array_equal(rows, from_frame[1])


def test_table_order_does_not_matter(synthetic):
    table = synthetic.class_attributes
    shuffled = table.iloc[np.random.RandomState(1).permutation(len(table))]
    a = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train, class_attributes=table)
    b = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train, class_attributes=shuffled)
    np.testing.assert_array_equal(a.classes_, b.classes_)
    np.testing.assert_allclose(a.predict_proba(synthetic.X_test), b.predict_proba(synthetic.X_test))


def test_string_labels_with_mapping():
    rng = np.random.RandomState(0)
    table = {"cat": [1, 0, 0], "dog": [0, 1, 0], "fox": [0, 0, 1], "owl": [1, 1, 0]}
    y = np.array(["cat", "dog", "fox"] * 10)
    X = rng.normal(size=(30, 4)) + np.array([{"cat": 0, "dog": 2, "fox": 4}[v] for v in y])[:, None]
    clf = CRNetClassifier(K=2, **FAST).fit(X, y, class_attributes=table)
    assert clf.classes_.tolist() == ["cat", "dog", "fox", "owl"]
    assert clf.unseen_classes_.tolist() == ["owl"]
    assert set(clf.predict(X)) <= set(table)


def test_array_table_needs_integer_labels():
    X = np.random.RandomState(0).normal(size=(6, 3))
    with pytest.raises(ValueError, match="DataFrame indexed by class label"):
        CRNetClassifier(K=1).fit(X, ["a", "b", "a", "b", "a", "b"], class_attributes=np.eye(3))
    with pytest.raises(ValueError, match=r"0\.\.2.*\[5\]"):
        CRNetClassifier(K=1).fit(X, [0, 1, 5, 0, 1, 5], class_attributes=np.eye(3))


@pytest.mark.parametrize(
    "table, message",
    [
        (np.ones(4), "must be 2-D"),
        (pd.DataFrame(np.eye(3), index=[0, 1, 1]), "duplicate class labels: \\['1'\\]"),
        (pd.DataFrame([[1.0, np.nan], [0, 1], [1, 1]]), "NaN or infinite.*\\[0\\]"),
        (pd.DataFrame([[1.0, np.inf], [0, 1], [1, 1]]), "NaN or infinite"),
        (pd.DataFrame(np.eye(3), index=[0, 1, 7]), "Labels \\[2\\] occur in y but have no row"),
        ({0: [1, 0], 1: [0, 1, 1], 2: [1, 1]}, "different lengths"),
        (pd.DataFrame(np.empty((3, 0))), "non-empty 2-D"),
    ],
)
def test_bad_tables_are_refused(table, message):
    X = np.random.RandomState(0).normal(size=(9, 3))
    y = np.array([0, 1, 2] * 3)
    with pytest.raises(ValueError, match=message):
        CRNetClassifier(K=1).fit(X, y, class_attributes=table)


def test_non_numeric_table_is_type_error():
    X = np.random.RandomState(0).normal(size=(6, 3))
    with pytest.raises(TypeError, match="must be numeric"):
        CRNetClassifier(K=1).fit(X, [0, 1] * 3, class_attributes=[["x", "y"], ["z", "w"]])


def test_table_as_long_as_X_is_refused_with_the_fix():
    X = np.random.RandomState(0).normal(size=(4, 3))
    with pytest.raises(ValueError, match="ClassAttributes\\(table\\)"):
        CRNetClassifier(K=1).fit(X, [0, 1, 2, 3], class_attributes=np.eye(4))


def test_grid_search_keeps_wrapped_table_whole_when_n_samples_equals_n_classes():
    """Without the wrapper GridSearchCV would slice a 12-row table per fold."""
    rng = np.random.RandomState(0)
    n = 12
    table = pd.DataFrame(rng.uniform(size=(n, 3)), index=np.arange(n))
    X = rng.normal(size=(n, 5))
    y = np.arange(n)
    seen_tables = []

    class Recording(CRNetClassifier):
        def fit(self, X, y, class_attributes=None):
            seen_tables.append(class_attributes)
            return super().fit(X, y, class_attributes=class_attributes)

    search = GridSearchCV(
        Recording(K=1, **FAST), {"alpha": [0.0, 1e-3]}, cv=KFold(3), error_score="raise"
    )
    search.fit(X, y, class_attributes=ClassAttributes(table))
    assert len(seen_tables) == 2 * 3 + 1
    for passed in seen_tables:
        assert isinstance(passed, ClassAttributes)
        assert passed.table.shape == (n, 3)
    # Every fit saw every class: those outside the fold became unseen, not lost.
    assert len(search.best_estimator_.classes_) == n

    with pytest.raises(ValueError, match="ClassAttributes"):
        GridSearchCV(CRNetClassifier(K=1, **FAST), {"alpha": [0.0]}, cv=KFold(3),
                     error_score="raise").fit(X, y, class_attributes=table)
