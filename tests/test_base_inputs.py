"""The bad-input matrix of fit and predict (``_base.py``): every case is refused with a clear
ValueError/TypeError naming the problem (never a torch error, a NaN result or a silently wrong
model), or, where the input is legitimate, works."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from sklearn_crnet import ClassAttributes, CRNetClassifier, RelationNetClassifier

from .conftest import FAST

RNG = np.random.RandomState(0)
X = RNG.normal(size=(30, 4))
Y = np.arange(30) % 3
TABLE = pd.DataFrame(RNG.uniform(size=(4, 3)), index=[0, 1, 2, 3])


def _with(X=X, y=Y, table=TABLE, **params):
    return lambda: CRNetClassifier(**{"K": 2, **FAST, **params}).fit(X, y, class_attributes=table)


def _poke(array, value, at=(2, 1)):
    array = np.array(array, dtype=float)
    array[at] = value
    return array


REFUSED = {  # case: (call, error type, message pattern)
    "NaN in X": (_with(X=_poke(X, np.nan)), ValueError, "Input X contains NaN"),
    "inf in X": (_with(X=_poke(X, np.inf)), ValueError, "Input X contains infinity"),
    "NaN in table": (_with(table=pd.DataFrame(_poke(TABLE, np.nan))), ValueError,
                     r"NaN or infinite values in the rows of classes \[2\]"),
    "inf in table": (_with(table=pd.DataFrame(_poke(TABLE, -np.inf))), ValueError,
                     "NaN or infinite"),
    "1-D table": (_with(table=np.ones(4)), ValueError, r"must be 2-D .*shape \(4,\)"),
    "3-D table": (_with(table=np.ones((4, 3, 2))), ValueError, r"must be 2-D .*shape \(4, 3, 2\)"),
    "pandas Series as table": (_with(table=pd.Series([1.0, 2, 3, 4])), ValueError, "Series"),
    "table without rows": (_with(table=np.empty((0, 3))), ValueError, "labels must be integers"),
    "table without attributes": (_with(table=pd.DataFrame(index=[0, 1, 2])), ValueError,
                                 "non-empty 2-D"),
    "labels missing from table": (_with(table=TABLE.drop(index=[1])), ValueError,
                                  r"Labels \[1\] occur in y but have no row"),
    "duplicate labels in table": (_with(table=pd.DataFrame(np.eye(4), index=[0, 1, 2, 2])),
                                  ValueError, r"duplicate class labels: \['2'\]"),
    "non-numeric table": (_with(table=pd.DataFrame([["a"]] * 4)), TypeError, "must be numeric"),
    "array table with string labels": (_with(y=np.array(list("abc") * 10), table=np.eye(3)),
                                       ValueError, "Pass a pandas DataFrame"),
    "ClassAttributes(None)": (_with(table=ClassAttributes(None)), TypeError, "not a table"),
    "one seen class": (_with(y=np.zeros(30, dtype=int)), ValueError, "only one class: \\[0\\]"),
    "NaN calibration": (_with(calibration=np.nan), ValueError, "'calibration' parameter"),
    "infinite calibration": (_with(calibration=np.inf), ValueError, "'calibration' parameter"),
    "negative sample weight": (lambda: CRNetClassifier(K=2, **FAST).fit(
        X, Y, class_attributes=TABLE, sample_weight=-np.ones(30)), ValueError,
        "Negative values in data passed to `sample_weight`"),
    "all sample weights zero": (lambda: CRNetClassifier(K=2, **FAST).fit(
        X, Y, class_attributes=TABLE, sample_weight=np.zeros(30)), ValueError, "at least one non-zero"),
    "table labels 1 and True": (_with(table=pd.DataFrame(np.eye(4), index=[0, 1, 2, True])),
                                ValueError, r"compare or print equal: \[1, True\]"),
    "table labels 2 and 2.0": (_with(table=pd.DataFrame(np.eye(4), index=[0, 1, 2, 2.0])),
                               ValueError, r"duplicate class labels: \['2.0'\]"),
    "table labels 1 and '1'": (_with(table={0: [0.0], 1: [1.0], 2: [2.0], "1": [3.0]}),
                               ValueError, "compare or print equal"),
    "unknown n_threads": (_with(n_threads=0), ValueError, "'n_threads' parameter"),
    "unknown precision": (_with(precision="float16"), ValueError, "'precision' parameter"),
    "unknown regularization": (_with(regularization="l1"), ValueError, "'regularization' parameter"),
    "empty X": (_with(X=X[:0], y=Y[:0]), ValueError, "0 sample"),
    "1-D X": (_with(X=X[:, 0]), ValueError, "Expected 2D array, got 1D array"),
    "X and y lengths differ": (_with(y=Y[:-1]), ValueError, r"inconsistent numbers of samples: \[30, 29\]"),
    "continuous y": (_with(y=Y + 0.5), ValueError, "Unknown label type"),
    "NaN in y": (_with(y=_poke(Y.astype(float)[:, None], np.nan, (3, 0)).ravel()), ValueError,
                 "Input y contains NaN"),
    "sparse X": (_with(X=sp.csr_matrix(X)), TypeError, "Sparse data was passed"),
    "complex X": (_with(X=X + 1j), ValueError, "Complex data not supported"),
    "negative alpha": (_with(alpha=-1.0), ValueError, r"'alpha' parameter .* range \[0.0, inf\). Got -1.0"),
    "negative beta": (_with(beta=-1e-3), ValueError, r"'beta' parameter .* range \[0.0, inf\)"),
    "negative lr": (_with(lr=-1e-3), ValueError, r"'lr' parameter .* range \(0.0, inf\)"),
    "zero epochs": (_with(max_epochs=0), ValueError, "'max_epochs' parameter"),
    "unknown attribute scaling": (_with(attribute_scaling="max"), ValueError,
                                  "'attribute_scaling' parameter"),
    "unknown device": (_with(device="tpu:7"), ValueError, "device='tpu:7'"),
    "mixed str and int labels": (_with(y=np.array(["a", 1, 2] * 10, dtype=object),
                                       table={"a": [0], 1: [1], 2: [2]}), ValueError,
                                 r"y mixes label types \['int', 'str'\]"),
    "diverging training": (_with(X=X * 1e30, lr=1e6, hidden_units=8, max_epochs=5),
                           FloatingPointError, "Lower the learning rate"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_a_clear_error(case):
    call, error, message = REFUSED[case]
    with pytest.raises(error, match=message):
        call()


@pytest.fixture(scope="module")
def fitted():
    return CRNetClassifier(K=2, **FAST).fit(X, Y, class_attributes=TABLE)


@pytest.mark.parametrize(
    "case, bad_X, error, message",
    [
        ("wrong feature count", np.zeros((2, 5)), ValueError, "has 5 features, but .* 4 features"),
        ("NaN at predict", _poke(np.zeros((3, 4)), np.nan), ValueError, "Input X contains NaN"),
        ("inf at predict", _poke(np.zeros((3, 4)), np.inf), ValueError, "infinity"),
        ("empty at predict", np.zeros((0, 4)), ValueError, "0 sample"),
    ],
)
@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_refused_at_prediction(fitted, method, case, bad_X, error, message):
    with pytest.raises(error, match=message):
        getattr(fitted, method)(bad_X)


def test_score_refuses_labels_the_model_does_not_know(fitted):
    with pytest.raises(ValueError, match=r"labels \[7\] that are not classes of the model"):
        fitted.score(X[:3], [0, 1, 7])
    with pytest.raises(ValueError, match=r"labels \['a'\] that are not classes"):
        fitted.score(X[:3], np.array(["a", "a", "a"]))


def test_mapping_keys_keep_their_types():
    table = {"a": [1.0, 0.0], "b": [0.0, 1.0], 7: [1.0, 1.0]}
    y = np.array(["a", "b"] * 15)
    clf = CRNetClassifier(K=1, **FAST).fit(X, y, class_attributes=table)
    assert clf.unseen_classes_.tolist() == [7]
    assert isinstance(clf.unseen_classes_[0], int)
    assert set(clf.predict(X).tolist()) <= {"a", "b", 7}


def test_k_larger_than_distinct_seen_rows_is_reduced_with_a_warning():
    with pytest.warns(UserWarning, match=r"K=4 exceeds the 3 distinct seen-class attribute rows"):
        clf = CRNetClassifier(K=4, **FAST).fit(X, Y, class_attributes=TABLE)
    assert clf.field_centres_.shape == (3, 3)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "score"])
def test_unfitted(method):
    args = (X, Y) if method == "score" else (X,)
    with pytest.raises(NotFittedError):
        getattr(CRNetClassifier(), method)(*args)


# -- inputs that must work ------------------------------------------------------

@pytest.mark.parametrize("estimator", [CRNetClassifier, RelationNetClassifier])
@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog", "owl"]), np.array(["cat", "dog", "owl"], dtype=object),
     np.array([10, 20, 30], dtype=object), np.array([True, False, True])[:2]],
    ids=["str", "object-str", "object-int", "bool"],
)
def test_string_object_and_bool_labels_work(estimator, labels):
    y = labels[Y % len(labels)]
    extra = "zebra" if labels.dtype.kind in "UO" and isinstance(labels[0], str) else None
    table = {label: RNG.uniform(size=3) for label in labels.tolist()}
    if extra:
        table[extra] = RNG.uniform(size=3)
    params = {"K": 2} if estimator is CRNetClassifier else {}
    clf = estimator(**params, **FAST).fit(X + np.arange(30)[:, None] % 3, y, class_attributes=table)
    predicted = clf.predict(X)
    assert set(predicted.tolist()) <= set(table)
    assert np.isfinite(clf.predict_proba(X)).all()
    if extra:
        assert clf.unseen_classes_.tolist() == [extra]


def test_pandas_everything_works():
    frame = pd.DataFrame(X, columns=list("wxyz"))
    labels = pd.Series(np.array(["a", "b", "c"])[Y], name="label")
    table = pd.DataFrame(RNG.uniform(size=(4, 3)), index=["a", "b", "c", "d"],
                         columns=["striped", "furry", "big"])
    clf = CRNetClassifier(K=2, **FAST).fit(frame, labels, class_attributes=table)
    assert clf.predict(frame).dtype.kind in "OU"
    assert clf.unseen_classes_.tolist() == ["d"]
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)  # fitted with names, predicted without: sklearn's usual warning

