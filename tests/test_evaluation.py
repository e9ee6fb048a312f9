"""Issue 3: scorer, LRD, seen-unseen curve, AUSUC, GZSLSplit, early stopping, grid search."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.metrics import (
    ausuc,
    gzsl_report,
    gzsl_scorer,
    local_relative_distance,
    model_local_relative_distance,
    seen_unseen_curve,
)
from sklearn_crnet.model_selection import GZSLSplit, PredefinedClassSplit, tune_calibration

from .conftest import FAST


@pytest.fixture(scope="module")
def trained(synthetic):
    clf = CRNetClassifier(K=3, max_epochs=40, hidden_units=64, lr=1e-3, random_state=0)
    return clf.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


# -- LRD -----------------------------------------------------------------------

@pytest.mark.parametrize("s1, s2, u", [(0.0, 1.0, 0.3), (0.0, 1.0, 0.8), (2.0, 7.0, 3.0), (2.0, 7.0, 6.5)])
def test_lrd_matches_paper_eq14_in_one_dimension(s1, s2, u):
    lrd = local_relative_distance([[s1], [s2]], [[u]])
    assert lrd[0] == pytest.approx(min(u - s1, s2 - u) / (s2 - s1))


def test_lrd_uses_nearest_seen_and_its_nearest_neighbour():
    seen = [[0.0], [1.0], [3.0]]
    # u=2.5: nearest seen is 3, whose nearest seen is 1 (distance 2): 0.5 / 2
    np.testing.assert_allclose(local_relative_distance(seen, [[0.3], [2.5]]), [0.3, 0.25])


def test_lrd_standardises_each_dimension():
    seen = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 100.0]])
    unseen = np.array([[0.5, 0.0]])
    scaled = seen * [1, 0.01]
    # Rescaling one dimension leaves the standardised distances unchanged.
    np.testing.assert_allclose(local_relative_distance(seen, unseen),
                               local_relative_distance(scaled, unseen * [1, 0.01]))


def test_lrd_input_checks():
    with pytest.raises(ValueError, match="at least two seen anchors"):
        local_relative_distance([[0.0]], [[1.0]])
    with pytest.raises(ValueError, match="same number of columns"):
        local_relative_distance([[0.0], [1.0]], [[1.0, 2.0]])


def test_model_lrd_one_value_per_unseen_class(trained):
    lrd = model_local_relative_distance(trained)
    assert lrd.shape == (len(trained.unseen_classes_),)
    assert np.all(lrd > 0) and np.isfinite(lrd).all()


# -- curve and AUSUC -----------------------------------------------------------

def test_seen_unseen_curve_spans_both_extremes_and_is_monotone(trained, synthetic):
    offsets, seen, unseen = seen_unseen_curve(trained, synthetic.X_test, synthetic.y_test)
    assert np.all(np.diff(offsets) > 0)
    assert unseen[0] == 0.0 and seen[-1] == 0.0
    assert np.all(np.diff(seen) <= 1e-12) and np.all(np.diff(unseen) >= -1e-12)
    # The uncalibrated model is one point of the curve.
    report = gzsl_report(synthetic.y_test, trained.predict(synthetic.X_test),
                         seen_classes=trained.seen_classes_, unseen_classes=trained.unseen_classes_)
    _, s0, u0 = seen_unseen_curve(trained, synthetic.X_test, synthetic.y_test, offsets=[0.0])
    assert (s0[0], u0[0]) == pytest.approx((report["As"], report["Au"]))


def test_ausuc_hand_computed_and_bounded(trained, synthetic):
    offsets, seen, unseen = seen_unseen_curve(trained, synthetic.X_test, synthetic.y_test)
    expected = sum((unseen[i + 1] - unseen[i]) * (seen[i + 1] + seen[i]) / 2
                   for i in range(len(offsets) - 1))
    area = ausuc(trained, synthetic.X_test, synthetic.y_test)
    assert area == pytest.approx(expected)
    assert 0.3 < area <= 1.0  # a working model on this synthetic problem; chance is far lower


def test_curve_through_pipeline(synthetic):
    pipe = make_pipeline(StandardScaler(), CRNetClassifier(K=2, **FAST))
    pipe.fit(synthetic.X_train, synthetic.y_train,
             crnetclassifier__class_attributes=synthetic.class_attributes)
    area = ausuc(pipe, synthetic.X_test, synthetic.y_test)
    assert 0.0 <= area <= 1.0
    assert gzsl_scorer(pipe, synthetic.X_test, synthetic.y_test) == pytest.approx(
        pipe[-1].score(pipe[0].transform(synthetic.X_test), synthetic.y_test))


# -- GZSLSplit -----------------------------------------------------------------

def test_gzsl_split_folds_are_class_disjoint_and_rotate():
    y = np.repeat(np.arange(10), 20)
    X = np.zeros((len(y), 2))
    splitter = GZSLSplit(n_splits=5, unseen_fraction=0.2, test_size=0.25, random_state=0)
    held_out_all = []
    for train, val in splitter.split(X, y):
        assert not set(train) & set(val)
        assert len(train) + len(val) == len(y)
        held_out = set(y[val]) - set(y[train])
        assert len(held_out) == 2
        for label in held_out:  # held-out classes are wholly in validation
            assert np.sum(y[val] == label) == 20
        for label in set(y[train]):  # others give a quarter of their samples
            assert np.sum(y[val] == label) == 5
        held_out_all += sorted(held_out)
    assert sorted(held_out_all) == list(range(10))  # each class held out exactly once
    assert splitter.get_n_splits() == 5


def test_gzsl_split_refuses_too_few_classes():
    with pytest.raises(ValueError, match="needs at least 3 classes"):
        next(GZSLSplit(n_splits=1).split(np.zeros((4, 1)), [0, 0, 1, 1]))


def test_predefined_class_split():
    y = np.repeat(np.arange(6), 10)
    train, val = next(PredefinedClassSplit([1, 4], test_size=0.2, random_state=0).split(
        np.zeros((60, 1)), y))
    assert not {1, 4} & set(y[train])
    assert {1, 4} <= set(y[val])
    with pytest.raises(ValueError, match=r"\[9\] have no samples"):
        next(PredefinedClassSplit([9]).split(np.zeros((60, 1)), y))


@pytest.mark.parametrize("search_cls", [GridSearchCV, RandomizedSearchCV])
def test_searches_with_gzsl_split_score_real_h(search_cls, synthetic):
    cv = GZSLSplit(n_splits=2, unseen_fraction=0.2, random_state=0)
    params = {"alpha": [0.0, 1e-3], "calibration": [0.0, 1.0]}
    kwargs = {"n_iter": 2, "random_state": 0} if search_cls is RandomizedSearchCV else {}
    search = search_cls(CRNetClassifier(K=2, max_epochs=40, hidden_units=64, lr=1e-3,
                                        random_state=0),
                        params, cv=cv, scoring=gzsl_scorer, error_score="raise", **kwargs)
    search.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert set(search.best_params_) == {"alpha", "calibration"}
    # Each fold's validation holds unseen classes, so the scores are H values.
    assert search.best_score_ > 0
    assert len(search.best_estimator_.unseen_classes_) == 5


def test_cross_validate_fold_models_treat_held_out_classes_as_unseen(synthetic):
    cv = GZSLSplit(n_splits=2, random_state=0)
    result = cross_validate(CRNetClassifier(K=2, **FAST), synthetic.X_train, synthetic.y_train,
                            cv=cv, params={"class_attributes": synthetic.class_attributes},
                            return_estimator=True, return_indices=True)
    for model, train in zip(result["estimator"], result["indices"]["train"], strict=True):
        assert set(model.seen_classes_) == set(synthetic.y_train[train])
        assert len(model.unseen_classes_) == 20 - len(set(synthetic.y_train[train]))


# -- early stopping ------------------------------------------------------------

def test_early_stopping_picks_epochs_on_validation_and_refits(synthetic):
    clf = CRNetClassifier(K=3, max_epochs=30, hidden_units=64, lr=1e-3, random_state=0,
                          early_stopping=True, patience=5)
    clf.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    scores = clf.validation_scores_
    assert clf.best_epoch_ == int(np.argmax(scores)) + 1
    assert clf.n_iter_ == clf.best_epoch_
    assert len(scores) <= 30
    if len(scores) < 30:  # stopped early: patience epochs without improvement
        assert len(scores) - clf.best_epoch_ == 5
    # The final model knows every seen class, not only the validation split's.
    np.testing.assert_array_equal(clf.seen_classes_, synthetic.seen_classes)


def test_early_stopping_needs_three_seen_classes():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 3)), np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match="class-disjoint validation"):
        CRNetClassifier(K=1, early_stopping=True, **FAST).fit(X, y, class_attributes=np.eye(3))


def test_tune_calibration_matches_explicit_refits(synthetic):
    """The sweep without refits gives each offset the validation H a refit would get."""
    template = CRNetClassifier(K=2, max_epochs=15, hidden_units=32, lr=1e-3, random_state=0)
    cv = GZSLSplit(n_splits=2, random_state=0)
    offsets = [0.0, 0.5, 1.0]
    best, results = tune_calibration(template, synthetic.X_train, synthetic.y_train,
                                     class_attributes=synthetic.class_attributes, cv=cv,
                                     offsets=offsets)
    X, y = synthetic.X_train, synthetic.y_train
    for i, offset in enumerate(offsets):
        fold_h = []
        for train, val in cv.split(X, y):
            model = CRNetClassifier(**{**template.get_params(), "calibration": offset})
            model.fit(X[train], y[train], class_attributes=synthetic.class_attributes)
            fold_h.append(model.score(X[val], y[val]))
        assert results.mean_validation_H[i] == pytest.approx(np.mean(fold_h))
    assert best == offsets[int(np.argmax(results.mean_validation_H))]
