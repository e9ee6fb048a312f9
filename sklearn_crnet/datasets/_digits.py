"""scikit-learn's 8x8 digits as a GZSL problem with seven-segment attributes."""

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

__all__ = ["SEVEN_SEGMENTS", "load_digits_gzsl", "random_unseen_digits", "seven_segment_table"]

#: Lit segments of each digit on a seven-segment display (a top, b upper right,
#: c lower right, d bottom, e lower left, f upper left, g middle).
SEVEN_SEGMENTS = {
    0: "abcdef", 1: "bc", 2: "abdeg", 3: "abcdg", 4: "bcfg",
    5: "acdfg", 6: "acdefg", 7: "abc", 8: "abcdefg", 9: "abcdfg",
}


def seven_segment_table():
    """The 10 x 7 table of lit segments, a DataFrame indexed by digit, columns a-g.

    Returns
    -------
    table : DataFrame of shape (10, 7)
        1.0 where the segment is lit, else 0.0.
    """
    columns = list("abcdefg")
    rows = [[float(seg in SEVEN_SEGMENTS[d]) for seg in columns] for d in range(10)]
    return pd.DataFrame(rows, index=pd.Index(range(10), name="digit"), columns=columns)


def random_unseen_digits(n_splits, n_unseen=3, random_state=None):
    """Distinct random choices of unseen digits, for comparisons over several GZSL splits.

    Parameters
    ----------
    n_splits : int
        Number of distinct choices (at most the number of ``n_unseen``-subsets of 0-9).
    n_unseen : int, default=3
        Digits per choice.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    splits : list of tuple of int
        Sorted digit tuples, e.g. ``[(0, 4, 7), (2, 3, 8), ...]``.

    Examples
    --------
    >>> random_unseen_digits(2, random_state=0)
    [(2, 4, 8), (1, 3, 5)]
    """
    from math import comb

    if not 1 <= n_unseen <= 8 or not 1 <= n_splits <= comb(10, n_unseen):
        raise ValueError(f"Cannot draw {n_splits} distinct sets of {n_unseen} unseen digits.")
    rng = check_random_state(random_state)
    splits = []
    while len(splits) < n_splits:
        draw = tuple(sorted(rng.choice(10, n_unseen, replace=False).tolist()))
        if draw not in splits:
            splits.append(draw)
    return splits


def load_digits_gzsl(unseen=(2, 5, 9), test_size=0.2, random_state=None):
    """Load the bundled 8x8 digits as a generalized zero-shot learning problem.

    Digits in ``unseen`` never appear in training; the model must recognise
    them from their seven-segment description alone. Pixels are scaled to
    [0, 1] (divided by 16).

    Parameters
    ----------
    unseen : sequence of int, default=(2, 5, 9)
        Digits held out of training entirely.
    test_size : float, default=0.2
        Share of each seen digit's images kept for the seen test set.
    random_state : int, RandomState instance or None, default=None
        Seed of the seen train/test split.

    Returns
    -------
    data : Bunch
        ``X_train`` (n_train, 64), ``y_train``; ``X_test_seen``,
        ``y_test_seen``; ``X_test_unseen``, ``y_test_unseen`` (every image of
        the unseen digits); ``X_test``, ``y_test`` (both test sets stacked);
        ``class_attributes`` (DataFrame 10 x 7, indexed by digit);
        ``seen_classes``, ``unseen_classes``; ``DESCR``.
    """
    if isinstance(unseen, (str, bytes)) or not hasattr(unseen, "__iter__") or any(
            isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) for d in unseen):
        raise ValueError(f"unseen must be a sequence of whole digits 0..9; got {unseen!r}.")
    unseen = sorted({int(d) for d in unseen})
    bad = [d for d in unseen if d not in SEVEN_SEGMENTS]
    if bad:
        raise ValueError(f"unseen digits must be in 0..9; got {bad}.")
    seen = [d for d in range(10) if d not in unseen]
    if len(seen) < 2:
        raise ValueError(f"At least two digits must stay seen; unseen={unseen} leaves {seen}.")
    digits = load_digits()
    X = digits.data / 16.0
    y = digits.target
    unseen_mask = np.isin(y, unseen)
    X_train, X_test_seen, y_train, y_test_seen = train_test_split(
        X[~unseen_mask], y[~unseen_mask], test_size=test_size,
        stratify=y[~unseen_mask], random_state=random_state,
    )
    X_test_unseen, y_test_unseen = X[unseen_mask], y[unseen_mask]
    description = (
        "scikit-learn's 8x8 handwritten digits (1,797 images, pixels / 16) as a GZSL "
        f"problem: seen digits {seen}, unseen digits {unseen}. Class attributes are "
        "the seven-segment display encoding of each digit (segments a-g)."
    )
    return Bunch(
        X_train=X_train, y_train=y_train,
        X_test_seen=X_test_seen, y_test_seen=y_test_seen,
        X_test_unseen=X_test_unseen, y_test_unseen=y_test_unseen,
        X_test=np.vstack([X_test_seen, X_test_unseen]),
        y_test=np.concatenate([y_test_seen, y_test_unseen]),
        class_attributes=seven_segment_table(),
        seen_classes=np.array(seen), unseen_classes=np.array(unseen),
        DESCR=description,
    )
