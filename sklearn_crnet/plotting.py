"""Figures of the paper's analysis (section 5); needs matplotlib (``pip install sklearn-crnet[plot]``)."""

import numpy as np

from .metrics import (
    area_under_curve,
    final_estimator,
    model_local_relative_distance,
    seen_unseen_curve,
)

__all__ = [
    "anchor_sparsity",
    "plot_expert_responses",
    "plot_feature_anchors",
    "plot_lrd",
    "plot_seen_unseen_curve",
]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "sklearn_crnet.plotting needs matplotlib: pip install 'sklearn-crnet[plot]'"
        ) from None
    return plt


def _axes(ax, figsize):
    """``ax``, or the axes of a new figure of ``figsize``."""
    if ax is None:
        _, ax = _pyplot().subplots(figsize=figsize)
    return ax


def _normalised_anchors(model, n_dims):
    anchors = final_estimator(model).anchors_[:, :n_dims]
    peak = np.abs(anchors).max(axis=1, keepdims=True)
    return anchors / np.where(peak == 0, 1.0, peak)


def anchor_sparsity(model, threshold=0.01):
    """Share of anchor entries below ``threshold`` of their anchor's largest entry (Fig. 4).

    Parameters
    ----------
    model : fitted CRNetClassifier or RelationNetClassifier
        The fitted model.
    threshold : float, default=0.01
        Fraction of the anchor's largest entry below which an entry counts as zero.

    Returns
    -------
    sparsity : float
        Between 0 and 1; higher means sparser, more discriminative anchors.
    """
    anchors = _normalised_anchors(model, None)
    return float(np.mean(np.abs(anchors) < threshold))


def plot_feature_anchors(models, n_dims=300, axes=None):
    """Paper Figure 4: normalised feature anchors of several models, with their sparsity.

    Parameters
    ----------
    models : dict of {name: fitted model}
        E.g. ``{"CRnet": crnet, "RN": rn}``; one heat map each.
    n_dims : int, default=300
        Leading feature dimensions shown.
    axes : array of matplotlib Axes, default=None
        One per model; new ones are made when None.

    Returns
    -------
    figure : matplotlib Figure
    """
    plt = _pyplot()
    if axes is None:
        _, axes = plt.subplots(len(models), 1, figsize=(9, 2.2 * len(models)), squeeze=False)
        axes = axes[:, 0]
    for ax, (name, model) in zip(axes, models.items(), strict=True):
        final = final_estimator(model)
        unseen_first = np.argsort(np.isin(final.classes_, final.seen_classes_), kind="stable")
        image = ax.imshow(_normalised_anchors(final, n_dims)[unseen_first], aspect="auto",
                          cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{name}: sparsity {anchor_sparsity(final):.0%} (entries < 1% of row max)",
                     fontsize=9)
        ax.set_yticks(np.arange(len(final.classes_)))
        ax.set_yticklabels([str(c) for c in final.classes_[unseen_first]], fontsize=6)
        ax.set_ylabel("class\n(unseen first)")
        ax.figure.colorbar(image, ax=ax, fraction=0.02)
    axes[-1].set_xlabel("feature dimension")
    figure = axes[0].figure
    figure.tight_layout()
    return figure


def plot_expert_responses(crnet, n_top=10, axes=None):
    """Paper Figure 5: each expert's response to each field centre and to their mean.

    Parameters
    ----------
    crnet : fitted CRNetClassifier
        A fitted CRNetClassifier.
    n_top : int, default=10
        Dimensions shown: the strongest of the total response, in descending order.
    axes : array of matplotlib Axes, default=None
        K + 1 axes; new ones are made when None.

    Returns
    -------
    figure : matplotlib Figure
    """
    plt = _pyplot()
    model = final_estimator(crnet)
    centres = model.field_centres_
    inputs = np.vstack([centres, centres.mean(axis=0, keepdims=True)])
    names = [f"$s_{k + 1}$" for k in range(len(centres))] + ["mean of centres"]
    # The centres live in the scaled attribute space.
    responses = model.expert_responses(inputs, scaled=True)
    if axes is None:
        _, axes = plt.subplots(1, len(inputs), figsize=(3 * len(inputs), 2.8), squeeze=False)
        axes = axes[0]
    width = 0.8 / (len(centres) + 1)
    for ax, name, response in zip(axes, names, responses, strict=True):
        total = response.sum(axis=0)
        top = np.argsort(total)[::-1][:n_top]
        scale = total[top[0]] if total[top[0]] > 0 else 1.0
        for k in range(len(centres)):
            ax.bar(np.arange(n_top) + k * width, response[k, top] / scale, width,
                   label=f"expert {k + 1}")
        ax.bar(np.arange(n_top) + len(centres) * width, total[top] / scale, width, label="total",
               color="0.3")
        ax.set_title(f"input: {name}", fontsize=9)
        ax.set_xticks([])
        ax.set_xlabel(f"top {n_top} dimensions")
    axes[0].set_ylabel("normalised response")
    axes[-1].legend(fontsize=7)
    figure = axes[0].figure
    figure.tight_layout()
    return figure


def plot_lrd(models, ax=None):
    """LRD of each unseen class anchor for several models, with their means (Table 3).

    Parameters
    ----------
    models : dict of {name: fitted model}
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    figure : matplotlib Figure
    """
    ax = _axes(ax, (6, 3))
    names = list(models)
    values = [model_local_relative_distance(m) for m in models.values()]
    first = final_estimator(next(iter(models.values())))
    width = 0.8 / len(names)
    for i, (name, lrd) in enumerate(zip(names, values, strict=True)):
        ax.bar(np.arange(len(lrd)) + i * width, lrd, width, label=f"{name} (mean {lrd.mean():.2f})")
    ax.set_xticks(np.arange(len(values[0])) + width * (len(names) - 1) / 2)
    ax.set_xticklabels([str(c) for c in first.unseen_classes_])
    ax.set_xlabel("unseen class")
    ax.set_ylabel("LRD")
    ax.legend(fontsize=8)
    figure = ax.figure
    figure.tight_layout()
    return figure


def plot_seen_unseen_curve(models, X, y, ax=None):
    """Seen-unseen accuracy curves (As against Au) with their AUSUC.

    Parameters
    ----------
    models : dict of {name: fitted model}
    X : array-like of shape (n_samples, n_features)
        Samples, one row each.
    y : array-like of shape (n_samples,)
        True labels of the samples.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    figure : matplotlib Figure
    """
    ax = _axes(ax, (4.5, 4))
    for name, model in models.items():
        offsets, seen, unseen = seen_unseen_curve(model, X, y)
        area = area_under_curve(offsets, seen, unseen)
        line, = ax.plot(unseen, seen, label=f"{name} (AUSUC {area:.3f})")
        at_zero = np.argmin(np.abs(offsets))
        ax.plot(unseen[at_zero], seen[at_zero], "o", color=line.get_color())
    ax.set_xlabel("Au (unseen accuracy)")
    ax.set_ylabel("As (seen accuracy)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("seen-unseen curve (dot: no calibration)", fontsize=9)
    ax.legend(fontsize=8)
    figure = ax.figure
    figure.tight_layout()
    return figure
