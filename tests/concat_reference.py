"""The straightforward CRnet formulation that the benchmarks measure against.

It follows the published CRnet code: every (sample, class) pair is
concatenated into a ``2Q``-d vector and run through one ``Linear(2Q, H)``
(FC1); training uses two plain ``torch.optim.Adam`` optimisers (cooperation
module at 5x the learning rate) and ``zero_grad()`` as that code does. The
mathematics is the same as sklearn-crnet's; ``tests/test_training.py``
checks that.
"""

import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class ConcatRelationNet(nn.Module):
    """Cooperation module plus a relation module fed explicit concatenations."""

    def __init__(self, projection, feature_dim, hidden_units):
        super().__init__()
        self.projection = projection
        self.fc1 = nn.Linear(2 * feature_dim, hidden_units)
        self.fc2 = nn.Linear(hidden_units, 1)

    @classmethod
    def from_scorer(cls, scorer):
        """A copy of a fitted ``RelationScorer``'s weights in concatenated form."""
        relation = scorer.relation
        feature_dim = relation.feature_fc.weight.shape[1]
        net = cls(scorer.projection, feature_dim, relation.anchor_fc.weight.shape[0])
        with torch.no_grad():
            net.fc1.weight.copy_(torch.cat([relation.anchor_fc.weight, relation.feature_fc.weight], 1))
            net.fc1.bias.copy_(relation.anchor_fc.bias)
            net.fc2.load_state_dict(relation.output_fc.state_dict())
        return net

    def forward(self, features, anchors):
        """Relation scores (after the sigmoid) of every pair, shape (n, C)."""
        n, c, q = features.shape[0], anchors.shape[0], features.shape[1]
        pairs = torch.cat(
            [anchors[None].expand(n, c, q), features[:, None].expand(n, c, q)], dim=2
        ).reshape(n * c, 2 * q)
        return torch.sigmoid(self.fc2(F.relu(self.fc1(pairs)))).reshape(n, c)


def batch_loss(net, features, labels, class_attributes):
    """MSE of one batch scored against its distinct classes (the authors' scheme)."""
    classes, position = torch.unique(labels, return_inverse=True)
    scores = net(features, net.projection(class_attributes[classes]))
    targets = torch.zeros_like(scores)
    targets[torch.arange(len(labels)), position] = 1.0
    return F.mse_loss(scores, targets)


def time_training_steps(net, X, y, class_attributes, n_steps, batch_size=32, lr=1e-5,
                        warmup=2, seed=0):
    """Seconds per optimisation step of the straightforward training loop."""
    projection_params = list(net.projection.parameters())
    relation_params = [p for name, p in net.named_parameters() if not name.startswith("projection")]
    optim_projection = torch.optim.Adam(projection_params, lr=5 * lr, weight_decay=1e-5)
    optim_relation = torch.optim.Adam(relation_params, lr=lr, weight_decay=1e-4)
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    attributes = torch.as_tensor(class_attributes, dtype=torch.float32)
    generator = torch.Generator().manual_seed(seed)

    def step():
        index = torch.randint(len(y), (batch_size,), generator=generator)
        loss = batch_loss(net, X[index], y[index], attributes)
        net.zero_grad()
        loss.backward()
        optim_projection.step()
        optim_relation.step()

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(n_steps):
        step()
    return (time.perf_counter() - start) / n_steps


@torch.no_grad()
def predict_scores(net, X, class_attributes, batch_size=100):
    """Relation scores of every sample against every class, in batches of samples."""
    anchors = net.projection(torch.as_tensor(class_attributes, dtype=torch.float32))
    out = np.empty((len(X), len(anchors)), dtype=np.float32)
    for start in range(0, len(X), batch_size):
        block = torch.as_tensor(X[start : start + batch_size])
        out[start : start + batch_size] = net(block, anchors).numpy()
    return out
