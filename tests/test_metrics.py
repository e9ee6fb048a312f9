"""GZSL metrics (``metrics.py``): per-class accuracies, H, LRD, the seen-unseen curve, AUSUC."""

import copy

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from benchmarks.bench_metrics import quadratic_curve
from sklearn_crnet import CRNetClassifier
from sklearn_crnet.metrics import (
    ausuc,
    gzsl_report,
    gzsl_scorer,
    harmonic_mean_score,
    local_relative_distance,
    mean_per_class_accuracy,
    model_local_relative_distance,
    per_class_accuracy,
    seen_unseen_curve,
    seen_unseen_curve_from_scores,
    zsl_scorer,
)
from sklearn_crnet.model_selection import GZSLSplit

from .conftest import FAST


@pytest.fixture(scope="module")
def trained(synthetic):
    clf = CRNetClassifier(K=3, max_epochs=40, hidden_units=64, random_state=0)
    return clf.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


def test_per_class_accuracy_hand_computed():
    y_true = [0, 0, 0, 0, 1, 2, 2]
    y_pred = [0, 0, 0, 1, 1, 0, 2]
    np.testing.assert_allclose(per_class_accuracy(y_true, y_pred), [0.75, 1.0, 0.5])
    acc = per_class_accuracy(y_true, y_pred, labels=[2, 9])
    assert acc[0] == 0.5 and np.isnan(acc[1])


def test_harmonic_mean_uses_per_class_not_per_sample_averages():
    # Seen class 0 has 9 samples all right, seen class 1 one sample wrong:
    # per-sample seen accuracy would be 0.9, per-class As is 0.5.
    y_true = np.array([0] * 9 + [1] + [2, 2])
    y_pred = np.array([0] * 9 + [0] + [2, 0])
    report = gzsl_report(y_true, y_pred, seen_classes=[0, 1], unseen_classes=[2])
    assert report["As"] == pytest.approx(0.5)
    assert report["Au"] == pytest.approx(0.5)
    assert report["H"] == pytest.approx(0.5)
    assert harmonic_mean_score(y_true, y_pred, seen_classes=[0, 1], unseen_classes=[2]) == (
        pytest.approx(2 * 0.5 * 0.5 / 1.0)
    )


def test_harmonic_mean_asymmetric_values():
    y_true = [0, 1, 2, 2, 2, 2]
    y_pred = [0, 1, 2, 0, 0, 0]
    # As = 1.0, Au = 0.25 -> H = 2*0.25/1.25 = 0.4
    assert harmonic_mean_score(y_true, y_pred, seen_classes=[0, 1], unseen_classes=[2]) == (
        pytest.approx(0.4)
    )


def test_harmonic_mean_undefined_without_unseen_samples():
    with pytest.raises(ValueError, match="no unseen class"):
        harmonic_mean_score([0, 1], [0, 1], seen_classes=[0, 1], unseen_classes=[2])


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


@pytest.mark.parametrize("seed", range(8))
def test_fast_curve_equals_the_quadratic_definition(seed):
    rng = np.random.RandomState(seed)
    n, n_classes = rng.randint(5, 60), rng.randint(3, 9)
    classes = np.arange(n_classes) * 10
    seen_classes = classes[: rng.randint(1, n_classes)]
    y = classes[rng.randint(0, n_classes, n)]
    scores = rng.normal(size=(n, n_classes))
    if seed % 2:  # coarse scores: ties between classes and equal gaps
        scores = np.round(scores)
    offsets, seen, unseen = seen_unseen_curve_from_scores(y, scores, classes=classes,
                                                          seen_classes=seen_classes)
    expected_seen, expected_unseen = quadratic_curve(y, scores, classes, seen_classes, offsets)
    np.testing.assert_allclose(seen, expected_seen, atol=1e-9)
    np.testing.assert_allclose(unseen, expected_unseen, atol=1e-9)
    # Offsets chosen by hand, some exactly at a gap (ties go to the first class, as argmax)
    seen = np.isin(classes, seen_classes)
    grid = np.concatenate([np.linspace(-3, 3, 13),
                           np.unique(scores[:, seen].max(1) - scores[:, ~seen].max(1))])
    _, seen, unseen = seen_unseen_curve_from_scores(y, scores, classes=classes,
                                                    seen_classes=seen_classes, offsets=grid)
    expected_seen, expected_unseen = quadratic_curve(y, scores, classes, seen_classes, grid)
    np.testing.assert_allclose(seen, expected_seen, atol=1e-9)
    np.testing.assert_allclose(unseen, expected_unseen, atol=1e-9)


def test_curve_input_checks():
    with pytest.raises(ValueError, match="shape"):
        seen_unseen_curve_from_scores([0, 1], np.zeros((2, 2)), classes=[0, 1, 2], seen_classes=[0])
    with pytest.raises(ValueError, match="both seen and unseen"):
        seen_unseen_curve_from_scores([0, 1], np.zeros((2, 3)), classes=[0, 1, 2],
                                      seen_classes=[0, 1, 2])


def test_search_over_a_pipeline_is_scored_through_its_transforms(synthetic):
    """ausuc(GridSearchCV(Pipeline)) must scale X as the pipeline does before scoring."""
    X_train, X_test = synthetic.X_train * 50 + 3, synthetic.X_test * 50 + 3  # scaling matters
    search = GridSearchCV(make_pipeline(StandardScaler(), CRNetClassifier(K=2, **FAST)),
                          {"crnetclassifier__alpha": [0.0, 1e-3]}, cv=GZSLSplit(n_splits=2, random_state=0))
    search.fit(X_train, synthetic.y_train, crnetclassifier__class_attributes=synthetic.class_attributes)
    pipe = search.best_estimator_
    manual = seen_unseen_curve_from_scores(
        synthetic.y_test, pipe[-1].decision_function(pipe[0].transform(X_test)),
        classes=pipe[-1].classes_, seen_classes=pipe[-1].seen_classes_)
    via_search = seen_unseen_curve(search, X_test, synthetic.y_test)
    for ours, theirs in zip(via_search, manual, strict=True):
        np.testing.assert_allclose(ours, theirs)
    assert ausuc(search, X_test, synthetic.y_test) == pytest.approx(ausuc(pipe, X_test, synthetic.y_test))
    assert gzsl_scorer(search, X_test, synthetic.y_test) == pytest.approx(
        pipe[-1].score(pipe[0].transform(X_test), synthetic.y_test))


def test_zsl_scorer_searches_unseen_classes_only(trained, synthetic):
    unseen = np.isin(synthetic.y_test, synthetic.unseen_classes)
    X, y = synthetic.X_test[unseen], synthetic.y_test[unseen]
    accuracy = zsl_scorer(trained, X, y)
    predicted = trained.predict(X, classes="unseen")
    assert accuracy == pytest.approx(mean_per_class_accuracy(y, predicted, synthetic.unseen_classes))
    # Without seen classes to compete with, the unseen classes are found at least as often.
    assert accuracy >= gzsl_report(y, trained.predict(X), seen_classes=trained.seen_classes_,
                                   unseen_classes=trained.unseen_classes_)["Au"]
    with pytest.raises(ValueError, match="unseen-class samples only"):
        zsl_scorer(trained, synthetic.X_test, synthetic.y_test)


def test_zsl_scorer_takes_a_fitted_search(synthetic):
    unseen = np.isin(synthetic.y_test, synthetic.unseen_classes)
    X, y = synthetic.X_test[unseen], synthetic.y_test[unseen]
    search = GridSearchCV(make_pipeline(StandardScaler(), CRNetClassifier(K=2, **FAST)),
                          {"crnetclassifier__alpha": [0.0, 1e-3]}, cv=GZSLSplit(n_splits=2, random_state=0))
    search.fit(synthetic.X_train, synthetic.y_train,
               crnetclassifier__class_attributes=synthetic.class_attributes)
    pipe = search.best_estimator_
    expected = mean_per_class_accuracy(y, pipe.predict(X, classes="unseen"), synthetic.unseen_classes)
    assert zsl_scorer(search, X, y) == pytest.approx(expected)


def test_weighted_per_class_accuracy():
    acc = per_class_accuracy([0, 0, 1], [0, 1, 1], sample_weight=[3.0, 1.0, 1.0])
    np.testing.assert_allclose(acc, [0.75, 1.0])


# -- which classes a metric searches -------------------------------------------

def _partial_test_set(synthetic, n_unseen_kept):
    """Test samples of the seen classes and of only the first ``n_unseen_kept`` unseen classes."""
    kept_unseen = np.asarray(synthetic.unseen_classes)[:n_unseen_kept]
    keep = np.isin(synthetic.y_test, synthetic.seen_classes) | np.isin(synthetic.y_test, kept_unseen)
    return synthetic.X_test[keep], synthetic.y_test[keep], kept_unseen


def test_scores_search_the_seen_classes_and_the_unseen_classes_present(trained, synthetic):
    """A class-disjoint fold never holds the test's unseen classes, so they must not be candidates."""
    X, y, kept_unseen = _partial_test_set(synthetic, 2)
    # An absent unseen class close to a present one (as digit 6 is to 9) attracts its samples.
    original, trained = trained, copy.deepcopy(trained)
    table = synthetic.class_attributes.copy()
    table.loc[99] = table.loc[kept_unseen[0]] + 0.05 * table.std()
    trained.set_class_attributes(table)
    searched = np.concatenate([trained.seen_classes_, kept_unseen])
    expected = harmonic_mean_score(y, trained.predict(X, classes=searched),
                                   seen_classes=trained.seen_classes_,
                                   unseen_classes=trained.unseen_classes_)
    assert trained.score(X, y) == pytest.approx(expected)
    assert gzsl_scorer(trained, X, y) == pytest.approx(expected)
    # The absent unseen classes do attract samples when searched, so the rule changes the figure.
    everywhere = trained.predict(X)
    absent = np.setdiff1d(trained.unseen_classes_, kept_unseen)
    assert np.isin(everywhere, absent).any()
    assert trained.score(X, y) > harmonic_mean_score(
        y, everywhere, seen_classes=trained.seen_classes_, unseen_classes=trained.unseen_classes_)
    # With every unseen class present the score is H of predict over all classes.
    assert original.score(synthetic.X_test, synthetic.y_test) == pytest.approx(harmonic_mean_score(
        synthetic.y_test, original.predict(synthetic.X_test), seen_classes=original.seen_classes_,
        unseen_classes=original.unseen_classes_))


def test_seen_only_labels_keep_every_unseen_class_as_a_candidate(trained, synthetic):
    seen = np.isin(synthetic.y_test, synthetic.seen_classes)
    X, y = synthetic.X_test[seen], synthetic.y_test[seen]
    expected = mean_per_class_accuracy(y, trained.predict(X), trained.seen_classes_)
    assert trained.score(X, y) == pytest.approx(expected)


def test_curve_and_zsl_scorer_search_the_same_classes(trained, synthetic):
    X, y, kept_unseen = _partial_test_set(synthetic, 2)
    searched = np.isin(trained.classes_, np.concatenate([trained.seen_classes_, kept_unseen]))
    manual = seen_unseen_curve_from_scores(y, trained.decision_function(X)[:, searched]
                                           + trained.calibration_offsets_[searched],
                                           classes=trained.classes_[searched],
                                           seen_classes=trained.seen_classes_)
    for ours, theirs in zip(seen_unseen_curve(trained, X, y), manual, strict=True):
        np.testing.assert_allclose(ours, theirs)
    unseen = np.isin(y, kept_unseen)
    assert zsl_scorer(trained, X[unseen], y[unseen]) == pytest.approx(mean_per_class_accuracy(
        y[unseen], trained.predict(X[unseen], classes=kept_unseen), trained.unseen_classes_))


def test_wrapped_models_search_the_same_classes(trained, synthetic):
    """Pipelines and searches take the decision_function route; it must agree with the model's own."""
    X, y, kept_unseen = _partial_test_set(synthetic, 2)
    model = copy.deepcopy(trained)
    table = synthetic.class_attributes.copy()
    table.loc[99] = table.loc[kept_unseen[0]] + 0.05 * table.std()  # an absent class that attracts
    model.set_class_attributes(table)
    pipe = Pipeline([("identity", FunctionTransformer()), ("model", model)])  # wraps the fitted model
    pipe[0].fit(X)
    expected = model.score(X, y)
    assert expected > harmonic_mean_score(y, model.predict(X), seen_classes=model.seen_classes_,
                                          unseen_classes=model.unseen_classes_)
    assert gzsl_scorer(pipe, X, y) == pytest.approx(expected)
