"""The in-place weight-gradient protocol of CPU training, in one place.

Fresh 16 MB gradients of 2048 x 2048 weights every step cost page faults
that, on CPU, take as long as the matrix products themselves. The relation
module's two FC1 weights therefore keep their gradient buffers between
steps, and their backward pass writes into them:

1. before a step, :func:`prepare_kept_gradients` marks each kept buffer for
   overwriting (float32 CPU training) or zero-fills it (CUDA, autocast,
   where autograd adds into it), and frees every other gradient;
2. :func:`linear` runs a layer so that its backward pass overwrites a marked
   buffer with one ``mm`` (no zero-filling pass) or adds into an unmarked one
   with one ``addmm_``;
3. after the backward pass, :func:`zero_unwritten_gradients` zeroes a marked
   buffer that the step did not write (a weight left unused).
"""

import torch

__all__ = ["OVERWRITE_GRAD", "linear", "prepare_kept_gradients", "zero_unwritten_gradients"]

OVERWRITE_GRAD = "_crnet_overwrite_grad"
"""Attribute set on a weight whose kept gradient buffer holds a past step's gradient."""

_ROW_MULTIPLE = 8  # the matrix kernels run a few rows short of a multiple of 8 far slower


def _transposed_product(weight, rows, bias=None):
    """``rows @ weight.T (+ bias)`` computed as ``weight @ rows.T``, shape ``(n_rows, out)``.

    With 2048 x 2048 weights and a few dozen rows, MKL runs the product with
    the large matrix on the left, untransposed, at about 1.5 times the rate of
    ``F.linear``'s layout, and faster again when the row count is a multiple
    of 8: rows are padded with zeros to one (zero rows add nothing to the
    result's other rows).
    """
    n_rows = rows.shape[0]
    padded = -(-n_rows // _ROW_MULTIPLE) * _ROW_MULTIPLE
    if padded != n_rows:
        rows = torch.cat([rows, rows.new_zeros(padded - n_rows, rows.shape[1])])
    else:
        rows = rows.contiguous()
    if bias is None:
        product = torch.mm(weight, rows.T)
    else:
        product = torch.addmm(bias[:, None], weight, rows.T)
    return product[:, :n_rows].T.contiguous()


class _LinearAccumulatingGrad(torch.autograd.Function):
    """``F.linear`` for CPU training: faster product layouts, weight gradient written in place.

    CPU only, and only while training keeps gradient buffers between steps
    (:func:`prepare_kept_gradients` marks them for overwriting instead of
    freeing them). Stock autograd would allocate a fresh
    ``(out, in)`` gradient every step and then add it to the kept buffer; on
    CPU the page faults of those fresh 16 MB allocations for 2048 x 2048
    weights cost more than the product itself. Here one ``mm`` writes
    ``grad_output.T @ input`` into a buffer marked for overwriting (no
    zero-filling pass), or one ``addmm_`` adds it to a buffer already
    holding this step's gradient. Without a buffer the gradient is returned
    as usual.
    """

    @staticmethod
    def forward(ctx, input, weight, bias):
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        return _transposed_product(weight, input, bias)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output @ weight
        if ctx.needs_input_grad[1]:
            buffer = weight.grad
            if buffer is not None and buffer.is_contiguous() and not torch.is_grad_enabled():
                if getattr(weight, OVERWRITE_GRAD, False):
                    torch.mm(grad_output.T, input, out=buffer)
                    setattr(weight, OVERWRITE_GRAD, False)
                else:
                    buffer.addmm_(grad_output.T, input)
            else:
                grad_weight = grad_output.T @ input
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias




def linear(layer, input):
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


def prepare_kept_gradients(kept, all_parameters, in_place):
    """Before a step: mark or zero the ``kept`` gradient buffers, free every other gradient.

    Parameters
    ----------
    kept : list of torch.nn.Parameter
        Weights whose gradient buffers are kept (those holding a buffer).
    all_parameters : iterable of torch.nn.Parameter
        Every parameter the optimiser steps.
    in_place : bool
        Whether :func:`linear` writes the kept gradients in place (float32
        CPU training): then the buffers are marked for overwriting; otherwise
        autograd adds into them, so they are zero-filled.
    """
    for param in kept:
        if in_place:
            setattr(param, OVERWRITE_GRAD, True)
        else:
            param.grad.zero_()
    for param in all_parameters:
        if param.grad is not None and not any(param is k for k in kept):
            param.grad = None


def zero_unwritten_gradients(kept):
    """After a backward pass: zero the kept buffers it did not write (a weight left unused)."""
    for param in kept:
        if getattr(param, OVERWRITE_GRAD, False):
            param.grad.zero_()
            setattr(param, OVERWRITE_GRAD, False)
