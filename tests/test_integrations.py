"""Every snippet of the Integrations page runs, and the pickled state suits skops and mlflow."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from sklearn_crnet import CRNetClassifier, RelationNetClassifier

from .conftest import FAST

SNIPPETS = Path(__file__).resolve().parents[1] / "docs" / "integrations"

#: Each snippet, the clients it needs (the ``integrations`` extra) and a line it must print.
CASES = {
    "search.py": ((), "HalvingGridSearchCV: best"),
    "metadata_routing.py": ((), "routed: best"),
    "cross_validate_jobs.py": ((), "cross_validate, n_jobs=2: 2 folds scored"),
    "optuna_search.py": (("optuna", "optuna_integration"), "OptunaSearchCV: best"),
    "skopt_search.py": (("skopt",), "BayesSearchCV: best"),
    "dask_ml_search.py": (("dask_ml",), "dask-ml GridSearchCV: best"),
    "dask_joblib.py": (("distributed",), "dask joblib backend: best"),
    "skops_file.py": (("skops",), "skops: same probabilities after loading"),
    "mlflow_model.py": (("mlflow",), "mlflow: same predictions after loading"),
    "pickles.py": (("cloudpickle",), "cloudpickle: same scores after loading"),
    "label_encoding_tools.py": ((), "refused: CRNetClassifier cannot be trained through cross_val_predict"),
}


def test_every_snippet_on_the_page_is_tested():
    page = (SNIPPETS.parent / "integrations.rst").read_text()
    shown = {line.split("integrations/")[1].strip() for line in page.splitlines()
             if line.startswith(".. literalinclude:: integrations/")}
    assert shown == set(CASES) | {"_problem.py"}
    assert {p.name for p in SNIPPETS.glob("*.py")} == shown


@pytest.mark.parametrize("snippet", sorted(CASES))
def test_snippet_runs_and_reports(snippet):
    modules, expected = CASES[snippet]
    for module in modules:
        pytest.importorskip(module, reason=f"{snippet} needs {module}: pip install '.[integrations]'")
    result = subprocess.run([sys.executable, snippet], cwd=SNIPPETS, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert expected in result.stdout, result.stdout


def _torch_objects(value, path="state"):
    if isinstance(value, torch.Tensor) or type(value).__module__.split(".")[0] == "torch":
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _torch_objects(v, f"{path}[{k!r}]")]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in _torch_objects(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("estimator", [CRNetClassifier, RelationNetClassifier])
def test_the_pickled_state_holds_no_torch_object(synthetic, estimator):
    model = estimator(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                  class_attributes=synthetic.class_attributes)
    assert _torch_objects(model.__getstate__()) == []


@pytest.mark.parametrize("estimator", [CRNetClassifier, RelationNetClassifier])
def test_skops_round_trip_trusting_only_the_estimator_also_from_cuda(synthetic, tmp_path, estimator):
    skops_io = pytest.importorskip("skops.io", reason="needs skops: pip install '.[integrations]'")
    model = estimator(**{**FAST, "ensemble_size": 2}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    expected = model.decision_function(synthetic.X_test)
    path = tmp_path / "model.skops"
    skops_io.dump(model, path)
    trusted = [f"sklearn_crnet.{estimator.__name__}"]
    assert skops_io.get_untrusted_types(file=path) == trusted
    np.testing.assert_array_equal(skops_io.load(path, trusted=trusted).decision_function(synthetic.X_test),
                                  expected)
    model.device_ = "cuda:0"  # as a model trained on a GPU records it
    skops_io.dump(model, path)
    if not torch.cuda.is_available():
        with pytest.warns(UserWarning, match="not available here; it is loaded on the CPU"):
            loaded = skops_io.load(path, trusted=trusted)
        np.testing.assert_array_equal(loaded.decision_function(synthetic.X_test), expected)


@pytest.mark.parametrize("tool", ["voting", "stacking", "cross_val_predict", "bagging", "one_vs_rest",
                                  "calibrated"])
def test_tools_that_reencode_labels_are_refused_by_name(synthetic, tool):
    import sklearn
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
    from sklearn.model_selection import cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier

    from sklearn_crnet import ClassAttributes

    table = ClassAttributes(synthetic.class_attributes)
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CRNetClassifier(**FAST).set_fit_request(class_attributes=True, sample_weight=False)
        tools = {"voting": VotingClassifier([("a", model)]), "stacking": StackingClassifier([("a", model)]),
                 "bagging": BaggingClassifier(model, n_estimators=2, n_jobs=2),
                 "one_vs_rest": OneVsRestClassifier(model), "calibrated": CalibratedClassifierCV(model, cv=2)}
        name = type(tools[tool]).__name__ if tool in tools else tool
        with pytest.raises(ValueError, match=f"cannot be trained through {name}"):
            if tool == "cross_val_predict":
                cross_val_predict(model, synthetic.X_train, synthetic.y_train, method="predict_proba",
                                  params={"class_attributes": table})
            else:
                tools[tool].fit(synthetic.X_train, synthetic.y_train, class_attributes=table)
