"""Write res101.mat files in the xlsa17 layout next to the real att_splits.mat files."""

import shutil
from pathlib import Path

import numpy as np
import scipy.io as sio

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "xlsa17"


def write_fake_release(name, root, n_features=4, n_unseen=None, seed=0, informative=False):
    """Copy the real split files of ``name`` to ``root`` and write made-up features.

    Labels are assigned consistently with the real index sets: unseen classes
    for ``test_unseen_loc``, validation classes for ``val_loc``, training
    classes for ``train_loc``, seen classes for the other trainval/test-seen
    images. Returns the classes chosen for each role. The features are
    random (or, with ``informative``, class means plus noise): never a
    benchmark result.
    """
    source = SHARED / name
    target = Path(root) / name
    target.mkdir(parents=True, exist_ok=True)
    for file in source.glob("*.mat"):
        shutil.copy(file, target / file.name)
    splits = sio.loadmat(source / "att_splits.mat")
    if "train_loc" not in splits and (source / "sent_splits.mat").is_file():
        sent = sio.loadmat(source / "sent_splits.mat")
        splits["train_loc"], splits["val_loc"] = sent["train_loc"], sent["val_loc"]
    n_classes = splits["att"].shape[1]
    loc = {k: splits[k].ravel().astype(int) - 1 for k in splits if k.endswith("_loc")}
    n_images = max(int(v.max()) for v in loc.values()) + 1

    rng = np.random.RandomState(seed)
    order = rng.permutation(n_classes)
    n_unseen = n_unseen or {"AWA1": 10, "AWA2": 10, "CUB": 50, "SUN": 72, "APY": 12}[name]
    unseen, seen = np.sort(order[:n_unseen]), np.sort(order[n_unseen:])
    n_val = max(2, len(seen) // 4)
    val, train = np.sort(seen[:n_val]), np.sort(seen[n_val:])

    labels = rng.choice(seen, size=n_images)
    if "train_loc" in loc:
        labels[loc["train_loc"]] = rng.choice(train, size=len(loc["train_loc"]))
        labels[loc["val_loc"]] = rng.choice(val, size=len(loc["val_loc"]))
    labels[loc["test_unseen_loc"]] = rng.choice(unseen, size=len(loc["test_unseen_loc"]))
    if informative:
        means = rng.normal(size=(n_classes, n_features))
        features = means[labels] + 0.3 * rng.normal(size=(n_images, n_features))
    else:
        features = rng.normal(size=(n_images, n_features))
    sio.savemat(target / "res101.mat", {
        "features": features.T.astype(np.float32), "labels": (labels + 1)[:, None].astype(np.float64),
    })
    return {"seen": seen, "unseen": unseen, "train": train, "val": val}
