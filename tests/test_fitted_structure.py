"""A fitted model is what it was fitted as: parameters set after fit change the next fit only."""

import copy
import io

import joblib
import numpy as np
import pytest

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet.io import load_model, save_model

from .conftest import FAST

#: Each structural parameter, the value it is fitted with and the one set after fit.
STRUCTURE = [
    (CRNetClassifier, "ensemble_size", 2, 3),
    (CRNetClassifier, "hidden_units", 16, 24),
    (CRNetClassifier, "K", 3, 2),
    (CRNetClassifier, "attribute_scaling", "standard", "l2"),
    (RelationNetClassifier, "projection_hidden_units", 12, 20),
    (RelationNetClassifier, "ensemble_size", 1, 2),
]


def _joblib_round_trip(model, _):
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def _file_round_trip(model, tmp_path):
    return load_model(save_model(model, tmp_path / "model.crnet"))


@pytest.mark.parametrize("estimator, name, fitted_value, later_value", STRUCTURE)
def test_a_parameter_set_after_fit_changes_the_next_fit_only(synthetic, tmp_path, estimator, name,
                                                              fitted_value, later_value):
    model = estimator(**{**FAST, name: fitted_value}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    expected = model.decision_function(synthetic.X_test)
    model.set_params(**{name: later_value})
    np.testing.assert_array_equal(model.decision_function(synthetic.X_test), expected)
    copies = {"deepcopy": copy.deepcopy(model), "joblib": _joblib_round_trip(model, tmp_path),
              "save_model": _file_round_trip(model, tmp_path)}
    for how, restored in copies.items():
        np.testing.assert_allclose(restored.decision_function(synthetic.X_test), expected,
                                   rtol=1e-6, atol=1e-6, err_msg=how)
        assert restored.get_params()[name] == later_value, how
    with pytest.raises(ValueError, match=f"warm_start=True continues the fitted network, but "
                                         f"\\['{name}'\\] changed"):
        model.set_params(warm_start=True).fit(synthetic.X_train, synthetic.y_train,
                                              class_attributes=synthetic.class_attributes)
    np.testing.assert_array_equal(model.decision_function(synthetic.X_test), expected)


def test_new_rows_are_scaled_as_the_fitted_table_was(synthetic):
    table = synthetic.class_attributes
    model = CRNetClassifier(**FAST, attribute_scaling="standard").fit(
        synthetic.X_train, synthetic.y_train, class_attributes=table)
    anchors = model.anchors_.copy()
    model.set_params(attribute_scaling="l2").set_class_attributes(table)
    np.testing.assert_allclose(model.anchors_, anchors, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name, value, message", [
    ("calibration", float("nan"), 'calibration must be "auto" or a finite number; got nan'),
    ("calibration", None, 'calibration must be "auto" or a finite number; got None'),
    ("calibration", True, 'calibration must be "auto" or a finite number; got True'),
    ("predict_memory_mb", None, "predict_memory_mb must be a positive number of megabytes; got None"),
    ("predict_memory_mb", -1, "predict_memory_mb must be a positive number of megabytes; got -1"),
])
def test_prediction_time_parameters_are_checked_where_used(synthetic, name, value, message):
    model = CRNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    model.set_params(**{name: value})
    for method in (model.predict, model.predict_proba, model.decision_function):
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            method(synthetic.X_test)


def test_a_model_with_a_parameter_that_could_not_be_loaded_is_not_saved(synthetic, tmp_path):
    model = CRNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    model.set_params(batch_size=1)
    with pytest.raises(ValueError, match="batch_size"):
        save_model(model, tmp_path / "model.crnet")
    with pytest.raises(ValueError, match="batch_size"):
        joblib.dump(model, tmp_path / "model.joblib")
    assert not (tmp_path / "model.crnet").exists()
