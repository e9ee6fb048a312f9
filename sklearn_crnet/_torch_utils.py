"""Devices, optimiser support and CPU thread use of the torch back end."""

from contextlib import contextmanager

import torch

__all__ = ["REGULARIZATION_FORMS", "SMALL_STEP_FLOPS", "fused_adam_supported", "own_torch_state",
           "relation_step_flops", "resolve_device", "thread_count", "torch_threads"]

#: Adam's coupled weight decay per unit of alpha/beta, and whether the pair loss
#: is summed, for each ``regularization`` form (see ``BatchClassesNet``).
REGULARIZATION_FORMS = {"objective": (2.0, True), "weight_decay": (1.0, False)}

#: Training steps below this many FLOPs run on one CPU thread under
#: ``n_threads="auto"``: their matrix products are too small for a second
#: thread to pay for its synchronisation, and on a busy machine a second
#: thread that must wait for a core makes them several times slower
#: (docs/performance.rst, "Threads").
SMALL_STEP_FLOPS = 2e8


def resolve_device(device):
    """Turn ``"auto"`` into ``"cuda"`` when CUDA is available, else ``"cpu"``; check others.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...

    Returns
    -------
    device : str
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu' or 'cuda'."
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this machine; "
            "use device='auto' or 'cpu'."
        )
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"device={device!r} is not supported; use 'auto', 'cpu' or 'cuda'.")
    return str(resolved)


def fused_adam_supported(device):
    """Whether ``torch.optim.Adam(fused=True)`` runs on ``device`` (CUDA, and CPU since torch 2.4)."""
    return str(device).startswith(("cuda", "cpu"))


def relation_step_flops(batch_size, n_classes, n_features, hidden_units):
    """Approximate FLOPs of one network's relation module in one training step (forward and
    backward of the matrix products)."""
    return 4 * batch_size * n_features * hidden_units + 6 * n_classes * n_features * hidden_units


def thread_count(n_threads, step_flops, device):
    """CPU threads for torch under the ``n_threads`` setting; None keeps torch's own.

    Parameters
    ----------
    n_threads : "auto" or int
        An int is used as given. "auto" means one thread when a training
        step costs fewer than :data:`SMALL_STEP_FLOPS`, else torch's current
        setting.
    step_flops : float
        FLOPs of one training step of the problem at hand.
    device : str
        On CUDA the CPU threads matter little; torch's setting is kept.

    Returns
    -------
    threads : int or None
    """
    if not isinstance(n_threads, str):
        return int(n_threads)
    if str(device).startswith("cuda") or step_flops >= SMALL_STEP_FLOPS:
        return None
    return 1


@contextmanager
def torch_threads(threads):
    """Run the block with torch's intra-op thread count set to ``threads`` (None: unchanged)."""
    if threads is None or threads == torch.get_num_threads():
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def own_torch_state():
    """Run the block with gradients on, outside inference mode, tensors made on the CPU by default.

    Fitting and loading then do not depend on the caller's ``torch.no_grad``,
    ``torch.inference_mode`` or ``torch.set_default_device``; the modules
    state their dtype (float32) themselves.
    """
    with torch.inference_mode(False), torch.enable_grad(), torch.device("cpu"):
        yield
