"""Torch modules of CRnet: the projections, the relation module and the scorer."""

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import skip_init

__all__ = ["CooperationModule", "MLPProjection", "RelationModule", "RelationScorer"]


def _init_linear(weight, bias, fan_in, generator):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), torch.nn.Linear's default, from ``generator``.

    Layers are built with ``skip_init`` and initialised here, so that a fit
    draws only from its own generator, never from torch's global one.
    """
    bound = 1.0 / math.sqrt(fan_in)
    nn.init.uniform_(weight, -bound, bound, generator=generator)
    if bias is not None:
        nn.init.uniform_(bias, -bound, bound, generator=generator)


_MAX_CHUNK_ROWS = 256  # scoring block size at most; the padding of a last block stays cheap


def _own(generator):
    return torch.Generator() if generator is None else generator


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
    generator : torch.Generator, default=None
        Source of the initial weights; None uses a new generator with torch's
        default seed (torch's global generator is never drawn from).
    """

    def __init__(self, field_centres, out_features, generator=None):
        super().__init__()
        field_centres = torch.as_tensor(field_centres, dtype=torch.float32)
        n_experts, n_attributes = field_centres.shape
        self.register_buffer("field_centres", field_centres.clone())
        self.weight = nn.Parameter(torch.empty(n_experts, out_features, n_attributes))
        self.bias = nn.Parameter(torch.empty(n_experts, out_features))
        _init_linear(self.weight, self.bias, n_attributes, _own(generator))

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
    generator : torch.Generator, default=None
        Source of the initial weights; None uses a new generator with torch's
        default seed (torch's global generator is never drawn from).
    """

    def __init__(self, in_features, hidden_features, out_features, generator=None):
        super().__init__()
        self.hidden = skip_init(nn.Linear, in_features, hidden_features)
        self.output = skip_init(nn.Linear, hidden_features, out_features)
        generator = _own(generator)
        _init_linear(self.hidden.weight, self.hidden.bias, in_features, generator)
        _init_linear(self.output.weight, self.output.bias, hidden_features, generator)

    def forward(self, attributes):
        """Feature anchors ``(n_classes, Q)`` of attribute rows ``(n_classes, P)``."""
        return F.relu(self.output(F.relu(self.hidden(attributes))))


class _LinearAccumulatingGrad(torch.autograd.Function):
    """``F.linear`` whose backward adds the weight gradient into ``weight.grad`` in place.

    CPU only, and only while training keeps gradient buffers between steps
    (``BatchClassesNet.zero_grad_in_place`` zeroes them instead of freeing
    them). Stock autograd would allocate a fresh ``(out, in)`` gradient every
    step and then add it to the kept buffer; on CPU the page faults of those
    fresh 16 MB allocations for 2048 x 2048 weights cost more than the product
    itself. Here one ``addmm_`` accumulates ``grad_output.T @ input`` into the
    buffer, which is the same sum. Without a buffer the gradient is returned
    as usual.
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
    """``layer(input)``, through the in-place gradient path where it pays and is exact.

    The in-place path applies to float32 CPU training only: on CUDA fresh
    allocations come from torch's caching allocator (no page faults), and
    under autocast the product runs in a lower precision whose gradient
    autograd must cast back.
    """
    if (torch.is_grad_enabled() and layer.weight.requires_grad and input.device.type == "cpu"
            and input.dtype == torch.float32 and not torch.is_autocast_enabled("cpu")):
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
    generator : torch.Generator, default=None
        Source of the initial weights; None uses a new generator with torch's
        default seed (torch's global generator is never drawn from).
    """

    def __init__(self, feature_dim, hidden_units, generator=None):
        super().__init__()
        self.anchor_fc = skip_init(nn.Linear, feature_dim, hidden_units)
        self.feature_fc = skip_init(nn.Linear, feature_dim, hidden_units, bias=False)
        self.output_fc = skip_init(nn.Linear, hidden_units, 1)
        generator = _own(generator)
        bound = 1.0 / math.sqrt(2 * feature_dim)
        for tensor in (self.anchor_fc.weight, self.anchor_fc.bias, self.feature_fc.weight):
            nn.init.uniform_(tensor, -bound, bound, generator=generator)
        _init_linear(self.output_fc.weight, self.output_fc.bias, hidden_units, generator)

    def feature_part(self, features):
        """FC1's feature half ``W_v v`` of samples ``(n, Q)``, shape ``(n, H)``."""
        return _linear(self.feature_fc, features)

    def anchor_part(self, anchors):
        """FC1's anchor half ``W_a a + b`` of anchors ``(C, Q)``, shape ``(C, H)``."""
        return _linear(self.anchor_fc, anchors)

    def combine(self, feature_part, anchor_part):
        """FC2 logits ``(n, C)`` of every pair from the two FC1 halves."""
        # In place: the sum is a fresh tensor, and ReLU's backward needs only its output.
        hidden = F.relu(feature_part[:, None, :] + anchor_part[None, :, :], inplace=True)
        return F.linear(hidden, self.output_fc.weight, self.output_fc.bias).squeeze(-1)

    def forward(self, features, anchors):
        """Relation logits of every (sample, anchor) pair, shape ``(n, C)``."""
        return self.combine(self.feature_part(features), self.anchor_part(anchors))


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
        self.set_class_attributes(class_attributes)

    def set_class_attributes(self, class_attributes):
        """Replace the table of class attribute rows (e.g. to add classes after training)."""
        device = next(self.parameters()).device
        self.register_buffer("class_attributes", torch.as_tensor(
            class_attributes, dtype=torch.float32).clone().to(device))

    def anchors(self, class_index=None):
        """Feature anchors of the classes ``class_index`` (all classes when None)."""
        attributes = self.class_attributes
        if class_index is not None:
            attributes = attributes[class_index]
        return self.projection(attributes)

    def forward(self, features, class_index=None):
        """Relation logits of ``features`` against the classes ``class_index``."""
        return self.relation(features, self.anchors(class_index))

    @torch.inference_mode()
    def chunked_logits(self, features, max_pairs, offsets=None, argmax=False, candidates=None):
        """Logits of ``features`` (ndarray) against every class, scored in chunks of samples.

        Parameters
        ----------
        features : ndarray of shape (n_samples, Q)
            Float32 samples; moved to the module's device one chunk at a time.
        max_pairs : float
            Most (sample, class) pairs scored at once; bounds the memory of the
            ``(chunk, n_classes, H)`` hidden grid.
        offsets : ndarray of shape (n_classes,), default=None
            Subtracted from each class's logits (calibrated stacking).
        argmax : bool, default=False
            Return only the index of the best class of each sample, so that
            memory stays independent of ``n_samples * n_classes``.
        candidates : ndarray of int, default=None
            With ``argmax``: search only these class indices.

        Returns
        -------
        logits : ndarray of shape (n_samples, n_classes), float32
            Or, with ``argmax``, class indices of shape (n_samples,).
        """
        self.eval()
        device = self.class_attributes.device
        class_index = None if candidates is None else torch.as_tensor(candidates, device=device)
        anchor_part = self.relation.anchor_part(self.anchors(class_index))
        n_classes = anchor_part.shape[0]
        shift = None
        if offsets is not None:
            shift = torch.as_tensor(np.asarray(offsets), dtype=anchor_part.dtype, device=device)
            shift = shift if class_index is None else shift[class_index]
        n_samples = features.shape[0]
        chunk = max(1, min(int(max_pairs) // n_classes, _MAX_CHUNK_ROWS))
        out = np.empty((n_samples,) if argmax else (n_samples, n_classes),
                       dtype=np.int64 if argmax else np.float32)
        # Every chunk is scored as a full block of the same shape, the last one
        # padded with zeros: a sample's scores then do not depend on how many
        # samples are scored with it (matrix kernels sum in shape-dependent order).
        block = torch.zeros(chunk, features.shape[1], dtype=torch.float32, device=device)
        for start in range(0, n_samples, chunk):
            rows = min(chunk, n_samples - start)
            block[:rows].copy_(torch.as_tensor(features[start:start + rows]))
            if rows < chunk:
                block[rows:].zero_()
            logits = self.relation.combine(self.relation.feature_part(block), anchor_part)[:rows]
            if shift is not None:
                logits -= shift
            if argmax:
                best = logits.argmax(dim=1)
                out[start:start + rows] = (best if class_index is None else class_index[best]).cpu()
            else:
                out[start:start + rows] = logits.cpu().numpy()
        return out
