"""Torch modules of CRnet: the projections, the relation module and the scorer."""

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import skip_init

from ._inplace_grad import linear

__all__ = ["SHARED_STATE_KEYS", "CooperationModule", "EnsembleScorer", "MLPProjection", "RelationModule",
           "RelationScorer", "StackedCooperationModule", "StackedMLPProjection", "StackedRelationModule",
           "build_scorer", "split_ensemble_state"]


def _init_linear(weight, bias, fan_in, generator):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), torch.nn.Linear's default, from ``generator``.

    Layers are built with ``skip_init`` and initialised here, so that a fit
    draws only from its own generator, never from torch's global one.
    """
    bound = 1.0 / math.sqrt(fan_in)
    nn.init.uniform_(weight, -bound, bound, generator=generator)
    if bias is not None:
        nn.init.uniform_(bias, -bound, bound, generator=generator)


#: Every parameter is built as float32 on the CPU (and moved to the training
#: device afterwards), whatever the caller's torch default dtype and device.
_FLOAT32_CPU = {"dtype": torch.float32, "device": "cpu"}

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
        field_centres = torch.as_tensor(field_centres, **_FLOAT32_CPU)
        n_experts, n_attributes = field_centres.shape
        self.register_buffer("field_centres", field_centres.clone())
        self.weight = nn.Parameter(torch.empty(n_experts, out_features, n_attributes, **_FLOAT32_CPU))
        self.bias = nn.Parameter(torch.empty(n_experts, out_features, **_FLOAT32_CPU))
        _init_linear(self.weight, self.bias, n_attributes, _own(generator))

    def _expert_outputs(self, attributes):
        """Expert outputs ``(K, Q, n_classes)``.

        Laid out so that the weight gradient of the batched product comes out
        in the weight's own layout (autograd would otherwise copy it each step).
        """
        offsets = attributes[None, :, :] - self.field_centres[:, None, :]
        return F.relu(torch.baddbmm(self.bias[:, :, None], self.weight, offsets.transpose(1, 2)))

    def expert_responses(self, attributes):
        """Output of each expert, shape ``(n_classes, K, Q)``."""
        return self._expert_outputs(attributes).permute(2, 0, 1)

    def forward(self, attributes):
        """Feature anchors ``(n_classes, Q)`` of attribute rows ``(n_classes, P)``."""
        return self._expert_outputs(attributes).sum(dim=0).T


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
        self.hidden = skip_init(nn.Linear, in_features, hidden_features, **_FLOAT32_CPU)
        self.output = skip_init(nn.Linear, hidden_features, out_features, **_FLOAT32_CPU)
        generator = _own(generator)
        _init_linear(self.hidden.weight, self.hidden.bias, in_features, generator)
        _init_linear(self.output.weight, self.output.bias, hidden_features, generator)

    def forward(self, attributes):
        """Feature anchors ``(n_classes, Q)`` of attribute rows ``(n_classes, P)``."""
        return F.relu(self.output(F.relu(self.hidden(attributes))))


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
        self.anchor_fc = skip_init(nn.Linear, feature_dim, hidden_units, **_FLOAT32_CPU)
        self.feature_fc = skip_init(nn.Linear, feature_dim, hidden_units, bias=False, **_FLOAT32_CPU)
        self.output_fc = skip_init(nn.Linear, hidden_units, 1, **_FLOAT32_CPU)
        generator = _own(generator)
        bound = 1.0 / math.sqrt(2 * feature_dim)
        for tensor in (self.anchor_fc.weight, self.anchor_fc.bias, self.feature_fc.weight):
            nn.init.uniform_(tensor, -bound, bound, generator=generator)
        _init_linear(self.output_fc.weight, self.output_fc.bias, hidden_units, generator)

    def feature_part(self, features):
        """FC1's feature half ``W_v v`` of samples ``(n, Q)``, shape ``(n, H)``."""
        return linear(self.feature_fc, features)

    def anchor_part(self, anchors):
        """FC1's anchor half ``W_a a + b`` of anchors ``(C, Q)``, shape ``(C, H)``."""
        return linear(self.anchor_fc, anchors)

    def combine(self, feature_part, anchor_part):
        """FC2 logits ``(n, C)`` of every pair from the two FC1 halves."""
        # In place: the sum is a fresh tensor, and ReLU's backward needs only its output.
        hidden = F.relu(feature_part[:, None, :] + anchor_part[None, :, :], inplace=True)
        return F.linear(hidden, self.output_fc.weight, self.output_fc.bias).squeeze(-1)

    def forward(self, features, anchors):
        """Relation logits of every (sample, anchor) pair, shape ``(n, C)``."""
        return self.combine(self.feature_part(features), self.anchor_part(anchors))


class _Scorer(nn.Module):
    """What a single network and an ensemble share: the class table and chunked scoring.

    Subclasses provide ``projection`` and ``relation`` modules and
    ``_anchor_part``/``_block_logits``, which return FC1's anchor half and the
    (member-averaged) logits of a block of samples.
    """

    n_members = 1

    @property
    def hidden_units(self):
        """Width H of each member's relation module."""
        return int(self.relation.output_fc.weight.shape[-1])

    def set_class_attributes(self, class_attributes):
        """Replace the table of class attribute rows (e.g. to add classes after training)."""
        device = next(self.parameters()).device
        self.register_buffer("class_attributes", torch.as_tensor(
            class_attributes, **_FLOAT32_CPU).clone().to(device))

    def _attributes(self, class_index):
        return self.class_attributes if class_index is None else self.class_attributes[class_index]

    @torch.inference_mode()
    def chunked_logits(self, features, max_pairs, offsets=None, argmax=False, candidates=None):
        """Logits of ``features`` (ndarray) against every class, scored in chunks of samples.

        Parameters
        ----------
        features : ndarray of shape (n_samples, Q)
            Float32 samples; moved to the module's device one chunk at a time.
        max_pairs : float
            Most (sample, class) pairs scored at once, counted once per member
            network; bounds the memory of the ``(chunk, n_classes, H)`` hidden
            grid of every member.
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
        anchor_part = self._anchor_part(class_index)
        n_classes = anchor_part.shape[-2]
        shift = None
        if offsets is not None:
            shift = torch.as_tensor(np.asarray(offsets), dtype=anchor_part.dtype, device=device)
            shift = shift if class_index is None else shift[class_index]
        n_samples = features.shape[0]
        chunk = max(1, min(int(max_pairs) // (n_classes * self.n_members), _MAX_CHUNK_ROWS))
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
            logits = self._block_logits(block, anchor_part)[:rows]
            if shift is not None:
                logits -= shift
            if argmax:
                best = logits.argmax(dim=1)
                out[start:start + rows] = (best if class_index is None else class_index[best]).cpu()
            else:
                out[start:start + rows] = logits.cpu().numpy()
        return out


class RelationScorer(_Scorer):
    """A projection of attributes to anchors plus a relation module: one network.

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

    def anchors(self, class_index=None):
        """Feature anchors of the classes ``class_index`` (all classes when None)."""
        return self.projection(self._attributes(class_index))

    def forward(self, features, class_index=None):
        """Relation logits of ``features`` against the classes ``class_index``."""
        return self.relation(features, self.anchors(class_index))

    def member_logits(self, features, class_index=None):
        """Relation logits ``(1, n, C)``: the single member's, as an ensemble returns them."""
        return self(features, class_index)[None]

    def in_place_gradient_weights(self):
        """FC1's two weights, whose gradients take the in-place path (:mod:`._inplace_grad`)."""
        return [self.relation.anchor_fc.weight, self.relation.feature_fc.weight]

    def expert_responses(self, attributes):
        """The projection's expert outputs ``(n_classes, K, Q)`` (cooperation module only)."""
        return self.projection.expert_responses(attributes)

    def _anchor_part(self, class_index):
        return self.relation.anchor_part(self.anchors(class_index))

    def _block_logits(self, block, anchor_part):
        return self.relation.combine(self.relation.feature_part(block), anchor_part)


class _StackedLinear(nn.Module):
    """M ``nn.Linear`` layers of one shape as single tensors, the member on axis 0.

    ``weight`` is ``(M, out, in)`` and ``bias`` ``(M, out)`` (or None).
    """

    def __init__(self, layers):
        super().__init__()
        self.weight = nn.Parameter(torch.stack([layer.weight.detach() for layer in layers]))
        biases = [layer.bias for layer in layers]
        self.bias = None if biases[0] is None else nn.Parameter(torch.stack([b.detach() for b in biases]))

    def forward(self, inputs):
        """Each member's layer on its own rows: ``(M, n, in)`` to ``(M, n, out)``."""
        if self.bias is None:
            return torch.bmm(inputs, self.weight.transpose(1, 2))
        return torch.baddbmm(self.bias[:, None, :], inputs, self.weight.transpose(1, 2))

    def shared_input(self, rows):
        """Every member's layer on the same rows: ``(n, in)`` to ``(M, n, out)``, one product."""
        n_members, n_out, n_in = self.weight.shape
        flat_bias = None if self.bias is None else self.bias.reshape(n_members * n_out)
        product = F.linear(rows, self.weight.reshape(n_members * n_out, n_in), flat_bias)
        return product.view(len(rows), n_members, n_out).transpose(0, 1).contiguous()


class StackedCooperationModule(nn.Module):
    """M copies of :class:`CooperationModule` with common field centres, run as one batched product.

    ``weight`` is ``(M, K, Q, P)`` and ``bias`` ``(M, K, Q)``; ``field_centres``
    ``(K, P)`` is shared.

    Parameters
    ----------
    modules : list of CooperationModule
        The members, whose weights are copied.
    """

    def __init__(self, modules):
        super().__init__()
        centres = modules[0].field_centres
        if any(not torch.equal(m.field_centres, centres) for m in modules):
            raise ValueError("the members of an ensemble must share their field centres")
        self.register_buffer("field_centres", centres.clone())
        self.weight = nn.Parameter(torch.stack([m.weight.detach() for m in modules]))
        self.bias = nn.Parameter(torch.stack([m.bias.detach() for m in modules]))

    def _expert_outputs(self, attributes):
        """Expert outputs ``(M, K, Q, n_classes)``."""
        n_members, n_experts, n_features, n_attributes = self.weight.shape
        offsets = (attributes[None, :, :] - self.field_centres[:, None, :]).transpose(1, 2)
        offsets = offsets.expand(n_members, -1, -1, -1).reshape(n_members * n_experts, n_attributes, -1)
        outputs = torch.baddbmm(self.bias.view(n_members * n_experts, n_features, 1),
                                self.weight.view(n_members * n_experts, n_features, n_attributes), offsets)
        return F.relu(outputs).view(n_members, n_experts, n_features, -1)

    def expert_responses(self, attributes):
        """Output of each member's experts, shape ``(M, n_classes, K, Q)``."""
        return self._expert_outputs(attributes).permute(0, 3, 1, 2)

    def forward(self, attributes):
        """Each member's anchors ``(M, n_classes, Q)`` of attribute rows ``(n_classes, P)``."""
        return self._expert_outputs(attributes).sum(dim=1).transpose(1, 2)


class StackedMLPProjection(nn.Module):
    """M copies of :class:`MLPProjection`, run as batched products.

    Parameters
    ----------
    modules : list of MLPProjection
        The members, whose weights are copied.
    """

    def __init__(self, modules):
        super().__init__()
        self.hidden = _StackedLinear([m.hidden for m in modules])
        self.output = _StackedLinear([m.output for m in modules])

    def forward(self, attributes):
        """Each member's anchors ``(M, n_classes, Q)`` of attribute rows ``(n_classes, P)``."""
        return F.relu(self.output(F.relu(self.hidden.shared_input(attributes))))


def _stacked_projection(projections):
    kinds = {type(p) for p in projections}
    if kinds == {CooperationModule}:
        return StackedCooperationModule(projections)
    if kinds == {MLPProjection}:
        return StackedMLPProjection(projections)
    raise TypeError(f"cannot stack projections of types {sorted(k.__name__ for k in kinds)}")


class StackedRelationModule(nn.Module):
    """M copies of :class:`RelationModule`, run as batched products, each member on its own anchors.

    Parameters
    ----------
    modules : list of RelationModule
        The members, whose weights are copied.
    """

    def __init__(self, modules):
        super().__init__()
        self.anchor_fc = _StackedLinear([m.anchor_fc for m in modules])
        self.feature_fc = _StackedLinear([m.feature_fc for m in modules])
        self.output_fc = _StackedLinear([m.output_fc for m in modules])

    def feature_part(self, features):
        """Each member's FC1 feature half of samples ``(n, Q)``, shape ``(M, n, H)``."""
        return self.feature_fc.shared_input(features)

    def anchor_part(self, anchors):
        """Each member's FC1 anchor half of its anchors ``(M, C, Q)``, shape ``(M, C, H)``."""
        return self.anchor_fc(anchors)

    def combine(self, feature_part, anchor_part):
        """Each member's FC2 logits ``(M, n, C)`` of every pair."""
        n_members, n_samples, n_hidden = feature_part.shape
        hidden = F.relu(feature_part[:, :, None, :] + anchor_part[:, None, :, :], inplace=True)
        logits = self.output_fc(hidden.view(n_members, -1, n_hidden))
        return logits.view(n_members, n_samples, -1)


#: State-dict entries an ensemble shares among its members; every other entry
#: holds the members' tensors stacked on axis 0.
SHARED_STATE_KEYS = ("class_attributes", "projection.field_centres")


class EnsembleScorer(_Scorer):
    """Independently initialised networks trained side by side as one batched computation.

    Each parameter holds the members' tensors stacked on axis 0, so every
    layer of every member runs in one product. Every member scores the same
    batches, and the training loss is the sum of the members' own losses: a
    member's gradient, and with Adam's per-element update its trajectory, is
    the one it would have if trained alone on those batches. Prediction
    averages the members' logits.

    Parameters
    ----------
    members : list of RelationScorer
        At least two networks of the same shapes and class table; their
        weights are copied.
    """

    def __init__(self, members):
        super().__init__()
        if len(members) < 2:
            raise ValueError("an ensemble needs at least two member networks")
        self.n_members = len(members)
        self.projection = _stacked_projection([m.projection for m in members])
        self.relation = StackedRelationModule([m.relation for m in members])
        self.set_class_attributes(members[0].class_attributes)

    def member_anchors(self, class_index=None):
        """Each member's feature anchors of the classes ``class_index``, ``(M, C, Q)``."""
        return self.projection(self._attributes(class_index))

    def anchors(self, class_index=None):
        """The members' feature anchors of the classes ``class_index``, averaged."""
        return self.member_anchors(class_index).mean(dim=0)

    def member_logits(self, features, class_index=None):
        """Each member's relation logits ``(M, n, C)``."""
        relation = self.relation
        return relation.combine(relation.feature_part(features),
                                relation.anchor_part(self.member_anchors(class_index)))

    def forward(self, features, class_index=None):
        """Mean of the members' relation logits, shape ``(n, C)``."""
        return self.member_logits(features, class_index).mean(dim=0)

    def in_place_gradient_weights(self):
        """None: stacked weights take autograd's own gradient path."""
        return []

    def expert_responses(self, attributes):
        """The members' expert outputs ``(n_classes, K, Q)``, averaged (expert k of every
        member serves the same field centre)."""
        return self.projection.expert_responses(attributes).mean(dim=0)

    def _anchor_part(self, class_index):
        return self.relation.anchor_part(self.member_anchors(class_index))

    def _block_logits(self, block, anchor_part):
        return self.relation.combine(self.relation.feature_part(block), anchor_part).mean(dim=0)


def build_scorer(projections, n_features, n_hidden, class_attributes, generator=None):
    """One relation network per projection: a :class:`RelationScorer`, or their :class:`EnsembleScorer`.

    Parameters
    ----------
    projections : list of torch.nn.Module
        The members' projections of attribute rows to ``n_features``-d anchors.
    n_features, n_hidden : int
        Feature dimension Q and width H of each relation module.
    class_attributes : ndarray of shape (n_classes, P)
        The (scaled) class table the scorer holds.
    generator : torch.Generator, default=None
        Source of the relation modules' initial weights.
    """
    members = [RelationScorer(projection, RelationModule(n_features, n_hidden, generator=generator),
                              class_attributes) for projection in projections]
    return members[0] if len(members) == 1 else EnsembleScorer(members)


def split_ensemble_state(module_state, n_members):
    """Each member's state dict from an :class:`EnsembleScorer`'s, with the member's own keys.

    Raises ``ValueError``, before anything is allocated, when a stacked entry
    does not hold ``n_members`` members.
    """
    for key, value in module_state.items():
        if key in SHARED_STATE_KEYS:
            continue
        if not isinstance(value, torch.Tensor) or value.ndim == 0 or value.shape[0] != n_members:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(f"ensemble_size is {n_members}, but the weights' entry {key!r} has "
                             f"shape {shape}, not {n_members} stacked members")
    states = [{} for _ in range(n_members)]
    for key, value in module_state.items():
        if key in SHARED_STATE_KEYS:
            for state in states:
                state[key] = value
            continue
        for i, state in enumerate(states):
            state[key] = value[i]
    return states
