"""Pickle-free persistence: round trips, devices, and damaged or foreign files."""

import json
import zipfile

import numpy as np
import pytest
import torch

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet.io import FORMAT_VERSION, load_model, save_model

from .conftest import FAST


@pytest.fixture(scope="module", params=[CRNetClassifier, RelationNetClassifier])
def fitted(request, synthetic):
    params = {"K": 3} if request.param is CRNetClassifier else {}
    return request.param(**params, **FAST, attribute_scaling="standard", calibration=0.5).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


def test_round_trip_identical(fitted, synthetic, tmp_path):
    path = save_model(fitted, tmp_path / "model.crnet")
    loaded = load_model(path)
    assert type(loaded) is type(fitted)
    assert loaded.get_params() == {**fitted.get_params(), "validation_split": None}
    for name in ("classes_", "seen_classes_", "unseen_classes_", "class_attributes_", "anchors_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(fitted, name))
    np.testing.assert_array_equal(loaded.predict(synthetic.X_test), fitted.predict(synthetic.X_test))
    np.testing.assert_array_equal(loaded.decision_function(synthetic.X_test),
                                  fitted.decision_function(synthetic.X_test))


def test_file_holds_no_pickle_of_code(fitted, tmp_path):
    path = save_model(fitted, tmp_path / "model.crnet")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["metadata.json", "weights.pt"]
        metadata = json.loads(archive.read("metadata.json"))
        # The weights load under torch's weights-only unpickler.
        torch.load(archive.open("weights.pt"), weights_only=True)
    assert metadata["format_version"] == FORMAT_VERSION


def test_string_labels_round_trip(tmp_path):
    rng = np.random.RandomState(0)
    y = np.array(["cat", "dog", "fox"])[np.arange(30) % 3]
    table = {"cat": [1, 0], "dog": [0, 1], "fox": [1, 1], "owl": [0.5, 0]}
    clf = CRNetClassifier(K=2, **FAST).fit(rng.normal(size=(30, 3)), y, class_attributes=table)
    loaded = load_model(save_model(clf, tmp_path / "m.crnet"))
    assert loaded.classes_.tolist() == ["cat", "dog", "fox", "owl"]
    assert loaded.predict(rng.normal(size=(4, 3))).dtype.kind == "U"


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


def _rewrite(path, target, metadata=None, weights=None):
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("metadata.json"))
        data = archive.read("weights.pt")
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("metadata.json", json.dumps(metadata(meta) if metadata else meta))
        archive.writestr("weights.pt", weights(data) if weights else data)
    return target


def test_unknown_version_truncated_and_tampered_files(fitted, tmp_path):
    good = save_model(fitted, tmp_path / "good.crnet")
    newer = _rewrite(good, tmp_path / "newer.crnet",
                     metadata=lambda m: {**m, "format_version": FORMAT_VERSION + 1})
    with pytest.raises(ValueError, match=f"format version {FORMAT_VERSION + 1}"):
        load_model(newer)

    truncated = tmp_path / "truncated.crnet"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match="truncated, damaged or another format"):
        load_model(truncated)

    flipped = _rewrite(good, tmp_path / "flipped.crnet",
                       weights=lambda w: w[:-10] + bytes(b ^ 0xFF for b in w[-10:]))
    with pytest.raises(ValueError, match="checksum"):
        load_model(flipped)

    foreign = _rewrite(good, tmp_path / "foreign.crnet",
                       metadata=lambda m: {**m, "estimator": "os.system"})
    with pytest.raises(ValueError, match="unknown estimator 'os.system'"):
        load_model(foreign)

    bad_shape = _rewrite(good, tmp_path / "shape.crnet",
                         metadata=lambda m: {**m, "params": {**m["params"], "hidden_units": 7}})
    with pytest.raises(ValueError, match="inconsistent model file"):
        load_model(bad_shape)

    not_a_model = tmp_path / "notes.crnet"
    not_a_model.write_text("hello")
    with pytest.raises(ValueError, match="not a readable sklearn-crnet model"):
        load_model(not_a_model)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.crnet")


def test_saving_never_corrupts_an_existing_file(fitted, tmp_path):
    path = save_model(fitted, tmp_path / "model.crnet")
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save_model(object(), path)
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match="not fitted"):
        save_model(CRNetClassifier(), path)
    assert path.read_bytes() == before
