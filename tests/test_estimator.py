"""CRNetClassifier's contract: outputs, reproducibility, persistence, ecosystem, bad input."""

import io
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.metrics import gzsl_report

from .conftest import FAST


@pytest.fixture(scope="module")
def fitted(synthetic):
    return CRNetClassifier(K=2, **FAST).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes
    )


def test_fitted_attributes(fitted, synthetic):
    np.testing.assert_array_equal(fitted.classes_, np.arange(20))
    np.testing.assert_array_equal(fitted.seen_classes_, synthetic.seen_classes)
    np.testing.assert_array_equal(fitted.unseen_classes_, synthetic.unseen_classes)
    np.testing.assert_array_equal(fitted.class_attributes_, synthetic.class_attributes.to_numpy())
    assert fitted.field_centres_.shape == (2, 4)
    assert fitted.anchors_.shape == (20, 16)
    assert fitted.n_features_in_ == 16
    assert fitted.n_iter_ == FAST["max_epochs"]
    assert fitted.device_ == "cpu"


def test_outputs_are_consistent(fitted, synthetic):
    X = synthetic.X_test
    proba = fitted.predict_proba(X)
    scores = fitted.decision_function(X)
    pred = fitted.predict(X)
    assert proba.shape == scores.shape == (len(X), 20)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(fitted.classes_[proba.argmax(1)], pred)
    np.testing.assert_array_equal(fitted.classes_[scores.argmax(1)], pred)
    relation = fitted.relation_scores(X)
    assert relation.min() >= 0 and relation.max() <= 1
    np.testing.assert_allclose(relation, 1 / (1 + np.exp(-scores)), rtol=1e-6)


def test_recognises_unseen_synthetic_classes(synthetic):
    """On clearly synthetic data with known structure, unseen classes are recognised."""
    clf = CRNetClassifier(K=3, max_epochs=40, hidden_units=64, lr=1e-3, random_state=0)
    clf.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    report = gzsl_report(synthetic.y_test, clf.predict(synthetic.X_test),
                         seen_classes=clf.seen_classes_, unseen_classes=clf.unseen_classes_)
    # Chance over 20 classes is 0.05; a model ignoring attributes has Au = 0.
    assert report["Au"] > 0.4 and report["As"] > 0.6 and report["H"] > 0.5


def test_calibration_shifts_predictions_towards_unseen(fitted, synthetic):
    X = synthetic.X_test
    unseen_share = []
    for offset in (-50.0, 0.0, 50.0):
        fitted.set_params(calibration=offset)
        unseen_share.append(np.isin(fitted.predict(X), fitted.unseen_classes_).mean())
    fitted.set_params(calibration=0.0)
    assert unseen_share[0] == 0.0 and unseen_share[2] == 1.0
    assert unseen_share[0] <= unseen_share[1] <= unseen_share[2]


def test_chunked_prediction_matches_one_chunk(fitted, synthetic):
    full = fitted.decision_function(synthetic.X_test)
    tiny_budget = sklearn.clone(fitted).set_params(predict_memory_mb=1e-4)
    tiny_budget.__dict__.update({k: v for k, v in fitted.__dict__.items() if k.endswith("_")})
    np.testing.assert_allclose(tiny_budget.decision_function(synthetic.X_test), full, rtol=1e-5)


def test_same_random_state_same_model_and_global_rng_untouched(synthetic):
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                         class_attributes=synthetic.class_attributes)
    assert torch.rand(1) == before  # fit did not consume the global torch RNG
    b = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                         class_attributes=synthetic.class_attributes)
    np.testing.assert_array_equal(a.decision_function(synthetic.X_test),
                                  b.decision_function(synthetic.X_test))
    c = CRNetClassifier(K=2, **{**FAST, "random_state": 1}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert not np.allclose(a.decision_function(synthetic.X_test),
                           c.decision_function(synthetic.X_test))


def test_no_table_is_ordinary_classifier():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(c * 3, 1, size=(30, 4)) for c in range(3)])
    y = np.repeat(["a", "b", "c"], 30)
    clf = CRNetClassifier(K=2, max_epochs=60, hidden_units=32, lr=1e-3, random_state=0).fit(X, y)
    assert clf.classes_.tolist() == ["a", "b", "c"]
    assert len(clf.unseen_classes_) == 0
    assert clf.score(X, y) > 0.9
    np.testing.assert_array_equal(clf.class_attributes_, np.eye(3))


def test_score_is_harmonic_mean(fitted, synthetic):
    from sklearn_crnet.metrics import harmonic_mean_score

    expected = harmonic_mean_score(
        synthetic.y_test, fitted.predict(synthetic.X_test),
        seen_classes=fitted.seen_classes_, unseen_classes=fitted.unseen_classes_,
    )
    assert fitted.score(synthetic.X_test, synthetic.y_test) == pytest.approx(expected)


def test_joblib_round_trip(fitted, synthetic, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict(synthetic.X_test), fitted.predict(synthetic.X_test))
    np.testing.assert_array_equal(loaded.decision_function(synthetic.X_test),
                                  fitted.decision_function(synthetic.X_test))


def test_model_pickled_for_cuda_loads_on_cpu(fitted, synthetic, monkeypatch):
    """A model whose net was on CUDA at save time loads and predicts on a CPU-only machine.

    Without a GPU this is simulated: the pickled net records device 'cuda' (as a
    CUDA fit would); skorch maps its tensors to the CPU when loading.
    """
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    saved = pickle.loads(pickle.dumps(fitted))
    saved.net_.device = "cuda"
    saved.device_ = "cuda"
    buffer = io.BytesIO()
    joblib.dump(saved, buffer)
    buffer.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = joblib.load(buffer)
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_array_equal(loaded.predict(synthetic.X_test), fitted.predict(synthetic.X_test))


def test_grid_search(synthetic):
    search = GridSearchCV(
        CRNetClassifier(K=2, **FAST), {"alpha": [0.0, 1e-3], "beta": [0.0, 1e-3]},
        cv=2, error_score="raise",
    )
    search.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert set(search.best_params_) == {"alpha", "beta"}
    assert len(search.best_estimator_.classes_) == 20
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_pipeline_with_routed_table(synthetic):
    pipe = Pipeline([("scale", StandardScaler()), ("crnet", CRNetClassifier(K=2, **FAST))])
    pipe.fit(synthetic.X_train, synthetic.y_train, crnet__class_attributes=synthetic.class_attributes)
    assert pipe.predict(synthetic.X_test).shape == (len(synthetic.X_test),)
    assert len(pipe.classes_) == 20


def test_metadata_routing(synthetic):
    with sklearn.config_context(enable_metadata_routing=True):
        clf = CRNetClassifier(K=2, **FAST).set_fit_request(class_attributes=True)
        pipe = Pipeline([("scale", StandardScaler()), ("crnet", clf)])
        pipe.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
        assert len(pipe[-1].unseen_classes_) == 5
        search = GridSearchCV(clf, {"alpha": [0.0, 1e-3]}, cv=2, error_score="raise")
        search.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
        assert len(search.best_estimator_.classes_) == 20


def test_pandas_inputs(synthetic):
    X = pd.DataFrame(synthetic.X_train, columns=[f"f{i}" for i in range(16)])
    y = pd.Series(synthetic.y_train)
    clf = CRNetClassifier(K=2, **FAST).fit(X, y, class_attributes=synthetic.class_attributes)
    assert list(clf.feature_names_in_) == list(X.columns)
    assert clf.predict(X.iloc[:5]).shape == (5,)


def test_unavailable_cuda_is_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 4)), np.arange(30) % 3
    with pytest.raises(ValueError, match="CUDA is not available"):
        CRNetClassifier(K=1, **{**FAST, "random_state": 0}, device="cuda").fit(X, y)
