"""Class-disjoint model selection (``model_selection.py``): GZSLSplit, PredefinedClassSplit,
tune_calibration, searches and early stopping."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_validate

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.metrics import gzsl_scorer
from sklearn_crnet.model_selection import GZSLSplit, PredefinedClassSplit, tune_calibration

from .conftest import FAST

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
