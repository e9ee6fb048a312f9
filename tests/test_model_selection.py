"""Class-disjoint model selection (``model_selection.py``): GZSLSplit, PredefinedClassSplit,
tune_calibration, calibration="auto", searches and early stopping."""

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_validate

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.io import load_model, save_model
from sklearn_crnet.metrics import gzsl_report, gzsl_scorer, seen_unseen_curve
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


def test_tune_calibration_default_offsets_span_where_any_fold_prediction_flips(synthetic):
    """The default range follows the fold models' own scores, not a fixed scale."""
    X, y, table = synthetic.X_train, synthetic.y_train, synthetic.class_attributes
    template = CRNetClassifier(K=2, **FAST)
    cv = GZSLSplit(n_splits=2, random_state=0)
    best, results = tune_calibration(template, X, y, class_attributes=table, cv=cv)
    flips = []
    for train, val in cv.split(X, y):
        model = clone(template).fit(X[train], y[train], class_attributes=table)
        flips.append(seen_unseen_curve(model, X[val], y[val])[0][1:-1])
    flips = np.concatenate(flips)
    assert results.offsets.min() == pytest.approx(min(flips.min(), 0.0))
    assert results.offsets.max() == pytest.approx(max(flips.max(), 0.0))
    assert 0.0 in results.offsets and np.all(np.diff(results.offsets) > 0)
    assert len(results.offsets) >= 101
    assert best in results.offsets and results.mean_validation_H.max() > 0


# -- calibration="auto" --------------------------------------------------------

# Fixed settings, not the defaults (the cooperation module at 5x, the default when these tests were
# written): the folds then choose a positive offset, which the first test needs in order to see it.
AUTO = dict(K=2, max_epochs=15, hidden_units=32, lr=1e-3, ensemble_size=1, cooperation_lr_multiplier=5.0,
            random_state=0)


@pytest.fixture(scope="module")
def auto_calibrated(synthetic):
    return CRNetClassifier(calibration="auto", **AUTO).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


def test_auto_calibration_is_tune_calibration_on_folds_of_the_training_data(auto_calibrated, synthetic):
    X, y, table = synthetic.X_train, synthetic.y_train, synthetic.class_attributes
    seed = np.random.RandomState(AUTO["random_state"]).randint(np.iinfo(np.int32).max)
    expected, results = tune_calibration(CRNetClassifier(**AUTO), X, y, class_attributes=table,
                                         cv=GZSLSplit(n_splits=3, random_state=seed))
    assert expected > 0  # the folds do favour unseen classes here, so the offset is visible
    assert auto_calibrated.calibration_ == expected
    seen = np.isin(auto_calibrated.classes_, auto_calibrated.seen_classes_)
    np.testing.assert_array_equal(auto_calibrated.calibration_offsets_, expected * seen)
    # The network is the one calibration=0 trains from the same seed; only the offset differs.
    plain = CRNetClassifier(**AUTO).fit(X, y, class_attributes=table)
    assert plain.calibration_ == 0.0
    np.testing.assert_allclose(auto_calibrated.decision_function(synthetic.X_test) + expected * seen,
                               plain.decision_function(synthetic.X_test), rtol=1e-5, atol=1e-5)


def test_auto_calibration_moves_a_digits_model_towards_unseen_digits(digits):
    """On real data where uncalibrated CRnet favours seen digits, "auto" recalls more unseen ones.

    An offset of 0 would leave Au as it is; one that swings every prediction to
    the unseen digits would drop As to 0.
    """
    # Two networks of 64 units: a model that favours the seen digits without an offset.
    params = dict(ensemble_size=2, hidden_units=64, n_threads=1, random_state=0)
    X, y = digits.X_test, digits.y_test
    reports = {}
    for calibration in (0.0, "auto"):
        model = CRNetClassifier(calibration=calibration, **params).fit(
            digits.X_train, digits.y_train, class_attributes=digits.class_attributes)
        reports[calibration] = gzsl_report(y, model.predict(X), seen_classes=model.seen_classes_,
                                           unseen_classes=model.unseen_classes_)
    assert model.calibration_ > 0
    assert reports["auto"]["Au"] > reports[0.0]["Au"] + 0.1
    assert reports["auto"]["As"] > 0.4 and reports["auto"]["H"] > 0.4


def test_auto_calibration_needs_three_seen_classes():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 3)), np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match=r'calibration="auto" .* at least 3 seen classes; y has 2: \[0, 1\]'):
        CRNetClassifier(K=1, calibration="auto", **FAST).fit(X, y, class_attributes=np.eye(3))


def test_auto_calibration_without_unseen_classes_tunes_nothing(synthetic):
    X, y = synthetic.X_train, synthetic.y_train
    seen_only = synthetic.class_attributes.loc[np.unique(y)]
    model = CRNetClassifier(K=2, calibration="auto", **FAST).fit(X, y, class_attributes=seen_only)
    assert model.calibration_ == 0.0
    assert CRNetClassifier(K=1, calibration="auto", **FAST).fit(X[:20], y[:20] % 2).calibration_ == 0.0


def test_auto_calibration_is_kept_by_saving_pickling_and_warm_start(auto_calibrated, synthetic, tmp_path):
    X = synthetic.X_test
    for copy in (load_model(save_model(auto_calibrated, tmp_path / "auto.crnet")),
                 joblib.load(joblib.dump(auto_calibrated, tmp_path / "auto.joblib")[0])):
        assert copy.calibration == "auto" and copy.calibration_ == auto_calibrated.calibration_
        np.testing.assert_array_equal(copy.predict(X), auto_calibrated.predict(X))
    continued = clone(auto_calibrated).set_params(warm_start=True, max_epochs=1)
    continued.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    first = continued.calibration_
    continued.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert continued.n_iter_ == 2 and continued.calibration_ == first


def test_auto_calibration_with_early_stopping_tunes_after_choosing_epochs(synthetic):
    model = CRNetClassifier(calibration="auto", early_stopping=True, **{**AUTO, "max_epochs": 4})
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert 1 <= model.best_epoch_ <= 4
    assert np.isfinite(model.calibration_)
