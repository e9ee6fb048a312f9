"""Fit CRnet on features and a class-attribute table read from CSV files.

The data are SYNTHETIC (``make_gzsl``): the script first writes them as CSV
files, in the layout your own data would have, then works from those files
only. Replace the first part with your own files.
"""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sklearn_crnet import CRNetClassifier
from sklearn_crnet.datasets import make_gzsl
from sklearn_crnet.io import load_model, save_model
from sklearn_crnet.metrics import gzsl_report

with tempfile.TemporaryDirectory() as tmp:
    folder = Path(tmp)

    # -- 1. Write synthetic data in the layout of your own files ---------------
    # 20 classes (the last 5 unseen), 16 features, 200 samples per class; not a benchmark
    data = make_gzsl(n_samples_per_class=200, random_state=0)
    names = {label: f"class_{label:02d}" for label in data.class_attributes.index}
    table = data.class_attributes.rename(index=names)  # one row per class, seen AND unseen
    table.to_csv(folder / "attributes.csv")  # first column "class": the labels
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        features = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
        features.insert(0, "label", [names[label] for label in y])
        features.to_csv(folder / f"{part}.csv", index=False)

    # -- 2. Read them back, as you would read your own -------------------------
    table = pd.read_csv(folder / "attributes.csv", index_col="class")
    train = pd.read_csv(folder / "train.csv")
    test = pd.read_csv(folder / "test.csv")
    X_train, y_train = train.drop(columns="label").to_numpy(), train["label"].to_numpy()
    X_test, y_test = test.drop(columns="label").to_numpy(), test["label"].to_numpy()
    print(f"table: {table.shape[0]} classes x {table.shape[1]} attributes; "
          f"X_train: {X_train.shape[0]} samples x {X_train.shape[1]} features")

    # -- 3. Fit: classes of the table absent from y_train are unseen -----------
    clf = CRNetClassifier(max_epochs=5, random_state=0)  # 5 epochs: a smoke run, not a result
    clf.fit(X_train, y_train, class_attributes=table)
    print("unseen classes:", clf.unseen_classes_.tolist())

    # -- 4. Evaluate: predict searches every class of the table ----------------
    report = gzsl_report(y_test, clf.predict(X_test), seen_classes=clf.seen_classes_,
                         unseen_classes=clf.unseen_classes_)
    print(f"As = {report['As']:.3f}")
    print(f"Au = {report['Au']:.3f}")
    print(f"H = {report['H']:.3f}")

    # -- 5. Save without pickle, load, predict the same -------------------------
    save_model(clf, folder / "model.crnet")
    loaded = load_model(folder / "model.crnet")
    same = np.array_equal(loaded.predict(X_test), clf.predict(X_test))
    print("loaded model predicts the same:", same)
