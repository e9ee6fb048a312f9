"""Torch modules of CRnet: the projections, the relation module and the scorer."""

import math

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["CooperationModule", "MLPProjection", "RelationModule", "RelationScorer"]


class CooperationModule(nn.Module):
    """K parallel single-layer ReLU experts, each fed the offset to its field centre.

    Implements paper Eq. 5-7: ``f(s) = sum_k relu(W_k (s - c_k) + b_k)``.
    The weights of the K experts are one ``(K, Q, P)`` parameter so that all
    experts run in a single batched product.

    Parameters
    ----------
    field_centres : Tensor of shape (K, P)
        K-means centres of the seen classes' attribute rows; kept as a buffer.
    out_features : int
        Dimension Q of the visual feature space.
    """

    def __init__(self, field_centres, out_features):
        super().__init__()
        field_centres = torch.as_tensor(field_centres, dtype=torch.float32)
        n_experts, n_attributes = field_centres.shape
        self.register_buffer("field_centres", field_centres.clone())
        self.weight = nn.Parameter(torch.empty(n_experts, out_features, n_attributes))
        self.bias = nn.Parameter(torch.empty(n_experts, out_features))
        self.reset_parameters()

    def reset_parameters(self):
        """Initialise every expert as ``torch.nn.Linear(P, Q)`` would."""
        bound = 1.0 / math.sqrt(self.weight.shape[2])
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def expert_responses(self, attributes):
        """Output of each expert, shape ``(n_classes, K, Q)``."""
        offsets = attributes[:, None, :] - self.field_centres[None, :, :]
        return F.relu(torch.einsum("ckp,kqp->ckq", offsets, self.weight) + self.bias)

    def forward(self, attributes):
        """Feature anchors ``(n_classes, Q)`` of attribute rows ``(n_classes, P)``."""
        return self.expert_responses(attributes).sum(dim=1)


class MLPProjection(nn.Module):
    """Two-layer perceptron projection (Linear-ReLU-Linear-ReLU) of the Relation Network.

    Parameters
    ----------
    in_features : int
        Number of attributes P.
    hidden_features : int
        Width of the hidden layer.
    out_features : int
        Dimension Q of the visual feature space.
    """

    def __init__(self, in_features, hidden_features, out_features):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.output = nn.Linear(hidden_features, out_features)

    def forward(self, attributes):
        """Feature anchors ``(n_classes, Q)`` of attribute rows ``(n_classes, P)``."""
        return F.relu(self.output(F.relu(self.hidden(attributes))))


class _LinearAccumulatingGrad(torch.autograd.Function):
    """``F.linear`` whose backward adds the weight gradient into ``weight.grad`` in place.

    Autograd would allocate a fresh ``(out, in)`` gradient every step and then
    add it to the kept ``.grad`` buffer; for the 2048 x 2048 halves of FC1 the
    fresh allocations' page faults and the extra pass cost more on CPU than the
    product itself. When the buffer exists, one ``addmm_`` accumulates into
    it (the same result: ``grad += grad_output.T @ input``); otherwise the
    gradient is returned as usual.
    """

    @staticmethod
    def forward(ctx, input, weight, bias):
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        return F.linear(input, weight, bias)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output @ weight
        if ctx.needs_input_grad[1]:
            buffer = weight.grad
            if buffer is not None and buffer.is_contiguous() and not torch.is_grad_enabled():
                buffer.addmm_(grad_output.T, input)
            else:
                grad_weight = grad_output.T @ input
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


def _linear(layer, input):
    if torch.is_grad_enabled() and layer.weight.requires_grad:
        return _LinearAccumulatingGrad.apply(input, layer.weight, layer.bias)
    return layer(input)


class RelationModule(nn.Module):
    """FC1-ReLU-FC2 relation module on ``[anchor, feature]`` without the concatenation.

    FC1 of the concatenation ``[a, v]`` equals ``W_a a + W_v v + b``, so the
    anchor half is computed once per class and the feature half once per
    sample; only the ReLU and FC2 run on the ``(n_samples, n_classes, H)``
    grid. The two halves are separate parameters (cheaper optimiser steps than
    slicing one weight). They are initialised exactly as one
    ``torch.nn.Linear(2Q, H)`` would be. ``forward`` returns FC2's output
    (the logit); the sigmoid of the paper is applied by the caller.

    Parameters
    ----------
    feature_dim : int
        Dimension Q of features and anchors.
    hidden_units : int
        Width H of FC1.
    """

    def __init__(self, feature_dim, hidden_units):
        super().__init__()
        self.anchor_fc = nn.Linear(feature_dim, hidden_units)
        self.feature_fc = nn.Linear(feature_dim, hidden_units, bias=False)
        self.output_fc = nn.Linear(hidden_units, 1)
        bound = 1.0 / math.sqrt(2 * feature_dim)
        for tensor in (self.anchor_fc.weight, self.anchor_fc.bias, self.feature_fc.weight):
            nn.init.uniform_(tensor, -bound, bound)

    def hidden_from_parts(self, feature_part, anchor_part):
        """FC2 logits from precomputed FC1 halves ``(n, H)`` and ``(C, H)``."""
        # In place: the sum is a fresh tensor, and ReLU's backward needs only its output.
        hidden = F.relu(feature_part[:, None, :] + anchor_part[None, :, :], inplace=True)
        return F.linear(hidden, self.output_fc.weight, self.output_fc.bias).squeeze(-1)

    def forward(self, features, anchors):
        """Relation logits of every (sample, anchor) pair, shape ``(n, C)``."""
        return self.hidden_from_parts(_linear(self.feature_fc, features),
                                      _linear(self.anchor_fc, anchors))


class RelationScorer(nn.Module):
    """A projection of attributes to anchors plus a relation module.

    Parameters
    ----------
    projection : nn.Module
        Maps attribute rows ``(C, P)`` to feature anchors ``(C, Q)``.
    relation : RelationModule
        Scores (feature, anchor) pairs.
    class_attributes : Tensor of shape (n_classes, P)
        Attribute rows of every class, indexed by encoded label; a buffer.
    """

    def __init__(self, projection, relation, class_attributes):
        super().__init__()
        self.projection = projection
        self.relation = relation
        self.register_buffer(
            "class_attributes", torch.as_tensor(class_attributes, dtype=torch.float32).clone()
        )

    def anchors(self, class_index=None):
        """Feature anchors of the classes ``class_index`` (all classes when None)."""
        attributes = self.class_attributes
        if class_index is not None:
            attributes = attributes[class_index]
        return self.projection(attributes)

    def forward(self, features, class_index=None):
        """Relation logits of ``features`` against the classes ``class_index``."""
        return self.relation(features, self.anchors(class_index))
