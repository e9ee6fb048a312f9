"""``ensemble_size``: member networks trained side by side, their logits averaged."""

import io

import joblib
import numpy as np
import pytest
import torch

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet._modules import EnsembleScorer, RelationScorer
from sklearn_crnet._training import BatchSlicer, Dataset, batch_logits_and_targets, member_batches
from sklearn_crnet.io import load_model, save_model

from .conftest import FAST
from .test_io import _metadata, _write


@pytest.fixture(scope="module", params=[CRNetClassifier, RelationNetClassifier])
def ensemble(request, synthetic):
    return request.param(**{**FAST, "ensemble_size": 3}).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


def test_one_network_is_a_plain_scorer_and_several_are_an_ensemble(ensemble, synthetic):
    assert isinstance(ensemble.net_.module_, EnsembleScorer)
    assert len(ensemble.net_.module_.members) == 3
    single = type(ensemble)(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    assert isinstance(single.net_.module_, RelationScorer)
    assert not any(k.startswith("members.") for k in single.net_.module_.state_dict())


def test_members_start_from_different_weights(ensemble):
    first, second = (m.relation.feature_fc.weight for m in ensemble.net_.module_.members[:2])
    assert not torch.equal(first, second)


def test_scores_are_the_mean_of_the_members_logits(ensemble, synthetic):
    X = synthetic.X_test.astype(np.float32)
    members = ensemble.net_.module_.members
    expected = np.mean([m.chunked_logits(X, 1e6) for m in members], axis=0)
    np.testing.assert_allclose(ensemble.decision_function(synthetic.X_test), expected,
                               rtol=1e-5, atol=1e-6)
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


def test_each_member_gets_the_gradient_of_its_own_loss_on_its_own_batch(ensemble, synthetic):
    """The loss is the members' losses summed, each on its own slice of the step's batch."""
    scorer = ensemble.net_.module_
    X = torch.as_tensor(synthetic.X_train[:48], dtype=torch.float32)
    y = torch.as_tensor(np.searchsorted(ensemble.classes_, synthetic.y_train[:48]))
    batch = ({"features": X, "sample_weight": torch.ones(48)}, y)  # 3 members x 16 samples
    scorer.zero_grad(set_to_none=True)
    _, loss, _ = ensemble.net_.pair_loss(batch, training=True)
    loss.backward()
    together = [p.grad.clone() for p in scorer.members[1].parameters()]
    scorer.zero_grad(set_to_none=True)
    logits, targets = batch_logits_and_targets(scorer.members[1], X[16:32], y[16:32])
    (torch.sigmoid(logits) - targets).square().sum().backward()
    for grad, param in zip(together, scorer.members[1].parameters(), strict=True):
        torch.testing.assert_close(grad, param.grad, rtol=1e-5, atol=1e-7)
    scorer.zero_grad(set_to_none=True)


def test_each_member_visits_the_samples_in_its_own_order():
    dataset = Dataset({"features": np.arange(10, dtype=np.float32)[:, None],
                       "sample_weight": np.ones(10, dtype=np.float32)}, np.arange(10))
    slicer = BatchSlicer(dataset, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0),
                         n_members=3)
    batches = list(slicer)
    assert len(batches) == len(slicer) == 3
    per_member = [torch.cat([member_batches(b, 3)[i][1] for b in batches]) for i in range(3)]
    for order in per_member:
        assert sorted(order.tolist()) == list(range(10))  # every sample once per epoch
    assert not torch.equal(per_member[0], per_member[1])
    fixed = list(BatchSlicer(dataset, batch_size=4, n_members=2))
    first, second = member_batches(fixed[0], 2)
    assert torch.equal(first[1], second[1])  # without shuffling (validation) all see the same


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


@pytest.mark.parametrize("size, reason", [(2, "unexpected entries"), (4, "no member 3"),
                                          (1, "lack a 2-D 'relation.anchor_fc.weight'")])
def test_a_file_whose_ensemble_size_disagrees_with_its_weights_is_refused(ensemble, tmp_path, size,
                                                                          reason):
    good = save_model(ensemble, tmp_path / "ensemble.crnet")
    meta = _metadata(good)
    meta["params"]["ensemble_size"] = size
    path = _write(tmp_path / "edited.crnet", metadata=meta, source=good)
    with pytest.raises(ValueError, match=reason):
        load_model(path)


def test_warm_start_continues_every_member(synthetic):
    model = CRNetClassifier(warm_start=True, **{**FAST, "ensemble_size": 2})
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    before = [m.relation.feature_fc.weight.clone() for m in model.net_.module_.members]
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    after = [m.relation.feature_fc.weight for m in model.net_.module_.members]
    assert len(model.net_.history) == 2 * FAST["max_epochs"]
    assert all(not torch.equal(b, a) for b, a in zip(before, after, strict=True))


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
    members = ensemble.net_.module_.members
    projection = {id(p) for m in members for p in m.projection.parameters()}
    relation = {id(p) for m in members for p in m.relation.parameters()}
    groups = {frozenset(id(p) for p in g["params"]): g for g in ensemble.net_.optimizer_.param_groups}
    assert set(groups) == {frozenset(projection), frozenset(relation)}
    multiplier = ensemble._projection_lr_multiplier()
    assert groups[frozenset(projection)]["lr"] == pytest.approx(ensemble.lr_ * multiplier)
    assert groups[frozenset(relation)]["lr"] == pytest.approx(ensemble.lr_)


def test_files_and_pickles_from_before_ensembles_load_as_single_networks(synthetic, tmp_path):
    model = CRNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    good = save_model(model, tmp_path / "single.crnet")
    meta = _metadata(good)
    meta["format_version"] = 2  # as written before ensemble_size and penalty_warmup existed
    del meta["params"]["ensemble_size"], meta["params"]["penalty_warmup"]
    old = load_model(_write(tmp_path / "v2.crnet", metadata=meta, source=good))
    assert (old.ensemble_size, old.penalty_warmup) == (1, 0.0)
    np.testing.assert_array_equal(old.decision_function(synthetic.X_test),
                                  model.decision_function(synthetic.X_test))

    state = model.__getstate__()
    del state["ensemble_size"], state["penalty_warmup"]  # a pickle of the first release
    restored = CRNetClassifier.__new__(CRNetClassifier)
    restored.__setstate__(state)
    assert (restored.ensemble_size, restored.penalty_warmup) == (1, 0.0)
    np.testing.assert_array_equal(restored.predict(synthetic.X_test), model.predict(synthetic.X_test))


def test_files_from_before_the_penalty_warmup_load_without_it(synthetic, tmp_path):
    model = CRNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                        class_attributes=synthetic.class_attributes)
    good = save_model(model, tmp_path / "model.crnet")
    meta = _metadata(good)
    meta["format_version"] = 3  # as written before penalty_warmup existed
    del meta["params"]["penalty_warmup"]
    old = load_model(_write(tmp_path / "v3.crnet", metadata=meta, source=good))
    assert (old.penalty_warmup, old.ensemble_size) == (0.0, model.ensemble_size)
    np.testing.assert_array_equal(old.decision_function(synthetic.X_test),
                                  model.decision_function(synthetic.X_test))
    meta["format_version"] = 4  # the current version must name every parameter
    with pytest.raises(ValueError, match="penalty_warmup"):
        load_model(_write(tmp_path / "v4.crnet", metadata=meta, source=good))


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
