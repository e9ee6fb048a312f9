"""Refusing to train through scikit-learn tools that re-encode the labels before ``fit``.

``cross_val_predict`` with ``method`` "predict_proba", "decision_function" or
"predict_log_proba", ``VotingClassifier`` and ``StackingClassifier`` replace
the labels by their codes 0..n-1 before they call ``fit``. A relation
classifier reads every label as a row of its class table, so the codes would
silently select the wrong rows (with integer labels) or fail later inside
scikit-learn. ``fit`` therefore looks at its callers and refuses such a call
with an error that names the tool.
"""

import sys

__all__ = ["refuse_reencoded_labels"]

_ENCODING_METHODS = ("predict_proba", "decision_function", "predict_log_proba")
_MAX_FRAMES = 60
_ADVICE = ("it re-encodes the labels as 0..n-1 before calling fit, while {name} reads every label as a "
           "row of its class table, so it would train on the wrong rows. Use cross_val_predict with "
           "method='predict', or loop over the folds and call predict_proba yourself (docs: "
           "Integrations).")


def _reencoding_tool(frame):
    """The name of the label-re-encoding scikit-learn tool running ``frame``, or None."""
    if not frame.f_globals.get("__name__", "").startswith("sklearn."):
        return None
    name, local = frame.f_code.co_name, frame.f_locals
    if name == "_fit_and_predict" and local.get("method") in _ENCODING_METHODS:
        return f"cross_val_predict(method={local['method']!r})"
    if name == "_fit_single_estimator" and local.get("message_clsname") == "Voting":
        return "VotingClassifier"
    owner = local.get("self")
    if owner is not None:
        from sklearn.ensemble import StackingClassifier, VotingClassifier

        for tool in (VotingClassifier, StackingClassifier):
            if isinstance(owner, tool):
                return tool.__name__
    return None


def refuse_reencoded_labels(name):
    """Raise ``ValueError`` when a caller of this ``fit`` re-encoded the labels (see the module)."""
    frame = sys._getframe(2)
    for _ in range(_MAX_FRAMES):
        if frame is None:
            return
        tool = _reencoding_tool(frame)
        if tool is not None:
            raise ValueError(f"{name} cannot be trained through {tool}: " + _ADVICE.format(name=name))
        frame = frame.f_back
