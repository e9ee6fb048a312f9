"""Refusing to train through scikit-learn tools that hand ``fit`` other labels than the user's.

``cross_val_predict`` with ``method`` "predict_proba", "decision_function" or
"predict_log_proba", ``VotingClassifier``, ``StackingClassifier``,
``BaggingClassifier``, ``OneVsRestClassifier`` and ``OneVsOneClassifier``
replace the labels by codes (0..n-1, or 0/1 per binary problem) before they
call ``fit``; ``CalibratedClassifierCV`` expects ``classes_`` to list only the
classes of ``y``. A relation classifier reads every label as a row of its
class table and predicts unseen classes too, so through these tools it would
silently select the wrong rows (with integer labels) or fail later inside
scikit-learn. ``fit`` therefore looks at its callers, in this process or in a
joblib worker, and refuses such a call with an error that names the tool.
"""

import sys

__all__ = ["refuse_reencoded_labels"]

_ENCODING_METHODS = ("predict_proba", "decision_function", "predict_log_proba")
_MAX_FRAMES = 80
#: scikit-learn's worker functions that fit an estimator on re-encoded labels, by (module, name).
_WORKERS = {
    ("sklearn.ensemble._base", "_fit_single_estimator"): "StackingClassifier",
    ("sklearn.ensemble._bagging", "_parallel_build_estimators"): "BaggingClassifier",
    ("sklearn.multiclass", "_fit_binary"): "OneVsRestClassifier",
    ("sklearn.multiclass", "_partial_fit_binary"): "OneVsRestClassifier",
    ("sklearn.multiclass", "_fit_ovo_binary"): "OneVsOneClassifier",
    ("sklearn.calibration", "_fit_classifier_calibrator_pair"): "CalibratedClassifierCV",
}
_TOOLS = ("VotingClassifier", "StackingClassifier", "BaggingClassifier", "OneVsRestClassifier",
          "OneVsOneClassifier", "CalibratedClassifierCV")
_ADVICE = ("the tool hands fit codes instead of the labels, or expects classes_ to list only the "
           "classes of y, while {name} reads every label as a row of its class table and predicts "
           "unseen classes too: it would train on the wrong rows. Use cross_val_predict with "
           "method='predict', or loop over the folds yourself (docs: Integrations).")


def _reencoding_tool(frame):
    """The name of the label-changing scikit-learn tool running ``frame``, or None."""
    module = frame.f_globals.get("__name__", "")
    if not module.startswith("sklearn."):
        return None
    name, local = frame.f_code.co_name, frame.f_locals
    if name == "_fit_and_predict" and local.get("method") in _ENCODING_METHODS:
        return f"cross_val_predict(method={local['method']!r})"
    if (module, name) in _WORKERS:
        return "VotingClassifier" if local.get("message_clsname") == "Voting" else _WORKERS[module, name]
    owner = type(local.get("self")).__name__
    if owner in _TOOLS and type(local.get("self")).__module__.startswith("sklearn."):
        return owner
    return None


def refuse_reencoded_labels(name):
    """Raise ``ValueError`` when a caller of this ``fit`` changes the labels (see the module)."""
    frame, outermost = sys._getframe(2), None
    for _ in range(_MAX_FRAMES):  # the outermost tool is the one the user called
        if frame is None:
            break
        outermost = _reencoding_tool(frame) or outermost
        frame = frame.f_back
    if outermost is not None:
        raise ValueError(f"{name} cannot be trained through {outermost}: " + _ADVICE.format(name=name))
