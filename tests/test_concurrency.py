"""A model in service: class updates, refits, predictions and saves from several threads, and
results independent of the caller's global torch settings."""

import threading
import time
from contextlib import contextmanager

import numpy as np
import pytest
import torch

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.io import load_model, save_model

from .conftest import FAST

STRESS_SECONDS = 6.0  # wall-time bound of the stress test


@pytest.fixture(scope="module")
def tables(synthetic):
    """The synthetic table without its unseen classes, and the whole table."""
    seen = np.unique(synthetic.y_train)
    return synthetic.class_attributes.loc[seen], synthetic.class_attributes


def test_updates_predictions_and_saves_from_several_threads_never_see_a_mixed_model(
        synthetic, tables, tmp_path):
    small, full = tables
    model = CRNetClassifier(**{**FAST, "ensemble_size": 2}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=small)
    X = synthetic.X_test[:40]
    expected = {len(table): np.asarray(table.index) for table in (small, full)}
    errors, saved = [], []
    deadline = time.monotonic() + STRESS_SECONDS
    rounds = {"update": 0, "read": 0, "save": 0}

    def run(kind, body, limit):
        try:
            while rounds[kind] < limit and time.monotonic() < deadline:
                body(rounds[kind])
                rounds[kind] += 1
        except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
            errors.append(f"{kind}: {type(exc).__name__}: {exc}")

    def update(i):
        model.set_class_attributes(full if i % 2 == 0 else small)

    def read(i):
        proba = model.predict_proba(X)
        classes = expected.get(proba.shape[1])
        assert classes is not None, f"{proba.shape[1]} columns"
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        assert np.isin(model.predict(X), expected[len(full)]).all()
        scores = model.decision_function(X)
        assert scores.shape[1] in expected and np.isfinite(scores).all()
        assert 0.0 <= model.score(X, synthetic.y_test[:40]) <= 1.0

    def save(i):
        saved.append(save_model(model, tmp_path / f"model_{i}.crnet"))

    threads = [threading.Thread(target=run, args=("update", update, 300)),
               threading.Thread(target=run, args=("read", read, 300)),
               threading.Thread(target=run, args=("save", save, 60))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=STRESS_SECONDS + 30)
    assert not errors, errors[:3]
    assert rounds["update"] >= 20 and rounds["read"] >= 5 and rounds["save"] >= 5, rounds
    for path in saved:
        loaded = load_model(path)
        assert len(loaded.classes_) in expected
        np.testing.assert_array_equal(loaded.classes_, expected[len(loaded.classes_)])
        assert loaded.predict_proba(X).shape == (len(X), len(loaded.classes_))


def test_a_refit_keeps_serving_the_old_model_until_the_new_one_is_complete(synthetic):
    from skorch.callbacks import Callback

    started, release = threading.Event(), threading.Event()

    class Gate(Callback):
        def on_train_begin(self, net, **kwargs):
            started.set()
            release.wait(timeout=30)

    model = CRNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    before = model.decision_function(synthetic.X_test)
    model.set_params(callbacks=[Gate()], max_epochs=5, random_state=1)
    refit = threading.Thread(target=model.fit, args=(synthetic.X_train, synthetic.y_train),
                             kwargs={"class_attributes": synthetic.class_attributes})
    refit.start()
    try:
        assert started.wait(timeout=30)
        during = model.decision_function(synthetic.X_test)  # the refit is held at its first epoch
        assert model.n_iter_ == FAST["max_epochs"]
    finally:
        release.set()
        refit.join(timeout=60)
    np.testing.assert_array_equal(during, before)
    assert model.n_iter_ == 5
    assert not np.array_equal(model.decision_function(synthetic.X_test), before)


def test_a_failed_refit_keeps_the_old_model(synthetic):
    model = CRNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    before = model.decision_function(synthetic.X_test)
    with pytest.raises(FloatingPointError):
        model.set_params(lr=1e30).fit(synthetic.X_train * 1e30, synthetic.y_train,
                                      class_attributes=synthetic.class_attributes)
    np.testing.assert_array_equal(model.decision_function(synthetic.X_test), before)


@contextmanager
def _torch_setting(name):
    if name == "float64 default dtype":
        previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            yield
        finally:
            torch.set_default_dtype(previous)
    elif name == "no_grad":
        with torch.no_grad():
            yield
    elif name == "inference_mode":
        with torch.inference_mode():
            yield
    else:  # a default device where nothing can be computed: any tensor left on it fails loudly
        torch.set_default_device("meta")
        try:
            yield
        finally:
            torch.set_default_device(None)


@pytest.mark.parametrize("setting", ["float64 default dtype", "no_grad", "inference_mode",
                                     "meta default device"])
def test_fit_predict_and_load_do_not_depend_on_the_callers_torch_settings(setting, synthetic, tmp_path):
    def fit():
        return CRNetClassifier(**{**FAST, "ensemble_size": 2}).fit(
            synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)

    plain = fit()
    expected = plain.decision_function(synthetic.X_test)
    path = save_model(plain, tmp_path / "plain.crnet")
    with _torch_setting(setting):
        model = fit()
        scores = model.decision_function(synthetic.X_test)
        loaded = load_model(path).decision_function(synthetic.X_test)
        save_model(model, tmp_path / "under_setting.crnet")
    np.testing.assert_array_equal(scores, expected)
    np.testing.assert_array_equal(loaded, expected)
    np.testing.assert_array_equal(
        load_model(tmp_path / "under_setting.crnet").decision_function(synthetic.X_test), expected)


def test_a_load_that_fails_after_every_file_check_names_the_environment(synthetic, tmp_path, monkeypatch):
    model = CRNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    path = save_model(model, tmp_path / "model.crnet")

    def unavailable(self, module_state):
        raise RuntimeError("no kernel for this operation here")

    monkeypatch.setattr(CRNetClassifier, "_empty_projection", unavailable)
    with pytest.raises(RuntimeError, match=r"passed the file checks .* may be this environment"):
        load_model(path)
