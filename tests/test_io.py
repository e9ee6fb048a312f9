"""Pickle-free persistence (``io.py``): round trips, and every way a file can be wrong."""

import hashlib
import json
import os
import struct
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch

from benchmarks.harness import PeakMemory
from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet._tensor_file import tensors_from_bytes, tensors_to_bytes
from sklearn_crnet.io import FORMAT_VERSION, load_model, save_model

from .conftest import FAST


@pytest.fixture(scope="module", params=[CRNetClassifier, RelationNetClassifier])
def fitted(request, synthetic):
    params = {"K": 3} if request.param is CRNetClassifier else {}
    return request.param(**params, **FAST, attribute_scaling="standard", calibration=0.5).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, synthetic):
    model = CRNetClassifier(K=3, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                             class_attributes=synthetic.class_attributes)
    path = save_model(model, tmp_path_factory.mktemp("io") / "good.crnet")
    return model, path


def test_round_trip_identical(fitted, synthetic, tmp_path):
    path = save_model(fitted, tmp_path / "model.crnet")
    loaded = load_model(path)
    assert type(loaded) is type(fitted)
    assert loaded.get_params() == fitted.get_params()
    for name in ("classes_", "seen_classes_", "unseen_classes_", "class_attributes_", "anchors_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(fitted, name))
    np.testing.assert_array_equal(loaded.predict(synthetic.X_test), fitted.predict(synthetic.X_test))
    np.testing.assert_array_equal(loaded.decision_function(synthetic.X_test),
                                  fitted.decision_function(synthetic.X_test))


def test_file_holds_no_pickle_of_code(fitted, tmp_path):
    path = save_model(fitted, tmp_path / "model.crnet")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["checksum", "metadata.json", "weights.safetensors"]
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
        metadata = json.loads(archive.read("metadata.json"))
        weights = tensors_from_bytes(archive.read("weights.safetensors"))  # tensors only
    assert weights.keys() == fitted.net_.module_.state_dict().keys()
    assert metadata["format_version"] == FORMAT_VERSION


def test_labels_of_every_kind_round_trip(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    cases = [
        (np.array(["cat", "dog", "fox"]), {"cat": [1, 0], "dog": [0, 1], "fox": [1, 1], "owl": [0.5, 0]}),
        (np.array([1.0, 2.0, 3.0]), pd.DataFrame(np.eye(4), index=[1.0, 2.0, 3.0, 4.0])),
        (np.array(["a", "b", "c"]), {"a": [1, 0], "b": [0, 1], "c": [1, 1], 7: [0.5, 0.5]}),
    ]
    for labels, table in cases:
        y = labels[np.arange(30) % 3]
        clf = CRNetClassifier(K=2, **FAST).fit(X, y, class_attributes=table)
        loaded = load_model(save_model(clf, tmp_path / "m.crnet"))
        assert loaded.classes_.tolist() == clf.classes_.tolist()
        assert [type(c) for c in loaded.classes_.tolist()] == [type(c) for c in clf.classes_.tolist()]
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_numpy_scalar_parameters_and_random_state_objects_save(synthetic, tmp_path):
    model = CRNetClassifier(K=np.int64(2), hidden_units=np.int32(8), max_epochs=np.int64(2),
                            alpha=np.float32(1e-4), random_state=np.random.RandomState(3))
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    loaded = load_model(save_model(model, tmp_path / "m.crnet"))
    assert loaded.K == 2 and loaded.hidden_units == 8
    assert isinstance(loaded.random_state, np.random.RandomState)
    np.testing.assert_array_equal(loaded.predict(synthetic.X_test), model.predict(synthetic.X_test))


def test_model_trained_on_cuda_loads_on_cpu(fitted, synthetic, tmp_path, monkeypatch):
    """Simulated without a GPU: the file records CUDA as the training device."""
    path = tmp_path / "cuda.crnet"
    original = fitted.device_
    fitted.device_ = "cuda"
    try:
        save_model(fitted, path)
    finally:
        fitted.device_ = original
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    loaded = load_model(path)  # device="auto" resolves to the CPU here
    assert loaded.device_ == "cpu"
    np.testing.assert_array_equal(loaded.predict(synthetic.X_test), fitted.predict(synthetic.X_test))


def test_saving_never_corrupts_or_leaves_partial_files(fitted, tmp_path):
    path = save_model(fitted, tmp_path / "model.crnet")
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save_model(object(), path)
    X = np.random.RandomState(0).normal(size=(20, 3))
    tuple_labelled = CRNetClassifier(K=1, **FAST).fit(
        X, np.arange(20) % 2, class_attributes={0: [0.0], 1: [1.0], (3, 4): [2.0]})
    with pytest.raises(TypeError, match="Cannot save classes_ without pickle"):
        save_model(tuple_labelled, path)
    with pytest.raises(ValueError, match="not fitted"):
        save_model(CRNetClassifier(), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.crnet"]


# -- files that are wrong -------------------------------------------------------------------

def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(target, metadata=None, weights=None, checksum=None, source=None, recompute=True):
    """An archive from ``source``'s members with some replaced; the checksum recomputed."""
    members = _members(source)
    meta = members["metadata.json"] if metadata is None else (
        metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode())
    data = members["weights.safetensors"] if weights is None else weights
    digest = hashlib.sha256(meta + data).hexdigest().encode() if recompute else members["checksum"]
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("metadata.json", meta)
        archive.writestr("weights.safetensors", data)
        archive.writestr("checksum", digest if checksum is None else checksum)
    return target


def _metadata(path):
    return json.loads(_members(path)["metadata.json"])


def _state_bytes(state):
    return tensors_to_bytes(state)


def _header_bytes(header, data=b""):
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + data


def _edited(meta, **changes):
    meta = json.loads(json.dumps(meta))
    for dotted, value in changes.items():
        *path, last = dotted.split("__")
        target = meta
        for key in path:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return meta


CRAFTED = {  # case: (edit of the metadata dict, expected reason)
    "newer format": ({"format_version": FORMAT_VERSION + 1}, f"format version {FORMAT_VERSION + 1}"),
    "older format": ({"format_version": FORMAT_VERSION - 1},
                     f"reads version {FORMAT_VERSION} only: fit and save the model again"),
    "foreign estimator": ({"estimator": "os.system"}, "unknown estimator 'os.system'"),
    "unknown parameter": ({"params__exec": "rm -rf /"}, "missing or unknown"),
    "missing parameter": ({"params__lr": KeyError}, "missing or unknown"),
    "invalid parameter value": ({"params__batch_size": -3}, "'batch_size' parameter"),
    "NaN calibration": ({"params__calibration": "NaN"}, "non-finite number NaN"),
    "relabelled classes": ({"fitted__classes_": {"kind": "int", "shape": [3], "values": [0, 1, 2]}},
                           "classes_ has shape"),
    "duplicate classes": ({"fitted__classes_": {"kind": "int", "shape": [20], "values": [0] * 20}},
                          "duplicate class labels"),
    "ambiguous classes": ({"fitted__classes_": {"kind": "mixed", "shape": [20], "values": [
        ["bool", True]] + [["int", i] for i in range(1, 20)]}}, "compare or print equal"),
    "seen class not a class": ({"fitted__seen_classes_": {"kind": "int", "shape": [2], "values": [0, 99]}},
                               "seen_classes_"),
    "shape lies about values": ({"fitted__class_attributes_": {
        "kind": "float", "shape": [20, 9], "values": [0.0] * 80}}, "values for its shape"),
    "huge shape": ({"fitted__class_attributes_": {"kind": "float", "shape": [10**9, 10**9],
                                                  "values": [0.0]}}, "values for its shape"),
    "deep shape": ({"fitted__classes_": {"kind": "int", "shape": [1, 1, 1, 20], "values": list(range(20))}},
                   "invalid shape"),
    "wrong feature count": ({"fitted__n_features_in_": 17}, "n_features_in_ is 17"),
    "negative epochs": ({"fitted__n_iter_": -1}, "n_iter_ must be a positive integer"),
    "missing fitted attribute": ({"fitted__classes_": KeyError}, "missing or unknown"),
    "current file without calibration_": ({"fitted__calibration_": KeyError}, "['calibration_'] are missing"),
    "calibration_ not a number": ({"fitted__calibration_": "1.5"}, "calibration_ must be a finite number"),
    "string where a number is": ({"fitted__n_features_in_": "16"}, "n_features_in_"),
    "float labels with text": ({"fitted__classes_": {"kind": "float", "shape": [20],
                                                     "values": ["x"] * 20}}, "not a valid float"),
    "not an object": (None, "not a sklearn-crnet model file"),
    "unknown attribute scaling": ({"fitted__attribute_scaling_": "max"}, "attribute_scaling_ must be"),
    "negative attribute scaling": ({"fitted__attribute_scaling_": -2.0}, "attribute_scaling_ must be"),
    "zero learning rate": ({"fitted__lr_": 0.0}, "lr_ must be a positive number"),
    "NaN label": ({"fitted__classes_": {"kind": "float", "dtype": "<f8", "shape": [20],
                                        "values": [None] + [float(i) for i in range(1, 20)]}},
                  "classes_ holds NaN"),
    "negative thread count": ({"fitted__n_threads_": -3}, "n_threads_ must be None or a positive"),
    "array where one value is": ({"fitted__best_epoch_": {"kind": "str", "dtype": "<U9999999", "shape": [30],
                                                           "values": ["a"] * 30}}, "must be a single value"),
    "strings wider than held": ({"fitted__classes_": {"kind": "str", "dtype": "<U9999999", "shape": [20],
                                                      "values": ["a"] * 20}}, "wider than those it holds"),
}


def test_a_stored_thread_count_never_exceeds_this_machines_cpus(saved, tmp_path):
    _, good = saved
    meta = _edited(_metadata(good), fitted__n_threads_=100_000)
    loaded = load_model(_write(tmp_path / "threads.crnet", metadata=meta, source=good))
    assert loaded.n_threads_ == os.cpu_count()


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_metadata_is_refused_with_one_value_error(saved, tmp_path, case):
    _, good = saved
    edit, reason = CRAFTED[case]
    meta = [1, 2, 3] if edit is None else _edited(_metadata(good), **edit)
    raw = json.dumps(meta).replace('"NaN"', "NaN").encode()
    path = _write(tmp_path / "crafted.crnet", metadata=raw, source=good)
    with PeakMemory() as memory:
        with pytest.raises(ValueError, match="is not a valid sklearn-crnet model file") as info:
            load_model(path)
    if reason:
        assert reason in str(info.value)
    assert memory.mb < 50, f"{case}: {memory.mb:.0f} MB"


def test_edits_without_a_new_checksum_are_detected(saved, tmp_path):
    _, good = saved
    meta = _edited(_metadata(good), fitted__classes_={"kind": "int", "shape": [20],
                                                      "values": list(range(100, 120))})
    path = _write(tmp_path / "relabelled.crnet", metadata=meta, source=good, recompute=False)
    with pytest.raises(ValueError, match="checksum does not match"):
        load_model(path)


def test_crafted_weights_are_refused(saved, tmp_path):
    model, good = saved
    state = {k: v.clone() for k, v in model.net_.module_.state_dict().items()}
    cases = {
        "NaN weight": {**state, "relation.output_fc.bias": torch.tensor([float("nan")])},
        "missing weight": {k: v for k, v in state.items() if k != "relation.feature_fc.weight"},
        "extra weight": {**state, "extra": torch.zeros(1)},
        "wrong shape": {**state, "relation.output_fc.weight": torch.zeros(1, 5)},
        "more experts than K": {**state, "projection.weight": torch.zeros(4, 16, 4)},
    }
    for weights in cases.values():
        path = _write(tmp_path / "weights.crnet", weights=_state_bytes(weights), source=good)
        with pytest.raises(ValueError, match="is not a valid sklearn-crnet model file"):
            load_model(path)
    huge = {"dtype": "F32", "shape": [2**20, 2**20], "data_offsets": [0, 2**42]}
    crafted = {
        "pickle": (b"\x80\x04cos\nsystem\n.", "header declares"),
        "float64": (_header_bytes({"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}, bytes(8)),
                    "expected F32"),
        "huge declared tensor": (_header_bytes({"w": huge}, bytes(16)), "cover 4398046511104 bytes"),
        "size not the shape's": (_header_bytes({"w": {**huge, "data_offsets": [0, 16]}}, bytes(16)),
                                 "declares shape"),
        "overlapping": (_header_bytes({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                       "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}},
                                      bytes(12)), "overlap or leave a gap"),
        "header past the end": (struct.pack("<Q", 2**40) + b"{}", "header declares"),
        "not JSON": (struct.pack("<Q", 3) + b"\x80\x04c", "not valid JSON"),
    }
    for weights, reason in crafted.values():
        path = _write(tmp_path / "crafted.crnet", weights=weights, source=good)
        with PeakMemory() as memory:
            with pytest.raises(ValueError, match="is not a valid sklearn-crnet model file") as info:
                load_model(path)
        assert reason in str(info.value)
        assert memory.mb < 50


def test_a_zip_bomb_is_refused_before_it_is_read(saved, tmp_path):
    _, good = saved
    path = tmp_path / "bomb.crnet"
    members = _members(good)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("metadata.json", "w", force_zip64=True) as stream:
            chunk = b" " * 2**20
            for _ in range(1024):  # 1 GiB of spaces, about 1 MB compressed
                stream.write(chunk)
        archive.writestr("weights.safetensors", members["weights.safetensors"])
        archive.writestr("checksum", members["checksum"])
    assert path.stat().st_size < 5 * 2**20
    with PeakMemory() as memory:
        with pytest.raises(ValueError, match="would unpack to"):
            load_model(path)
    assert memory.mb < 50


def test_truncated_flipped_and_foreign_files(saved, tmp_path):
    _, good = saved
    truncated = tmp_path / "truncated.crnet"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match="not a readable zip archive"):
        load_model(truncated)
    notes = tmp_path / "notes.crnet"
    notes.write_text("hello")
    with pytest.raises(ValueError, match="not a readable zip archive"):
        load_model(notes)
    with pytest.raises(ValueError, match="is not a valid sklearn-crnet model file"):
        load_model(tmp_path)  # a folder
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.crnet")


def test_fuzz_flipped_bytes_and_truncations(saved, tmp_path):
    """Damage anywhere ends in ValueError or a load that predicts exactly as before."""
    model, good = saved
    data = good.read_bytes()
    rng = np.random.RandomState(0)
    X = np.random.RandomState(1).normal(size=(5, 16))
    expected = model.decision_function(X)
    offsets = np.unique(np.concatenate([rng.randint(0, len(data), 150),
                                        np.arange(0, 200), np.arange(len(data) - 200, len(data))]))
    outcomes = {"ValueError": 0, "faithful": 0}
    path = tmp_path / "fuzzed.crnet"
    for i, offset in enumerate(offsets):
        damaged = bytearray(data)
        if i % 3 == 0:
            damaged = damaged[:offset]
        else:
            damaged[offset] ^= 1 << int(rng.randint(8))
        path.write_bytes(bytes(damaged))
        try:
            loaded = load_model(path)
        except ValueError:
            outcomes["ValueError"] += 1
            continue
        np.testing.assert_array_equal(loaded.decision_function(X), expected)
        outcomes["faithful"] += 1
    # Bytes of the zip's own bookkeeping (timestamps, extra fields) may change harmlessly.
    assert outcomes["ValueError"] > 0.5 * len(offsets)
    assert sum(outcomes.values()) == len(offsets)


def test_load_model_takes_paths_and_strings(saved):
    model, good = saved
    for path in (good, str(good), os.fspath(good)):
        assert type(load_model(path)) is type(model)


@pytest.mark.parametrize("estimator", [CRNetClassifier, RelationNetClassifier])
@pytest.mark.parametrize("ensemble_size", [1, 2])
def test_every_file_kind_is_written_and_read_back(estimator, ensemble_size, synthetic, tmp_path):
    model = estimator(**{**FAST, "ensemble_size": ensemble_size}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    expected = model.decision_function(synthetic.X_test)
    joblib.dump(model, tmp_path / "model.joblib")
    for loaded in (load_model(save_model(model, tmp_path / "model.crnet")),
                   joblib.load(tmp_path / "model.joblib")):
        assert type(loaded) is estimator and loaded.get_params() == model.get_params()
        np.testing.assert_array_equal(loaded.decision_function(synthetic.X_test), expected)
