import numpy as np
import pytest

from sklearn_crnet.datasets import load_digits_gzsl, make_gzsl

FAST = dict(max_epochs=3, hidden_units=32, ensemble_size=1, random_state=0)


@pytest.fixture(scope="session")
def digits():
    return load_digits_gzsl(random_state=0)


@pytest.fixture(scope="session")
def synthetic():
    """Small clearly-synthetic GZSL problem: 20 classes, 5 unseen, 16 features."""
    return make_gzsl(random_state=0)


@pytest.fixture
def rng():
    return np.random.RandomState(0)
