"""The CUDA path (run by benchmarks/gpu_check.sh on a GPU machine; skipped, and reported so,
without one)."""

import numpy as np
import pytest
import torch

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet.io import load_model, save_model

from .conftest import FAST

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@pytest.mark.parametrize("cls", [CRNetClassifier, RelationNetClassifier])
def test_cuda_fit_predicts_like_cpu_fit(cls, synthetic):
    extra = {"K": 3} if cls is CRNetClassifier else {}
    fits = {device: cls(**extra, **{**FAST, "max_epochs": 10}, device=device).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
        for device in ("cpu", "cuda")}
    assert fits["cuda"].device_.startswith("cuda")
    np.testing.assert_allclose(fits["cuda"].decision_function(synthetic.X_test),
                               fits["cpu"].decision_function(synthetic.X_test), rtol=1e-2, atol=1e-2)


def test_cuda_model_saves_and_loads_on_cpu(synthetic, tmp_path):
    model = CRNetClassifier(K=2, **FAST, device="cuda").fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    loaded = load_model(save_model(model, tmp_path / "m.crnet"), device="cpu")
    assert loaded.device_ == "cpu"
    np.testing.assert_allclose(loaded.decision_function(synthetic.X_test),
                               model.decision_function(synthetic.X_test), rtol=1e-4, atol=1e-5)


def test_bfloat16_autocast_trains_on_cuda(synthetic):
    model = CRNetClassifier(K=2, **{**FAST, "max_epochs": 20}, device="cuda", precision="bfloat16")
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    losses = model.net_.history[:, "train_loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


def test_chunked_cuda_prediction_is_batch_invariant(synthetic):
    model = CRNetClassifier(K=2, **FAST, device="cuda", predict_memory_mb=0.01).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    full = model.decision_function(synthetic.X_test)
    np.testing.assert_allclose(model.decision_function(synthetic.X_test[:7]), full[:7], rtol=1e-5)
