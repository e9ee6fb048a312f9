"""``ensemble_size``: member networks trained side by side, their logits averaged."""

import io

import joblib
import numpy as np
import pytest
import torch

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet._modules import (
    CooperationModule,
    EnsembleScorer,
    MLPProjection,
    RelationModule,
    RelationScorer,
    split_ensemble_state,
)
from sklearn_crnet._tensor_file import tensors_from_bytes
from sklearn_crnet._training import batch_logits_and_targets
from sklearn_crnet.io import load_model, save_model

from .conftest import FAST
from .test_io import _members as _archive_members
from .test_io import _state_bytes, _write


@pytest.fixture(scope="module", params=[CRNetClassifier, RelationNetClassifier])
def ensemble(request, synthetic):
    return request.param(**{**FAST, "ensemble_size": 3}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


def test_one_network_is_a_plain_scorer_and_several_are_an_ensemble(ensemble, synthetic):
    assert isinstance(ensemble.net_.module_, EnsembleScorer)
    assert ensemble.net_.module_.n_members == 3
    assert ensemble.net_.module_.relation.feature_fc.weight.shape[0] == 3
    single = type(ensemble)(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    assert isinstance(single.net_.module_, RelationScorer)
    assert single.net_.module_.relation.feature_fc.weight.ndim == 2


def test_members_start_from_different_weights(ensemble):
    first, second = ensemble.net_.module_.relation.feature_fc.weight[:2]
    assert not torch.equal(first, second)


def _members(projection, n_members=3, seed=0):
    """Member networks as the estimators build them: one generator, drawn in member order."""
    generator = torch.Generator().manual_seed(seed)
    table = torch.randn(7, 5, generator=generator)
    centres = table[:3].clone()
    projections = [CooperationModule(centres, 6, generator) if projection == "cooperation"
                   else MLPProjection(5, 9, 6, generator) for _ in range(n_members)]
    return [RelationScorer(p, RelationModule(6, 4, generator), table) for p in projections]


@pytest.mark.parametrize("projection", ["cooperation", "mlp"])
def test_the_batched_ensemble_computes_what_its_members_compute_one_by_one(projection):
    """Logits, anchors and every gradient of the batched members equal the unbatched ones."""
    members = _members(projection)
    ensemble = EnsembleScorer(_members(projection))  # copies of the same initial weights
    features = torch.randn(10, 6, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([0, 3, 3, 5, 1, 0, 5, 5, 3, 1])
    logits, targets = batch_logits_and_targets(ensemble, features, labels)
    alone = [batch_logits_and_targets(member, features, labels) for member in members]
    torch.testing.assert_close(logits, torch.cat([member_logits for member_logits, _ in alone]))
    assert all(torch.equal(targets, member_targets) for _, member_targets in alone)
    torch.testing.assert_close(ensemble.anchors(), torch.stack([m.anchors() for m in members]).mean(0))

    weights = torch.linspace(0.5, 2.0, 10)
    ((torch.sigmoid(logits) - targets).square().sum(2) @ weights).sum().backward()
    for member_logits, _ in alone:
        ((torch.sigmoid(member_logits) - targets).square().sum(2) @ weights).sum().backward()
    for name, stacked in ensemble.named_parameters():
        one_by_one = torch.stack([dict(m.named_parameters())[name].grad for m in members])
        torch.testing.assert_close(stacked.grad, one_by_one, rtol=1e-5, atol=1e-6)


def test_ensemble_state_splits_into_the_members_states():
    members = _members("cooperation")
    states = split_ensemble_state(EnsembleScorer(members).state_dict(), 3)
    for member, state in zip(members, states, strict=True):
        expected = member.state_dict()
        assert set(state) == set(expected)
        assert all(torch.equal(state[key], expected[key]) for key in expected)
    with pytest.raises(ValueError, match="not 4 stacked members"):
        split_ensemble_state(EnsembleScorer(members).state_dict(), 4)
    one_by_one = {f"members.{i}.{k}": v for i, m in enumerate(members) for k, v in m.state_dict().items()}
    with pytest.raises(ValueError, match="not 3 stacked members"):
        split_ensemble_state(one_by_one, 3)


def test_scores_are_the_mean_of_the_members_logits(ensemble, synthetic):
    X = synthetic.X_test.astype(np.float32)
    scorer = ensemble.net_.module_
    with torch.no_grad():
        expected = scorer.member_logits(torch.as_tensor(X)).mean(0).numpy()
    np.testing.assert_allclose(ensemble.decision_function(synthetic.X_test), expected,
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(ensemble.predict(synthetic.X_test),
                                  ensemble.classes_[expected.argmax(axis=1)])
    unseen = ensemble.predict(synthetic.X_test, classes="unseen")
    columns = np.flatnonzero(~np.isin(ensemble.classes_, ensemble.seen_classes_))
    np.testing.assert_array_equal(unseen, ensemble.classes_[columns[expected[:, columns].argmax(1)]])


def test_scores_do_not_depend_on_the_memory_budget_or_the_samples_scored_with(ensemble, synthetic):
    X = synthetic.X_test
    full = ensemble.decision_function(X)
    small = ensemble.set_params(predict_memory_mb=0.01).decision_function(X)
    ensemble.set_params(predict_memory_mb=32)
    np.testing.assert_allclose(small, full, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ensemble.decision_function(X[3:9]), full[3:9], rtol=1e-6, atol=1e-6)


def test_the_training_loss_is_the_sum_of_the_members_own_losses(ensemble, synthetic):
    scorer = ensemble.net_.module_
    X = torch.as_tensor(synthetic.X_train[:16], dtype=torch.float32)
    y = torch.as_tensor(np.searchsorted(ensemble.classes_, synthetic.y_train[:16]))
    with torch.no_grad():
        _, loss, constant = ensemble.net_.pair_loss(({"features": X, "sample_weight": torch.ones(16)}, y),
                                                    training=False)
        logits, targets = batch_logits_and_targets(scorer, X, y)
    own = [(torch.sigmoid(member) - targets).square().sum() for member in logits]
    torch.testing.assert_close(loss, torch.stack(own).sum(), rtol=1e-5, atol=1e-6)
    n_classes = targets.shape[1]
    assert constant == pytest.approx(3 * 16 * (n_classes - 1) / n_classes)


def test_the_same_seed_gives_the_same_ensemble(synthetic):
    fits = [CRNetClassifier(**{**FAST, "ensemble_size": 2}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
        for _ in range(2)]
    first, second = (fit.net_.module_.state_dict() for fit in fits)
    assert all(torch.equal(first[key], second[key]) for key in first)


def test_an_ensemble_round_trips_through_files_and_joblib(ensemble, synthetic, tmp_path):
    path = save_model(ensemble, tmp_path / "ensemble.crnet")
    buffer = io.BytesIO()
    joblib.dump(ensemble, buffer)
    buffer.seek(0)
    for loaded in (load_model(path), joblib.load(buffer)):
        assert loaded.get_params() == ensemble.get_params()
        np.testing.assert_array_equal(loaded.decision_function(synthetic.X_test),
                                      ensemble.decision_function(synthetic.X_test))
        np.testing.assert_array_equal(loaded.anchors_, ensemble.anchors_)


def test_a_file_whose_stacked_entries_disagree_is_refused(ensemble, tmp_path):
    good = save_model(ensemble, tmp_path / "ensemble.crnet")
    weights = tensors_from_bytes(_archive_members(good)["weights.safetensors"])
    weights["relation.output_fc.bias"] = weights["relation.output_fc.bias"][:2]
    path = _write(tmp_path / "edited.crnet", weights=_state_bytes(weights), source=good)
    with pytest.raises(ValueError, match="not 3 stacked members"):
        load_model(path)


def test_warm_start_continues_every_member(synthetic):
    model = CRNetClassifier(warm_start=True, **{**FAST, "ensemble_size": 2})
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    before = model.net_.module_.relation.feature_fc.weight.clone()
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    after = model.net_.module_.relation.feature_fc.weight
    assert len(model.net_.history) == 2 * FAST["max_epochs"]
    assert all(not torch.equal(b, a) for b, a in zip(before, after, strict=True))  # member by member


def test_adding_classes_after_training_reaches_every_member(synthetic):
    table = synthetic.class_attributes
    seen = np.unique(synthetic.y_train)
    full = CRNetClassifier(**{**FAST, "ensemble_size": 2}).fit(synthetic.X_train, synthetic.y_train,
                                                         class_attributes=table)
    late = CRNetClassifier(**{**FAST, "ensemble_size": 2}).fit(synthetic.X_train, synthetic.y_train,
                                                         class_attributes=table.loc[seen])
    late.set_class_attributes(table)
    np.testing.assert_array_equal(late.predict(synthetic.X_test), full.predict(synthetic.X_test))


def test_expert_responses_average_the_members_and_sum_to_the_anchors(synthetic):
    model = CRNetClassifier(**{**FAST, "ensemble_size": 2}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    np.testing.assert_allclose(model.expert_responses().sum(axis=1), model.anchors_, rtol=1e-5,
                               atol=1e-6)


def test_the_projection_learning_rate_reaches_every_member(ensemble):
    scorer = ensemble.net_.module_
    projection = {id(p) for p in scorer.projection.parameters()}
    relation = {id(p) for p in scorer.relation.parameters()}
    groups = {frozenset(id(p) for p in g["params"]): g for g in ensemble.net_.optimizer_.param_groups}
    assert set(groups) == {frozenset(projection), frozenset(relation)}
    multiplier = ensemble._projection_lr_multiplier()
    assert groups[frozenset(projection)]["lr"] == pytest.approx(ensemble.lr_ * multiplier)
    assert groups[frozenset(relation)]["lr"] == pytest.approx(ensemble.lr_)


def test_early_stopping_sample_weights_and_calibration_work_for_an_ensemble(synthetic):
    weights = np.random.RandomState(0).uniform(0.5, 2.0, len(synthetic.y_train))
    model = CRNetClassifier(early_stopping=True, calibration=0.5, **{**FAST, "ensemble_size": 2})
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes,
              sample_weight=weights)
    assert 1 <= model.best_epoch_ <= FAST["max_epochs"]
    assert len(model.validation_scores_) == FAST["max_epochs"]
    proba = model.predict_proba(synthetic.X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    raw = model.set_params(calibration=0.0).decision_function(synthetic.X_test)
    shifted = model.set_params(calibration=0.5).decision_function(synthetic.X_test)
    np.testing.assert_allclose(raw - shifted, np.broadcast_to(model.calibration_offsets_, raw.shape),
                               rtol=1e-5, atol=1e-6)
