"""The shared estimator (``_base.py``): outputs, reproducibility, atomic fit, warm start,
sample weights, classes after fit, restricted search, persistence and the ecosystem."""

import io
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet.io import load_model, save_model

from .conftest import FAST

ESTIMATORS = [CRNetClassifier, RelationNetClassifier]


def _make(cls, **params):
    extra = {"K": 2} if cls is CRNetClassifier else {}
    return cls(**{**extra, **FAST, **params})


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
    assert fitted.lr_ == pytest.approx(0.2 / 64)  # lr="auto": 0.2 / 16 features, capped at 0.2 / 64


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


def test_calibration_offsets_are_what_decision_function_subtracts(fitted, synthetic):
    X = synthetic.X_test
    raw = fitted.decision_function(X)
    fitted.set_params(calibration=1.5)
    try:
        offsets = fitted.calibration_offsets_
        np.testing.assert_array_equal(offsets, 1.5 * np.isin(fitted.classes_, fitted.seen_classes_))
        np.testing.assert_allclose(fitted.decision_function(X) + offsets, raw, rtol=1e-6, atol=1e-6)
    finally:
        fitted.set_params(calibration=0.0)


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
    fitted.set_params(predict_memory_mb=1e-4)
    try:
        np.testing.assert_allclose(fitted.decision_function(synthetic.X_test), full, rtol=1e-5)
    finally:
        fitted.set_params(predict_memory_mb=32)


# -- restricted search ------------------------------------------------------------

def test_predict_among_a_subset_of_classes(fitted, synthetic):
    X = synthetic.X_test
    unseen = fitted.predict(X, classes="unseen")
    assert set(unseen) <= set(fitted.unseen_classes_)
    scores = fitted.decision_function(X)
    mask = np.isin(fitted.classes_, fitted.unseen_classes_)
    np.testing.assert_array_equal(unseen, fitted.classes_[mask][scores[:, mask].argmax(1)])
    assert set(fitted.predict(X, classes="seen")) <= set(fitted.seen_classes_)
    assert set(fitted.predict(X, classes=[3, 17])) <= {3, 17}
    with pytest.raises(ValueError, match=r"classes \[42\] are not among"):
        fitted.predict(X, classes=[3, 42])
    with pytest.raises(ValueError, match="classes must be None, 'seen', 'unseen'"):
        fitted.predict(X, classes="novel")


# -- reproducibility ----------------------------------------------------------------

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


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fits_in_threads_equal_serial_fits(cls, synthetic):
    """Each fit seeds its own generator, so concurrent fits do not disturb each other."""
    args = (synthetic.X_train, synthetic.y_train)
    table = synthetic.class_attributes
    serial = [_make(cls, random_state=s, n_threads=1).fit(*args, class_attributes=table)
              for s in (0, 1)]
    threaded = [_make(cls, random_state=s, n_threads=1) for s in (0, 1)]
    workers = [threading.Thread(target=m.fit, args=args, kwargs={"class_attributes": table})
               for m in threaded]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for a, b in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(a.decision_function(synthetic.X_test),
                                      b.decision_function(synthetic.X_test))


def test_thread_count_is_chosen_and_restored(synthetic):
    before = torch.get_num_threads()
    auto = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                            class_attributes=synthetic.class_attributes)
    assert auto.n_threads_ == 1  # a small problem runs on one thread
    fixed = CRNetClassifier(K=2, **FAST, n_threads=2).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert fixed.n_threads_ == 2
    assert torch.get_num_threads() == before


# -- atomic fit -----------------------------------------------------------------------

def _fail(error):
    # Raised outside any callback's own frame: for KeyboardInterrupt this is how a
    # Ctrl-C arrives (a callback's own KeyboardInterrupt means "stop", as in skorch).
    raise error()


class _Interrupt(Callback):
    def __init__(self, error=KeyboardInterrupt):
        self.error = error

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 2:
            _fail(self.error)


def _snapshot(model, X):
    return {k: v for k, v in vars(model).items()}, model.decision_function(X)


@pytest.mark.parametrize("error", [KeyboardInterrupt, FloatingPointError])
def test_failed_refit_leaves_the_fitted_model_intact(fitted, synthetic, tmp_path, error):
    model = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                             class_attributes=synthetic.class_attributes)
    before, scores = _snapshot(model, synthetic.X_test)
    model.set_params(callbacks=[_Interrupt(error)], K=3)
    other_table = synthetic.class_attributes.iloc[:18]
    with pytest.raises(error):
        model.fit(synthetic.X_train[:, :8], synthetic.y_train, class_attributes=other_table)
    model.set_params(callbacks=None, K=2)
    after, scores_after = _snapshot(model, synthetic.X_test)
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] is before[key], key
    np.testing.assert_array_equal(scores_after, scores)
    save_model(model, tmp_path / "still-good.crnet")  # and it still saves and loads
    np.testing.assert_array_equal(load_model(tmp_path / "still-good.crnet").decision_function(
        synthetic.X_test), scores)


class _SlowEpochs(Callback):
    def on_epoch_end(self, net, **kwargs):
        time.sleep(0.2)


def test_a_real_ctrl_c_during_a_refit_propagates_and_keeps_the_model(synthetic):
    model = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                             class_attributes=synthetic.class_attributes)
    before, scores = _snapshot(model, synthetic.X_test)
    model.set_params(callbacks=[_SlowEpochs()], max_epochs=50)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.6, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    after, scores_after = _snapshot(model, synthetic.X_test)
    assert all(after[key] is before[key] for key in before if key.endswith("_"))
    np.testing.assert_array_equal(scores_after, scores)


def test_failed_first_fit_leaves_the_model_unfitted(synthetic):
    model = CRNetClassifier(K=2, **FAST, callbacks=[_Interrupt(FloatingPointError)])
    with pytest.raises(FloatingPointError):
        model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert not [k for k in vars(model) if k.endswith("_")]
    with pytest.raises(NotFittedError):
        model.predict(synthetic.X_test)


def test_refit_drops_attributes_of_the_previous_fit(synthetic):
    model = CRNetClassifier(K=2, **{**FAST, "max_epochs": 4}, early_stopping=True, patience=2)
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert hasattr(model, "best_epoch_")
    model.set_params(early_stopping=False).fit(synthetic.X_train, synthetic.y_train,
                                               class_attributes=synthetic.class_attributes)
    assert not hasattr(model, "best_epoch_") and not hasattr(model, "validation_scores_")


# -- warm start, callbacks, sample weights --------------------------------------------------

class _CountEpochs(Callback):
    def initialize(self):
        self.epochs = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_warm_start_continues_training(cls, synthetic):
    args = (synthetic.X_train, synthetic.y_train)
    counter = _CountEpochs()
    model = _make(cls, warm_start=True, callbacks=[("count", counter)])
    model.fit(*args, class_attributes=synthetic.class_attributes)
    first_losses = list(model.net_.history[:, "train_loss"])
    model.fit(*args, class_attributes=synthetic.class_attributes)
    assert model.n_iter_ == 2 * FAST["max_epochs"]
    assert list(model.net_.history[:, "train_loss"])[:FAST["max_epochs"]] == first_losses
    assert counter.epochs == FAST["max_epochs"]  # the user's callback ran (re-initialised per fit)
    cold = _make(cls, warm_start=False).fit(*args, class_attributes=synthetic.class_attributes)
    assert cold.n_iter_ == FAST["max_epochs"]
    with pytest.raises(ValueError, match="same features"):
        model.fit(synthetic.X_train, synthetic.y_train,
                  class_attributes=synthetic.class_attributes.iloc[:19])


def test_callbacks_must_be_skorch_callbacks(synthetic):
    with pytest.raises(TypeError, match="item 0 is str"):
        CRNetClassifier(K=2, **FAST, callbacks=["print"]).fit(
            synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_sample_weight_ones_and_zeros(cls, synthetic):
    X, y, table = synthetic.X_train, synthetic.y_train, synthetic.class_attributes
    plain = _make(cls).fit(X, y, class_attributes=table)
    ones = _make(cls).fit(X, y, class_attributes=table, sample_weight=np.ones(len(y)))
    np.testing.assert_array_equal(plain.decision_function(X), ones.decision_function(X))
    weights = (np.arange(len(y)) % 4 != 0).astype(float)  # drop every fourth sample
    zeros = _make(cls).fit(X, y, class_attributes=table, sample_weight=weights)
    removed = _make(cls).fit(X[weights > 0], y[weights > 0], class_attributes=table)
    np.testing.assert_array_equal(zeros.decision_function(X), removed.decision_function(X))


def test_sample_weight_favours_the_weighted_class(synthetic):
    X, y, table = synthetic.X_train, synthetic.y_train, synthetic.class_attributes
    settings = dict(K=2, max_epochs=20, hidden_units=32, random_state=0)
    plain = CRNetClassifier(**settings).fit(X, y, class_attributes=table)
    weights = np.where(y == 0, 20.0, 1.0)
    weighted = CRNetClassifier(**settings).fit(X, y, class_attributes=table, sample_weight=weights)
    share = [np.mean(m.predict(synthetic.X_test) == 0) for m in (plain, weighted)]
    assert share[0] < 0.5  # the unweighted model has learned more than one class
    assert share[1] > share[0]


def test_weight_of_a_whole_class_zero_makes_it_unseen(synthetic):
    X, y, table = synthetic.X_train, synthetic.y_train, synthetic.class_attributes
    model = CRNetClassifier(K=2, **FAST).fit(X, y, class_attributes=table,
                                             sample_weight=(y != 3).astype(float))
    assert 3 in model.unseen_classes_


# -- classes after fit ----------------------------------------------------------------------

@pytest.mark.parametrize("cls", ESTIMATORS)
def test_classes_added_after_fit_predict_like_a_full_table_fit(cls, digits, tmp_path):
    table = digits.class_attributes
    seen_only = table.loc[digits.seen_classes]
    settings = dict(max_epochs=5, random_state=0)
    full = cls(**settings).fit(digits.X_train, digits.y_train, class_attributes=table)
    later = cls(**settings).fit(digits.X_train, digits.y_train, class_attributes=seen_only)
    assert later.unseen_classes_.size == 0
    assert later.set_class_attributes(table) is later
    np.testing.assert_array_equal(later.classes_, full.classes_)
    np.testing.assert_array_equal(later.unseen_classes_, [2, 5, 9])
    np.testing.assert_array_equal(later.predict(digits.X_test), full.predict(digits.X_test))
    # Projecting 10 rows instead of 7 may round differently in the last float32 bit.
    np.testing.assert_allclose(later.decision_function(digits.X_test),
                               full.decision_function(digits.X_test), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(later.anchors_, full.anchors_, rtol=1e-5, atol=1e-6)
    # ... after a round trip through both file formats
    loaded = load_model(save_model(later, tmp_path / "later.crnet"))
    np.testing.assert_array_equal(loaded.predict(digits.X_test), full.predict(digits.X_test))
    buffer = io.BytesIO()
    joblib.dump(later, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(joblib.load(buffer).predict(digits.X_test),
                                  full.predict(digits.X_test))
    # ... and as the last step of a Pipeline
    pipe = make_pipeline(StandardScaler(), cls(**settings))
    pipe.fit(digits.X_train, digits.y_train, **{f"{cls.__name__.lower()}__class_attributes": seen_only})
    pipe[-1].set_class_attributes(table)
    reference = make_pipeline(StandardScaler(), cls(**settings))
    reference.fit(digits.X_train, digits.y_train,
                  **{f"{cls.__name__.lower()}__class_attributes": table})
    np.testing.assert_array_equal(pipe.predict(digits.X_test), reference.predict(digits.X_test))
    assert pipe.predict_proba(digits.X_test).shape == (len(digits.X_test), 10)


def test_set_class_attributes_keeps_seen_rows(fitted, synthetic):
    table = synthetic.class_attributes.copy()
    changed = table.copy()
    changed.iloc[0] += 0.5  # class 0 is seen
    with pytest.raises(ValueError, match=r"Seen classes \[0\] have rows in the new table that differ"):
        fitted.set_class_attributes(changed)
    with pytest.raises(ValueError, match=r"Labels \[0\] are seen classes of the model but have no row"):
        fitted.set_class_attributes(table.drop(index=0))
    with pytest.raises(ValueError, match="new table has 3 attributes"):
        fitted.set_class_attributes(table.iloc[:, :3])
    np.testing.assert_array_equal(fitted.classes_, np.arange(20))  # unchanged by the failures
    replaced = table.drop(index=[18, 19])
    replaced.loc[40] = [0.1, 0.2, 0.3, 0.4]
    model = pickle.loads(pickle.dumps(fitted))
    model.set_class_attributes(replaced)
    assert model.unseen_classes_.tolist() == [15, 16, 17, 40]
    assert model.predict_proba(synthetic.X_test).shape == (len(synthetic.X_test), 19)
    with pytest.raises(NotFittedError):
        CRNetClassifier().set_class_attributes(table)


# -- warnings -------------------------------------------------------------------------------

def test_warns_when_training_makes_no_progress():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 6)) * 1e3 + np.repeat(np.arange(3), 40)[:, None]
    y = np.repeat(np.arange(3), 40)
    with pytest.warns(ConvergenceWarning, match="no progress|one class"):
        CRNetClassifier(K=2, lr=10.0, max_epochs=5, random_state=0).fit(X, y)


def test_warns_when_an_unseen_row_duplicates_a_seen_row():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 3)), np.arange(40) % 2
    table = {0: [1.0, 0.0], 1: [0.0, 1.0], 2: [1.0, 0.0]}
    with pytest.warns(UserWarning, match=r"Unseen classes \[2\] have the same attribute row"):
        CRNetClassifier(K=1, **FAST).fit(X, y, class_attributes=table)


# -- persistence and the ecosystem ------------------------------------------------------------

def test_joblib_round_trip(fitted, synthetic, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict(synthetic.X_test), fitted.predict(synthetic.X_test))
    np.testing.assert_array_equal(loaded.decision_function(synthetic.X_test),
                                  fitted.decision_function(synthetic.X_test))
    assert list(loaded.net_.history[:, "train_loss"]) == list(fitted.net_.history[:, "train_loss"])


def test_pickle_does_not_touch_the_original(fitted):
    pickle.dumps(fitted)
    assert hasattr(fitted, "net_") and hasattr(fitted, "anchors_")


def test_model_pickled_on_cuda_loads_on_cpu(fitted, synthetic, monkeypatch):
    """Simulated without a GPU: the pickled state records CUDA as the device."""
    state = fitted.__getstate__()
    state["device_"] = "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = CRNetClassifier.__new__(CRNetClassifier)
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        loaded.__setstate__(state)
    assert loaded.device_ == "cpu"
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
    assert set(pipe.predict(synthetic.X_test, classes="unseen")) <= set(synthetic.unseen_classes)
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
        CRNetClassifier(K=1, **FAST, device="cuda").fit(X, y)


def test_imports_under_python_oo():
    """Docstrings are None under -OO; the shared-docs substitution must cope."""
    result = subprocess.run([sys.executable, "-OO", "-c", "import sklearn_crnet, sklearn_crnet.io, "
                             "sklearn_crnet.plotting; print(sklearn_crnet.CRNetClassifier().K)"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"


def test_no_warning_from_a_plain_default_fit(digits):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CRNetClassifier(random_state=0, max_epochs=10).fit(
            digits.X_train, digits.y_train, class_attributes=digits.class_attributes)
