"""The fast decomposed implementation computes what the straightforward one computes."""

import numpy as np
import torch

from benchmarks.concat_baseline import ConcatRelationNet, batch_loss, predict_scores
from sklearn_crnet import CRNetClassifier
from sklearn_crnet._training import batch_logits_and_targets


def _fitted(synthetic):
    return CRNetClassifier(K=3, max_epochs=2, hidden_units=16, random_state=0).fit(
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
    logits, targets = batch_logits_and_targets(scorer, X, y)
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
    from sklearn_crnet._modules import RelationModule

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
