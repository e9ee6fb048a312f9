"""A synthetic GZSL problem whose features are a known nonlinear function of the attributes."""

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_gzsl"]


def make_gzsl(
    n_classes=20,
    n_unseen=5,
    n_attributes=4,
    n_features=16,
    n_samples_per_class=30,
    noise=0.2,
    test_size=0.2,
    random_state=None,
):
    """Make a synthetic GZSL problem (always labelled synthetic).

    Each class has a random attribute vector in [0, 1]^P. Its class centre in
    feature space is ``tanh(s W1) W2`` for fixed random matrices ``W1`` (P x
    2P) and ``W2`` (2P x Q): a nonlinear map shared by all classes, so unseen
    classes follow the same rule as seen ones. Samples are the centre plus
    isotropic Gaussian noise of standard deviation ``noise`` times the typical
    distance between centres.

    Parameters
    ----------
    n_classes : int, default=20
        Number of classes, seen and unseen.
    n_unseen : int, default=5
        Number of unseen classes (the last ``n_unseen`` labels).
    n_attributes : int, default=4
        Attribute dimension P.
    n_features : int, default=16
        Feature dimension Q.
    n_samples_per_class : int, default=30
        Samples drawn for each class.

        With the defaults (20 classes, 15 seen, 4 attributes) the attribute
        space is well covered by seen classes, so a working GZSL model
        recognises unseen classes well above chance.
    noise : float, default=0.2
        Noise level relative to the spread of the class centres.
    test_size : float, default=0.2
        Share of each seen class's samples kept for the seen test set.
    random_state : int, RandomState instance or None, default=None
        Seed of everything random here.

    Returns
    -------
    data : Bunch
        Same keys as :func:`load_digits_gzsl`: ``X_train``, ``y_train``,
        ``X_test_seen``, ``y_test_seen``, ``X_test_unseen``,
        ``y_test_unseen``, ``X_test``, ``y_test``, ``class_attributes``
        (DataFrame indexed by label), ``seen_classes``, ``unseen_classes``,
        ``DESCR``; plus ``centres`` (n_classes x Q).
    """
    if not 1 <= n_unseen < n_classes - 1:
        raise ValueError(
            f"n_unseen must leave at least two seen classes: 1 <= n_unseen <= "
            f"{n_classes - 2}; got n_unseen={n_unseen} for n_classes={n_classes}."
        )
    rng = check_random_state(random_state)
    attributes = rng.uniform(size=(n_classes, n_attributes))
    w1 = rng.normal(scale=2.0 / np.sqrt(n_attributes), size=(n_attributes, 2 * n_attributes))
    w2 = rng.normal(scale=1.0 / np.sqrt(2 * n_attributes), size=(2 * n_attributes, n_features))
    centres = np.tanh((attributes - 0.5) @ w1) @ w2
    pairwise = np.linalg.norm(centres[:, None] - centres[None], axis=2)
    spread = np.median(pairwise[np.triu_indices(n_classes, 1)])
    scale = noise * spread / np.sqrt(n_features)
    y = np.repeat(np.arange(n_classes), n_samples_per_class)
    X = centres[y] + rng.normal(scale=scale, size=(len(y), n_features))

    unseen = np.arange(n_classes - n_unseen, n_classes)
    seen = np.arange(n_classes - n_unseen)
    mask = np.isin(y, unseen)
    X_train, X_test_seen, y_train, y_test_seen = train_test_split(
        X[~mask], y[~mask], test_size=test_size, stratify=y[~mask], random_state=rng
    )
    table = pd.DataFrame(
        attributes, index=pd.Index(np.arange(n_classes), name="class"),
        columns=[f"attr_{i}" for i in range(n_attributes)],
    )
    return Bunch(
        X_train=X_train, y_train=y_train,
        X_test_seen=X_test_seen, y_test_seen=y_test_seen,
        X_test_unseen=X[mask], y_test_unseen=y[mask],
        X_test=np.vstack([X_test_seen, X[mask]]),
        y_test=np.concatenate([y_test_seen, y[mask]]),
        class_attributes=table, seen_classes=seen, unseen_classes=unseen, centres=centres,
        DESCR=(
            f"SYNTHETIC GZSL data from make_gzsl: {n_classes} classes ({n_unseen} unseen), "
            f"{n_attributes} attributes, {n_features} features, noise={noise}. Not a benchmark."
        ),
    )
