"""How fitted state is published to other threads: whole, in one step.

The writers of fitted state (``fit``, ``set_class_attributes``) never change
a published attribute dict in place: they build a new one on a
:func:`staged` copy and :func:`publish` it in one assignment. Readers
decorated with :func:`reads_one_state` work on a :func:`view` of the dict
published when they start, so a prediction or a save that runs during a
refit sees the whole old model or the whole new one, never a mix.
``set_params`` still changes parameters in place.
"""

import functools
import threading

from ._torch_utils import own_torch_state

__all__ = ["PUBLISH_LOCK", "publish", "reads_one_state", "staged", "view"]

#: Serialises the writers of fitted state.
PUBLISH_LOCK = threading.RLock()


def view(estimator):
    """An estimator object that shares ``estimator``'s current attribute dict."""
    viewer = object.__new__(type(estimator))
    viewer.__dict__ = estimator.__dict__
    return viewer


def staged(estimator, **changes):
    """An estimator object on a new attribute dict: ``estimator``'s, with ``changes``."""
    copy = object.__new__(type(estimator))
    copy.__dict__ = {**estimator.__dict__, **changes}
    return copy


def publish(estimator, new_state):
    """Make the attribute dict of ``new_state`` (a :func:`staged` object) the estimator's."""
    with PUBLISH_LOCK:
        estimator.__dict__ = new_state.__dict__


def reads_one_state(method):
    """Run ``method`` on the estimator's state as published when the call starts.

    The caller's torch settings (grad mode, default device) do not reach it
    (:func:`~sklearn_crnet._torch_utils.own_torch_state`).
    """
    @functools.wraps(method)
    def reader(self, *args, **kwargs):
        with own_torch_state():
            return method(view(self), *args, **kwargs)

    return reader
