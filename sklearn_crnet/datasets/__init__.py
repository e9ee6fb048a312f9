"""Datasets: the bundled digits GZSL problem, a synthetic generator, the xlsa17 loader."""

from ._digits import SEVEN_SEGMENTS, load_digits_gzsl, random_unseen_digits, seven_segment_table
from ._synthetic import make_gzsl
from ._xlsa17 import XLSA17_DATASETS, load_xlsa17

__all__ = [
    "SEVEN_SEGMENTS",
    "XLSA17_DATASETS",
    "load_digits_gzsl",
    "load_xlsa17",
    "make_gzsl",
    "random_unseen_digits",
    "seven_segment_table",
]
