"""The torch modules compute the paper's equations, and the decomposition is exact."""

import numpy as np
import torch
from torch import nn

from sklearn_crnet._modules import CooperationModule, RelationModule, RelationScorer
from sklearn_crnet._training import batch_logits_and_targets


def test_relation_module_equals_explicit_concatenation():
    torch.manual_seed(0)
    n, c, q, h = 7, 5, 6, 9
    relation = RelationModule(q, h)
    features, anchors = torch.randn(n, q), torch.randn(c, q)

    fc1 = nn.Linear(2 * q, h)
    with torch.no_grad():
        fc1.weight.copy_(torch.cat([relation.anchor_fc.weight, relation.feature_fc.weight], 1))
        fc1.bias.copy_(relation.anchor_fc.bias)
    pairs = torch.cat(
        [anchors[None].expand(n, c, q), features[:, None].expand(n, c, q)], dim=2
    ).reshape(n * c, 2 * q)
    explicit = relation.output_fc(torch.relu(fc1(pairs))).reshape(n, c)

    torch.testing.assert_close(relation(features, anchors), explicit, rtol=1e-5, atol=1e-6)


def test_relation_module_initialised_like_one_concatenated_layer():
    torch.manual_seed(0)
    q = 50
    relation = RelationModule(q, 400)
    bound = 1 / np.sqrt(2 * q)
    for w in (relation.anchor_fc.weight, relation.feature_fc.weight):
        assert w.abs().max() <= bound
        assert w.abs().max() > 0.95 * bound  # spans the full range, not a narrower one


def test_cooperation_module_is_sum_of_offset_experts():
    torch.manual_seed(0)
    centres = torch.randn(3, 4)
    module = CooperationModule(centres, out_features=5)
    s = torch.randn(6, 4)
    expected = sum(
        torch.relu((s - centres[k]) @ module.weight[k].T + module.bias[k]) for k in range(3)
    )
    torch.testing.assert_close(module(s), expected)
    assert module.expert_responses(s).shape == (6, 3, 5)
    assert "field_centres" in dict(module.named_buffers())
    assert "field_centres" not in dict(module.named_parameters())


def test_expert_gradient_is_proportional_to_offset():
    """Paper Eq. 12: dLoss/dW_k = delta (s - c_k) for an active expert."""
    centres = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    module = CooperationModule(centres, out_features=1)
    with torch.no_grad():
        module.weight.fill_(1.0)
        module.bias.fill_(5.0)  # keep both experts active
    s = torch.tensor([[3.0, 2.0]])
    module(s).sum().backward()
    torch.testing.assert_close(module.weight.grad[:, 0, :], s - centres)


def test_batch_pairs_each_sample_with_distinct_batch_classes():
    torch.manual_seed(0)
    table = torch.randn(6, 3)
    scorer = RelationScorer(CooperationModule(table[:2], 4), RelationModule(4, 8), table)
    labels = torch.tensor([4, 1, 4, 5, 1])
    logits, targets = batch_logits_and_targets(scorer, torch.randn(5, 4), labels)
    assert logits.shape == (1, 5, 3)  # one member; distinct classes 1, 4, 5
    expected = torch.tensor(
        [[0, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=torch.float32
    )
    torch.testing.assert_close(targets, expected)
