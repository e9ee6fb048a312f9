import numpy as np
import pytest

from sklearn_crnet.datasets import load_digits_gzsl, load_xlsa17, make_gzsl, seven_segment_table

from .xlsa17_helpers import SHARED, write_fake_release


def test_seven_segment_table_matches_standard_encoding():
    table = seven_segment_table()
    assert table.shape == (10, 7) and list(table.columns) == list("abcdefg")
    lit = {d: "".join(c for c in "abcdefg" if table.loc[d, c] == 1) for d in range(10)}
    assert lit == {0: "abcdef", 1: "bc", 2: "abdeg", 3: "abcdg", 4: "bcfg",
                   5: "acdfg", 6: "acdefg", 7: "abc", 8: "abcdefg", 9: "abcdfg"}


def test_digits_gzsl_shapes_and_disjointness():
    d = load_digits_gzsl(unseen=(2, 5, 9), test_size=0.2, random_state=0)
    assert d.X_train.shape[1] == 64 and d.X_train.max() <= 1.0
    assert not set(d.y_train) & {2, 5, 9}
    assert set(d.y_test_unseen) == {2, 5, 9}
    assert set(d.y_test_seen) == set(d.y_train) == {0, 1, 3, 4, 6, 7, 8}
    assert len(d.y_train) + len(d.y_test_seen) + len(d.y_test_unseen) == 1797
    assert len(d.y_test) == len(d.y_test_seen) + len(d.y_test_unseen)
    np.testing.assert_array_equal(d.unseen_classes, [2, 5, 9])


def test_digits_gzsl_is_deterministic_with_seed():
    a, b = load_digits_gzsl(random_state=3), load_digits_gzsl(random_state=3)
    c = load_digits_gzsl(random_state=4)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, c.y_train)


def test_digits_gzsl_refuses_bad_unseen():
    with pytest.raises(ValueError, match="0..9"):
        load_digits_gzsl(unseen=(3, 12))


def test_make_gzsl_structure_and_seed():
    d = make_gzsl(n_classes=12, n_unseen=4, n_attributes=3, n_features=7, random_state=0)
    assert d.class_attributes.shape == (12, 3)
    assert d.X_train.shape[1] == 7
    assert set(d.y_test_unseen) == set(range(8, 12))
    assert not set(d.y_train) & set(range(8, 12))
    assert "SYNTHETIC" in d.DESCR
    np.testing.assert_array_equal(d.X_train, make_gzsl(n_classes=12, n_unseen=4, n_attributes=3,
                                                       n_features=7, random_state=0).X_train)
    # Samples lie nearer their own class centre than any other on average.
    dist = np.linalg.norm(d.X_test_unseen[:, None] - d.centres[None], axis=2)
    assert np.mean(dist.argmin(1) == d.y_test_unseen) > 0.9
    with pytest.raises(ValueError, match="at least two seen"):
        make_gzsl(n_classes=5, n_unseen=4)


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"real split files not at {SHARED}")

REAL_SIZES = {  # images: trainval, test-seen, test-unseen; classes; attributes
    "AWA1": (19832, 4958, 5685, 50, 85),
    "AWA2": (23527, 5882, 7913, 50, 85),
    "CUB": (7057, 1764, 2967, 200, 312),
    "SUN": (10320, 2580, 1440, 717, 102),
    "APY": (5932, 1483, 7924, 32, 64),
}


@needs_shared
@pytest.mark.parametrize("name", sorted(REAL_SIZES))
def test_load_xlsa17_on_real_split_files(name, tmp_path):
    roles = write_fake_release(name, tmp_path)
    data = load_xlsa17(name.lower(), tmp_path)
    n_trainval, n_seen_test, n_unseen_test, n_classes, n_att = REAL_SIZES[name]
    assert data.X_trainval.shape == (n_trainval, 4)
    assert len(data.y_test_seen) == n_seen_test and len(data.y_test_unseen) == n_unseen_test
    assert data.class_attributes.shape == (n_classes, n_att)
    assert len(data.class_names) == n_classes
    np.testing.assert_array_equal(data.unseen_classes, roles["unseen"])
    assert not set(data.y_trainval) & set(data.unseen_classes)
    np.testing.assert_array_equal(data.val_classes, roles["val"])
    np.testing.assert_array_equal(data.train_classes, roles["train"])
    assert not set(data.val_classes) & set(data.train_classes)
    if name == "CUB":
        assert "sent_splits.mat" in data.DESCR


def test_load_xlsa17_original_vs_normalised_attributes(tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"real split files not at {SHARED}")
    write_fake_release("APY", tmp_path)
    raw = load_xlsa17("APY", tmp_path, attributes="original_att").class_attributes.to_numpy()
    normed = load_xlsa17("APY", tmp_path, attributes="att").class_attributes.to_numpy()
    np.testing.assert_allclose(np.linalg.norm(normed, axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(raw, normed)


def test_load_xlsa17_missing_class_split_is_said(tmp_path):
    if not SHARED.is_dir():
        pytest.skip(f"real split files not at {SHARED}")
    write_fake_release("CUB", tmp_path)
    (tmp_path / "CUB" / "sent_splits.mat").unlink()
    data = load_xlsa17("CUB", tmp_path)
    assert data.train_classes is None and data.val_classes is None
    assert "no train_loc/val_loc" in data.DESCR


def test_load_xlsa17_missing_files_name_the_file_and_release(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"res101\.mat.*mpi-inf"):
        load_xlsa17("AWA2", tmp_path)
    with pytest.raises(ValueError, match="Unknown xlsa17 dataset"):
        load_xlsa17("MNIST", tmp_path)
