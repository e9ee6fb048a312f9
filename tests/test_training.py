"""Training (``_training.py``): batches, the two loss forms and their gradients, sample
weights, interruptions, autocast, and equivalence with the concatenation formulation."""

import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback, EarlyStopping

from sklearn_crnet import CRNetClassifier
from sklearn_crnet._inplace_grad import OVERWRITE_GRAD, zero_unwritten_gradients
from sklearn_crnet._modules import CooperationModule, RelationModule, RelationScorer
from sklearn_crnet._training import BatchClassesNet, BatchSlicer, batch_logits_and_targets
from sklearn_crnet.datasets import load_digits_gzsl
from sklearn_crnet.metrics import harmonic_mean_score
from tests.concat_reference import ConcatRelationNet, batch_loss, predict_scores

from .conftest import FAST


def _scorer(seed=0, n_classes=6, n_attributes=3, n_features=5, hidden=8):
    generator = torch.Generator().manual_seed(seed)
    table = torch.rand(n_classes, n_attributes, generator=generator)
    return RelationScorer(CooperationModule(table[:2], n_features, generator),
                          RelationModule(n_features, hidden, generator), table)


def _net(scorer, regularization, alpha, beta):
    decay = 2.0 if regularization == "objective" else 1.0
    return BatchClassesNet(
        module=scorer, criterion=torch.nn.MSELoss, optimizer=torch.optim.Adam,
        optimizer__weight_decay=decay * beta, lr=1e-3,
        optimizer__param_groups=[("projection.*", {"weight_decay": decay * alpha})],
        iterator_train=BatchSlicer, regularization=regularization, train_split=None,
    ).initialize()


def _batch(n=7, n_features=5, seed=1, weights=None):
    generator = torch.Generator().manual_seed(seed)
    features = torch.randn(n, n_features, generator=generator)
    labels = torch.tensor([4, 1, 4, 5, 1, 0, 4][:n])
    weights = torch.ones(n) if weights is None else torch.as_tensor(weights, dtype=torch.float32)
    return {"features": features, "sample_weight": weights}, labels


def _effective_gradients(net, batch):
    """What Adam sees: the loss gradient plus each group's coupled weight decay times the weight."""
    net.module_.zero_grad(set_to_none=True)
    _, loss, _ = net.pair_loss(batch, training=True)
    loss.backward()
    grads = {}
    for group in net.optimizer_.param_groups:
        for p in group["params"]:
            grads[id(p)] = p.grad + group["weight_decay"] * p
    return {name: grads[id(p)] for name, p in net.module_.named_parameters()}


@pytest.mark.parametrize("regularization", ["objective", "weight_decay"])
def test_each_regularization_form_follows_its_written_objective(regularization):
    """Gradients of the implementation equal autograd of the objective written in the docs."""
    alpha, beta = 0.03, 0.2
    weights = [1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0]
    net = _net(_scorer(), regularization, alpha, beta)
    inputs, labels = _batch(weights=weights)
    ours = _effective_gradients(net, (inputs, labels))

    scorer = net.module_
    scorer.zero_grad(set_to_none=True)
    (logits,), targets = batch_logits_and_targets(scorer, inputs["features"], labels)
    squared = (torch.sigmoid(logits) - targets) ** 2
    w = torch.tensor(weights)
    projection = sum((p ** 2).sum() for p in scorer.projection.parameters())
    relation = sum((p ** 2).sum() for p in scorer.relation.parameters())
    if regularization == "objective":  # paper Eq. 9-11: sum over pairs + alpha |w_f|^2 + beta |w_g|^2
        objective = (w[:, None] * squared).sum() + alpha * projection + beta * relation
    else:  # the authors' code: weighted mean over pairs + alpha/2 |w_f|^2 + beta/2 |w_g|^2
        objective = ((w[:, None] * squared).sum() / (w.sum() * squared.shape[1])
                     + alpha / 2 * projection + beta / 2 * relation)
    objective.backward()
    for name, p in scorer.named_parameters():
        torch.testing.assert_close(ours[name], p.grad, rtol=1e-5, atol=1e-6, msg=name)


def test_the_forms_differ_by_half_the_number_of_pairs():
    """"weight_decay" with alpha equals "objective" with alpha * n_pairs / 2, up to the loss scale."""
    inputs, labels = _batch()
    n_pairs = len(labels) * len(torch.unique(labels))
    alpha, beta = 0.01, 0.02
    by_decay = _effective_gradients(_net(_scorer(), "weight_decay", alpha, beta), (inputs, labels))
    by_objective = _effective_gradients(
        _net(_scorer(), "objective", alpha * n_pairs / 2, beta * n_pairs / 2), (inputs, labels))
    for name in by_decay:
        torch.testing.assert_close(by_objective[name] / n_pairs, by_decay[name], rtol=1e-5, atol=1e-7)


def test_constant_score_loss():
    net = _net(_scorer(), "objective", 0.0, 0.0)
    inputs, labels = _batch()
    _, _, constant = net.pair_loss((inputs, labels), training=False)
    n_classes = len(torch.unique(labels))
    share = 1 / n_classes  # the best constant score: the share of matched pairs
    expected = len(labels) * ((1 - share) ** 2 + (n_classes - 1) * share ** 2)
    assert constant == pytest.approx(expected)


def test_batch_slicer_visits_every_sample_in_a_seeded_order():
    from skorch.dataset import Dataset

    X = np.arange(20, dtype=np.float32)[:, None]
    dataset = Dataset({"features": X, "sample_weight": np.ones(20, np.float32)}, np.arange(20))
    orders = []
    for _ in range(2):
        slicer = BatchSlicer(dataset, batch_size=6, shuffle=True,
                             generator=torch.Generator().manual_seed(3))
        batches = list(slicer)
        assert [len(y) for _, y in batches] == [6, 6, 6, 2] and len(slicer) == 4
        orders.append(torch.cat([y for _, y in batches]).tolist())
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(20))
    assert orders[0] != list(range(20))


class _InterruptAtEpoch(Callback):
    def __init__(self, hook):
        self.hook = hook

    def on_epoch_begin(self, net, **kwargs):
        if self.hook == "on_epoch_begin" and len(net.history) == 2:
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        if self.hook == "on_epoch_end" and len(net.history) == 2:
            raise KeyboardInterrupt


@pytest.mark.parametrize("hook", ["on_epoch_begin", "on_epoch_end"])
def test_early_stopping_ends_training_and_any_other_interrupt_propagates(synthetic, hook):
    model = CRNetClassifier(K=2, **{**FAST, "max_epochs": 6},
                            callbacks=[("interrupt", _InterruptAtEpoch(hook))])
    with pytest.raises(KeyboardInterrupt):
        model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert not hasattr(model, "net_")
    stopping = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    model = CRNetClassifier(K=2, **{**FAST, "max_epochs": 6}, callbacks=[("stopping", stopping)])
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert model.n_iter_ < 6


def test_validation_harmonic_mean_is_recorded(synthetic):
    model = CRNetClassifier(K=2, **{**FAST, "max_epochs": 4}, early_stopping=True, patience=10)
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert len(model.validation_scores_) == 4
    assert np.all((model.validation_scores_ >= 0) & (model.validation_scores_ <= 1))


def test_bfloat16_autocast_on_cpu_matches_float32():
    """precision="bfloat16" changes only the precision of the products, on CPU as on CUDA."""
    scorer = _scorer(n_features=16, hidden=32)
    inputs, labels = _batch(n_features=16)
    results = {}
    for precision in ("float32", "bfloat16"):
        net = _net(scorer, "objective", 0.0, 0.0)
        net.precision = precision
        net.module_.zero_grad(set_to_none=True)
        logits, loss, _ = net.pair_loss((inputs, labels), training=True)
        loss.backward()
        grads = {n: p.grad.clone() for n, p in net.module_.named_parameters()}
        results[precision] = logits.float().detach(), grads
    torch.testing.assert_close(results["bfloat16"][0], results["float32"][0], rtol=0.05, atol=0.05)
    for name, grad in results["float32"][1].items():
        low = results["bfloat16"][1][name]
        assert low.dtype == torch.float32  # gradients reach the float32 weights
        assert torch.nn.functional.cosine_similarity(low.ravel(), grad.ravel(), dim=0) > 0.98, name


def test_bfloat16_training_fits(synthetic):
    model = CRNetClassifier(K=2, **FAST, precision="bfloat16").fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert np.isfinite(model.decision_function(synthetic.X_test)).all()


# -- the concatenation formulation of the published code ------------------------------------

def _fitted(synthetic):
    return CRNetClassifier(K=3, max_epochs=2, hidden_units=16, ensemble_size=1, random_state=0).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)


def test_predictions_match_concatenation(synthetic):
    clf = _fitted(synthetic)
    scorer = clf.net_.module_
    concat = ConcatRelationNet.from_scorer(scorer)
    attributes = scorer.class_attributes.numpy()
    expected = predict_scores(concat, synthetic.X_test.astype(np.float32), attributes, batch_size=7)
    np.testing.assert_allclose(clf.relation_scores(synthetic.X_test), expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(synthetic.X_test), clf.classes_[expected.argmax(1)])


def test_training_loss_and_gradients_match_concatenation(synthetic):
    clf = _fitted(synthetic)
    scorer = clf.net_.module_
    concat = ConcatRelationNet.from_scorer(scorer)
    X = torch.as_tensor(synthetic.X_train[:32], dtype=torch.float32)
    y = torch.as_tensor(np.searchsorted(clf.classes_, synthetic.y_train[:32]))

    assert all(p.grad is None for p in scorer.parameters())  # fit frees gradient buffers
    (logits,), targets = batch_logits_and_targets(scorer, X, y)
    ours = torch.nn.functional.mse_loss(torch.sigmoid(logits), targets)
    theirs = batch_loss(concat, X, y, scorer.class_attributes)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-7)

    ours.backward()
    grad_ours = torch.cat([scorer.relation.anchor_fc.weight.grad,
                           scorer.relation.feature_fc.weight.grad], 1).clone()
    scorer.zero_grad()
    theirs.backward()
    torch.testing.assert_close(grad_ours, concat.fc1.weight.grad, rtol=1e-4, atol=1e-7)


def test_in_place_weight_gradient_accumulation_matches_autograd():
    """Backward into kept .grad buffers (as in training) adds exactly autograd's gradient."""
    torch.manual_seed(0)
    relation = RelationModule(6, 5)
    reference = RelationModule(6, 5)
    reference.load_state_dict(relation.state_dict())
    features, anchors = torch.randn(4, 6), torch.randn(3, 6, requires_grad=True)

    for module in (relation, reference):
        for p in module.parameters():
            p.grad = torch.full_like(p, 0.5)  # an existing buffer, as training keeps
    for _ in range(2):  # two backward passes accumulate
        relation(features, anchors).pow(2).sum().backward()
    expected = {}
    for _ in range(2):  # the same with plain torch.nn.functional.linear (stock autograd)
        linear = torch.nn.functional.linear
        hidden = torch.relu(linear(features, reference.feature_fc.weight)[:, None]
                            + linear(anchors, reference.anchor_fc.weight,
                                     reference.anchor_fc.bias)[None])
        reference.output_fc(hidden).squeeze(-1).pow(2).sum().backward()
    for name, p in reference.named_parameters():
        expected[name] = p.grad
    for name, p in relation.named_parameters():
        torch.testing.assert_close(p.grad, expected[name], rtol=1e-5, atol=1e-6)


def test_buffer_marked_for_overwrite_holds_only_this_steps_gradient():
    """A kept buffer marked by zero_grad_in_place is overwritten (no zero fill), then accumulates."""
    torch.manual_seed(0)
    relation = RelationModule(6, 5)
    features, anchors = torch.randn(4, 6), torch.randn(3, 6, requires_grad=True)
    relation(features, anchors).pow(2).sum().backward()
    fresh = {name: p.grad.clone() for name, p in relation.named_parameters()}

    for p in relation.parameters():
        p.grad = torch.full_like(p, 0.5)  # a past step's gradient
    kept = (relation.anchor_fc.weight, relation.feature_fc.weight)
    for p in kept:
        setattr(p, OVERWRITE_GRAD, True)
    relation(features, anchors).pow(2).sum().backward()
    for p in kept:
        assert not getattr(p, OVERWRITE_GRAD)
    torch.testing.assert_close(relation.feature_fc.weight.grad, fresh["feature_fc.weight"])
    torch.testing.assert_close(relation.anchor_fc.weight.grad, fresh["anchor_fc.weight"])
    relation(features, anchors).pow(2).sum().backward()  # a second pass in the same step adds
    torch.testing.assert_close(relation.feature_fc.weight.grad, 2 * fresh["feature_fc.weight"])


def test_consecutive_training_steps_see_only_their_own_gradients():
    """Through the net's own zero_grad/step cycle, each step's gradients equal a fresh backward."""
    net = _net(_scorer(), "objective", 0.0, 0.0)
    net.on_epoch_begin(net)
    for seed in (1, 2, 3):
        batch = _batch(seed=seed)
        net.zero_grad_in_place()
        net.train_step_single(batch)
        ours = {name: p.grad.clone() for name, p in net.module_.named_parameters()}
        expected = _effective_gradients(net, batch)  # fresh buffers, stock accumulation
        for name, grad in ours.items():
            torch.testing.assert_close(grad, expected[name], rtol=1e-5, atol=1e-7)
        net.optimizer_.step()


def test_a_marked_buffer_that_backward_leaves_unwritten_is_zeroed():
    net = _net(_scorer(), "objective", 0.0, 0.0)
    net.on_epoch_begin(net)
    net.train_step_single(_batch())
    net.zero_grad_in_place()
    weight = net.module_.relation.feature_fc.weight
    assert getattr(weight, OVERWRITE_GRAD)
    weight.grad.fill_(0.5)  # stale: nothing in the next backward uses this weight
    loss = net.module_.relation.anchor_part(torch.randn(3, 5)).sum()
    loss.backward()
    zero_unwritten_gradients([weight])
    assert torch.count_nonzero(weight.grad) == 0


def test_early_stopping_monitor_searches_training_and_validation_classes_only(synthetic):
    """The table's other unseen classes (the test's) are no candidates for validation samples."""
    from skorch.history import History

    from sklearn_crnet._training import ValidationHarmonicMean

    model = CRNetClassifier(K=3, max_epochs=40, hidden_units=64, ensemble_size=1, random_state=0)
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    table = synthetic.class_attributes.copy()
    table.loc[99] = table.loc[10] + 0.05 * table.std()  # an unseen class that attracts class 10
    model.set_class_attributes(table)
    classes = model.classes_
    seen_mask = np.isin(classes, model.seen_classes_[:10])  # the first ten seen classes "train"
    keep = np.isin(synthetic.y_test, classes[seen_mask]) | np.isin(synthetic.y_test, [10, 11])
    X_val = synthetic.X_test[keep].astype(np.float32)
    y_val = np.searchsorted(classes, synthetic.y_test[keep])

    class FakeNet:  # what the callback reads from a skorch net
        module_ = model.net_.module_
        history = History()

    FakeNet.history.new_epoch()
    monitor = ValidationHarmonicMean(X_val, y_val, seen_mask, np.zeros(len(classes)), 1e6)
    monitor.on_epoch_end(FakeNet)
    searched = classes[seen_mask | np.isin(classes, [10, 11])]
    predicted = np.searchsorted(classes, model.predict(X_val, classes=searched))
    scored = harmonic_mean_score(y_val, predicted, seen_classes=np.flatnonzero(seen_mask),
                                 unseen_classes=np.flatnonzero(~seen_mask))
    assert FakeNet.history[-1, "valid_H"] == pytest.approx(scored)
    # Searching every class sends validation samples of class 10 to class 99.
    everywhere = np.searchsorted(classes, model.predict(X_val))
    assert np.isin(everywhere, np.flatnonzero(~np.isin(classes, searched))).any()
    assert FakeNet.history[-1, "valid_H"] > harmonic_mean_score(
        y_val, everywhere, seen_classes=np.flatnonzero(seen_mask),
        unseen_classes=np.flatnonzero(~seen_mask))


class _DecayRecorder(Callback):
    """Records every parameter group's weight decay at the start of each epoch."""

    def on_train_begin(self, net, **kwargs):
        self.decays = []

    def on_epoch_begin(self, net, **kwargs):
        self.decays.append([group["weight_decay"] for group in net.optimizer_.param_groups])


def test_penalty_warmup_ramps_the_weight_decay_then_keeps_it_full(synthetic):
    recorder = _DecayRecorder()
    model = CRNetClassifier(alpha=0.5, beta=0.25, penalty_warmup=0.25, callbacks=[recorder],
                            warm_start=True, **{**FAST, "max_epochs": 8})
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    full = sorted([2 * 0.5, 2 * 0.25])  # "objective" form: weight decay 2 alpha, 2 beta
    # a ramp over 0.25 * 8 = 2 epochs: shares 0, 1/2, then 1
    expected = [[share * d for d in full] for share in (0, 0.5, 1, 1, 1, 1, 1, 1)]
    np.testing.assert_allclose([sorted(d) for d in recorder.decays], expected)
    assert sorted(g["weight_decay"] for g in model.net_.optimizer_.param_groups) == full
    model.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    np.testing.assert_allclose([sorted(d) for d in recorder.decays], [full] * 8)  # continuing: no ramp
    assert "penalty_warmup" not in dict(model.net_.callbacks_)

    # After early stopping, the final fit ramps over the share of max_epochs the
    # validation run used, not over its own (possibly fewer) epochs.
    stopped = CRNetClassifier(alpha=0.5, beta=0.25, penalty_warmup=0.25, early_stopping=True,
                              **{**FAST, "max_epochs": 8})
    stopped.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert dict(stopped.net_.callbacks_)["penalty_warmup"].n_epochs == 2.0
    # No penalty, nothing to ramp.
    unpenalised = CRNetClassifier(alpha=0.0, beta=0.0, penalty_warmup=0.25, **FAST)
    unpenalised.fit(synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    assert "penalty_warmup" not in dict(unpenalised.net_.callbacks_)

    recorder = _DecayRecorder()
    CRNetClassifier(alpha=0.5, beta=0.25, penalty_warmup=0.0, callbacks=[recorder], **FAST).fit(
        synthetic.X_train, synthetic.y_train, class_attributes=synthetic.class_attributes)
    np.testing.assert_allclose([sorted(d) for d in recorder.decays], [full] * FAST["max_epochs"])


def _objective(model):
    """Last epoch's mean pair loss plus alpha |w_f|^2 + beta |w_g|^2 at the final weights."""
    penalty = sum((model.alpha if "projection." in name else model.beta)
                  * float(param.detach().square().sum())
                  for name, param in model.net_.module_.named_parameters())
    return model.net_.history[-1, "train_loss"] + penalty


@contextmanager
def _no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_penalty_warmup_lets_a_strong_penalty_reach_a_lower_objective():
    """beta=1 from the first step holds the relation module at a constant score; with the
    warm-up the same objective ends lower and the model learns (real digits, training part)."""
    digits = load_digits_gzsl(unseen=(4, 5, 6), random_state=0)
    fits = {}
    for warmup in (0.0, 0.25):
        model = CRNetClassifier(alpha=0.0, beta=1.0, penalty_warmup=warmup, ensemble_size=1,
                                random_state=0, n_threads=1)
        with pytest.warns(ConvergenceWarning) if warmup == 0 else _no_warning():
            model.fit(digits.X_train, digits.y_train, class_attributes=digits.class_attributes)
        history = model.net_.history
        fits[warmup] = (_objective(model), history[-1, "train_loss"] / history[-1, "train_constant_loss"])
    assert fits[0.0][1] > 0.98  # stuck at the constant score (fit warns)
    assert fits[0.25][1] < 0.8
    assert fits[0.25][0] < 0.95 * fits[0.0][0]
