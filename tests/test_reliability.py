"""Third reliability round: what fit accepts saves and loads, no NaN decides, strict labels and
parameters, untrusted files bounded, and the quiet hazards."""

import io
import os
import stat
import struct
import sys
import warnings
import zlib
from pathlib import Path

import joblib
import numpy as np
import pytest
import scipy.io as sio
import torch
from sklearn.utils._param_validation import InvalidParameterError

from benchmarks.harness import PeakMemory
from sklearn_crnet import CRNetClassifier
from sklearn_crnet._tensor_file import tensors_from_bytes, tensors_to_bytes
from sklearn_crnet.datasets import load_digits_gzsl, load_xlsa17
from sklearn_crnet.io import load_model, save_model
from sklearn_crnet.metrics import (
    area_under_curve,
    gzsl_report,
    harmonic_mean,
    per_class_accuracy,
    seen_unseen_curve_from_scores,
)
from sklearn_crnet.model_selection import tune_calibration

from .conftest import FAST
from .test_io import _members, _write

SPLITS = Path(__file__).resolve().parents[2] / "shared" / "data" / "xlsa17"

# -- 3. every label type fit accepts is saved and loaded as it was ----------------------------

LABELS = {
    **{dtype: np.array([0, 1, 2, 3], dtype=dtype)
       for dtype in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32")},
    "uint64 beyond int64": np.array([2**63, 2**63 + 1, 2**64 - 2, 2**64 - 1], dtype=np.uint64),
    "negative int8": np.array([-128, -1, 0, 127], dtype=np.int8),
    "float32": np.array([1.0, 2.0, -3.0, 4096.0], dtype=np.float32),  # fit takes whole numbers only
    "float64": np.array([0.0, 7.0, -2.0, 2.0**52]),
    "short str": np.array(["a", "bb", "ccc", "d"]),
    "long str": np.array(["x" * 5000, "y" * 300, "z", "\u00e9\u4e2d" * 1000]),
    "bool": np.array([True, False]),
    "object ints": np.array([3, 1, 4, 5], dtype=object),
    "object str": np.array(["cat", "dog", "fox", "owl"], dtype=object),
}


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_every_label_type_that_fit_accepts_round_trips(kind, tmp_path):
    labels = LABELS[kind]
    rng = np.random.RandomState(0)
    y = labels[np.arange(40) % len(labels)]
    X = rng.normal(size=(40, 3)) + 2 * (np.arange(40) % len(labels))[:, None]
    table = {label: rng.normal(size=3) for label in labels.tolist()}
    model = CRNetClassifier(K=1, **FAST).fit(X, y, class_attributes=table)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    for restored in (load_model(save_model(model, tmp_path / "model.crnet")), joblib.load(buffer)):
        assert restored.classes_.dtype == model.classes_.dtype
        assert restored.classes_.tolist() == model.classes_.tolist()
        np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_labels_that_cannot_be_saved_without_pickle_are_refused_at_save(tmp_path):
    labels = np.array([(0, 1), (1, 0), (1, 1)] + [None], dtype=object)[:3]
    X = np.random.RandomState(0).normal(size=(30, 2))
    y = np.empty(30, dtype=object)
    y[:] = [labels[i % 3] for i in range(30)]
    with pytest.raises((TypeError, ValueError)) as info:
        model = CRNetClassifier(K=1, **FAST).fit(X, y, class_attributes={tuple(v): [i, 0] for i, v in
                                                                         enumerate(labels)})
        save_model(model, tmp_path / "model.crnet")
    assert "label" in str(info.value) or "y" in str(info.value)
    assert not (tmp_path / "model.crnet").exists()


# -- 4. no NaN decides -------------------------------------------------------------------------

class _UnseenOnlyValidation:
    """A 'class-disjoint' split whose validation part holds held-out classes only: H undefined."""

    def split(self, X, y):
        held_out = np.isin(y, np.unique(y)[:3])
        yield np.flatnonzero(~held_out), np.flatnonzero(held_out)


def test_early_stopping_on_undefined_validation_h_warns_and_trains_max_epochs(synthetic, tmp_path):
    model = CRNetClassifier(K=2, **FAST, early_stopping=True, validation_split=_UnseenOnlyValidation())
    with pytest.warns(UserWarning, match="validation H is undefined at every epoch"):
        model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert np.isnan(model.validation_scores_).all()
    assert model.best_epoch_ == FAST["max_epochs"] == model.n_iter_
    loaded = load_model(save_model(model, tmp_path / "model.crnet"))  # what fit accepts, save keeps
    assert np.isnan(loaded.validation_scores_).all() and loaded.best_epoch_ == model.best_epoch_


def test_calibration_is_never_tuned_on_undefined_validation_h(synthetic):
    folds = _UnseenOnlyValidation()
    with pytest.warns(UserWarning, match="undefined on every fold.*returning offset 0"):
        offset, result = tune_calibration(CRNetClassifier(K=2, **FAST), synthetic.X_train, synthetic.y_train,
                                          class_attributes=synthetic.class_attributes, cv=folds)
    assert offset == 0.0 and np.isnan(result.mean_validation_H).all()


@pytest.mark.parametrize("row", [1e39, 1e200])
def test_attribute_rows_that_overflow_are_refused_naming_the_class(synthetic, row):
    table = synthetic.class_attributes.copy()
    unseen = sorted(set(table.index) - set(synthetic.y_train))[0]
    table.loc[unseen] = row
    with pytest.raises(ValueError, match=rf"rows of classes \[{unseen}\] are not finite float32"):
        CRNetClassifier(K=2, **FAST, attribute_scaling=None).fit(
            synthetic.X_train, synthetic.y_train, class_attributes=table)
    model = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                             class_attributes=synthetic.class_attributes)
    scores = model.predict_proba(synthetic.X_test)
    with pytest.raises(ValueError, match=rf"classes \[{unseen}\]"):
        model.set_class_attributes(table.assign(**{c: table[c] * 1e300 for c in table.columns}))
    np.testing.assert_array_equal(model.predict_proba(synthetic.X_test), scores)


@pytest.mark.parametrize("weight", [np.nan, -1.0, np.inf])
def test_non_finite_or_negative_sample_weights_are_refused(synthetic, weight):
    weights = np.ones(len(synthetic.y_train))
    weights[3] = weight
    with pytest.raises(ValueError, match="sample_weight|Sample weights"):
        CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                         class_attributes=synthetic.class_attributes, sample_weight=weights)
    with pytest.raises(ValueError, match="sample_weight must hold finite, non-negative weights"):
        per_class_accuracy([0, 1, 1, 0], [0, 1, 0, 0], sample_weight=[1, 1, weight, 1])


def test_metrics_refuse_nan_and_contradictions():
    with pytest.raises(ValueError, match="y_score holds NaN or infinite scores, in rows \\[1\\]"):
        seen_unseen_curve_from_scores([0, 2], [[1.0, 0.0, 0.5], [np.nan, 0.0, 1.0]], classes=[0, 1, 2],
                                      seen_classes=[0, 1])
    with pytest.raises(ValueError, match="offsets must be 1-D and finite"):
        seen_unseen_curve_from_scores([0, 2], [[1.0, 0.0, 0.5], [0.0, 0.0, 1.0]], classes=[0, 1, 2],
                                      seen_classes=[0, 1], offsets=[0.0, np.nan])
    with pytest.raises(ValueError, match=r"Classes \[1\] are listed as both seen and unseen"):
        gzsl_report([0, 1, 2], [0, 1, 2], seen_classes=[0, 1], unseen_classes=[1, 2])
    for bad in (np.nan, 1.5, -0.1):
        with pytest.raises(ValueError, match="must be an accuracy in \\[0, 1\\]"):
            harmonic_mean(bad, 0.5)
    with pytest.raises(ValueError, match="no class of its kind"):
        area_under_curve([0.0, 1.0], [np.nan, np.nan], [0.0, 1.0])


# -- 6. strict labels and parameters --------------------------------------------------------

@pytest.fixture(scope="module")
def digits_model():
    data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
    model = CRNetClassifier(**{**FAST, "max_epochs": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
    return model, data


@pytest.mark.parametrize("classes", [[1.5], ["1"], [True], [1.0], [1, "2"]])
def test_a_class_list_must_hold_the_models_own_labels(digits_model, classes):
    model, data = digits_model
    with pytest.raises(ValueError, match="are not among the model's classes"):
        model.predict(data.X_test[:3], classes=classes)
    assert set(model.predict(data.X_test, classes=[np.int8(2), 5])) <= {2, 5}


@pytest.mark.parametrize("name", ["lr", "max_epochs", "alpha", "K", "hidden_units", "calibration"])
def test_booleans_are_not_numbers(synthetic, name):
    message = f"'{name}' parameter of CRNetClassifier must not be a boolean"
    with pytest.raises(InvalidParameterError, match=message):
        CRNetClassifier(**{**FAST, name: True}).fit(synthetic.X_train, synthetic.y_train,
                                                   class_attributes=synthetic.class_attributes)


def test_digits_loader_refuses_what_is_not_a_digit():
    for unseen in [(2.7,), (2.0,), (True,), ("3",), "39"]:
        with pytest.raises(ValueError, match="whole digits 0..9"):
            load_digits_gzsl(unseen=unseen)


def _xlsa17_copy(tmp_path, labels):
    folder = tmp_path / "AWA2"
    folder.mkdir()
    splits = sio.loadmat(SPLITS / "AWA2" / "att_splits.mat")
    sio.savemat(folder / "att_splits.mat", splits)
    n_images = int(max(splits[key].max() for key in ("trainval_loc", "test_seen_loc", "test_unseen_loc")))
    sio.savemat(folder / "res101.mat", {"features": np.zeros((4, n_images)),
                                        "labels": labels(n_images)[:, None]})
    return tmp_path


@pytest.mark.skipif(not (SPLITS / "AWA2" / "att_splits.mat").is_file(),
                    reason="needs ../shared/data/xlsa17/AWA2/att_splits.mat")
def test_xlsa17_loader_refuses_fractional_labels(tmp_path):
    root = _xlsa17_copy(tmp_path, lambda n: 1 + np.arange(n) % 50 + 0.5 * (np.arange(n) == 7))
    with pytest.raises(ValueError, match=r"labels in res101.mat must hold whole numbers; it holds \[8.5\]"):
        load_xlsa17("AWA2", root)


def test_a_small_mat_file_declaring_huge_variables_is_refused_before_unpacking(tmp_path):
    folder = tmp_path / "AWA2"
    folder.mkdir()
    sio.savemat(folder / "res101.mat", {"features": np.zeros((2048, 12000)), "labels": np.ones((12000, 1))},
                do_compression=True)
    assert (folder / "res101.mat").stat().st_size < 2**20
    with pytest.raises(ValueError, match="compressed variables unpack to more than"):
        load_xlsa17("AWA2", tmp_path)
    # The sizes a file declares are not trusted: the same file with small inner tags is refused too.
    raw, patched, position = (folder / "res101.mat").read_bytes(), bytearray(), 128
    patched += raw[:128]
    while position < len(raw):
        kind, size = struct.unpack("<II", raw[position:position + 8])
        body = raw[position + 8:position + 8 + size]
        inner = zlib.decompress(body)
        body = zlib.compress(struct.pack("<II", struct.unpack("<I", inner[:4])[0], 100) + inner[8:])
        patched += struct.pack("<II", kind, len(body)) + body
        position += 8 + size
    (folder / "res101.mat").write_bytes(bytes(patched))
    with PeakMemory() as memory:
        with pytest.raises(ValueError, match="compressed variables unpack to more than"):
            load_xlsa17("AWA2", tmp_path)
    assert memory.mb < 50


# -- 2. untrusted files -----------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs POSIX")
def test_only_regular_files_are_opened(tmp_path):
    pipe = tmp_path / "pipe.crnet"
    os.mkfifo(pipe)
    for path in (pipe, Path("/dev/zero")):
        with pytest.raises(ValueError, match="not a regular file"):
            load_model(path)


# -- 7. quiet hazards ----------------------------------------------------------------------------

def test_a_stacked_entry_of_no_weights_cannot_declare_members(synthetic, tmp_path):
    model = CRNetClassifier(K=2, **{**FAST, "ensemble_size": 2}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    good = save_model(model, tmp_path / "good.crnet")
    weights = tensors_from_bytes(_members(good)["weights.safetensors"])
    weights["relation.anchor_fc.weight"] = torch.zeros(3_000_000, 0, 0)
    path = _write(tmp_path / "crafted.crnet", weights=tensors_to_bytes(weights), source=good)
    with PeakMemory() as memory:
        with pytest.raises(ValueError, match="'relation.anchor_fc.weight' is empty"):
            load_model(path)
    assert memory.mb < 50


def test_rows_equal_after_scaling_warn_too(synthetic):
    table = synthetic.class_attributes.copy()
    seen = sorted(set(synthetic.y_train))
    table.loc[seen[1]] = 2 * table.loc[seen[0]].to_numpy()  # equal after l2 scaling
    with pytest.warns(UserWarning, match=rf"Seen classes \[{seen[0]}, {seen[1]}\] share one attribute row"):
        CRNetClassifier(K=2, **FAST, attribute_scaling="l2").fit(synthetic.X_train, synthetic.y_train,
                                                                class_attributes=table)


def test_edge_inputs_get_clear_errors(synthetic, tmp_path):
    model = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                             class_attributes=synthetic.class_attributes)
    expected = model.predict(synthetic.X_test)
    model.set_params(predict_memory_mb=1e308)
    np.testing.assert_array_equal(model.predict(synthetic.X_test), expected)
    with pytest.raises(ValueError, match="offsets must be a non-empty 1-D list"):
        tune_calibration(model, synthetic.X_train, synthetic.y_train,
                         class_attributes=synthetic.class_attributes, offsets=[])
    with pytest.raises(ValueError, match="cannot be opened as a model file"):
        load_model(tmp_path / ("a" * 5000))
    with pytest.raises(ValueError, match="whole digits 0..9"):
        load_digits_gzsl(unseen=3)
    with pytest.raises(ValueError, match="accuracies in \\[0, 1\\]"):
        area_under_curve([0.0, 1.0], [1.5, 0.5], [0.0, 1.0])


def test_seen_classes_sharing_a_row_are_named(synthetic):
    table = synthetic.class_attributes.copy()
    seen = sorted(set(synthetic.y_train))
    table.loc[seen[1]] = table.loc[seen[0]].to_numpy()
    with pytest.warns(UserWarning, match=rf"Seen classes \[{seen[0]}, {seen[1]}\] share one attribute row"):
        CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train, class_attributes=table)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_model_files_follow_the_users_umask(synthetic, tmp_path):
    model = CRNetClassifier(K=2, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                             class_attributes=synthetic.class_attributes)
    previous = os.umask(0o027)
    try:
        path = save_model(model, tmp_path / "model.crnet")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
