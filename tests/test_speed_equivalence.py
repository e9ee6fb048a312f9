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
