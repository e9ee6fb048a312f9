"""The benchmark scripts run (in --quick mode) and print their comparison tables.

No timing is asserted: speed targets are judged by running the scripts in full
(see docs/performance.rst), never by unit tests.
"""

import json
import re

import pytest

from benchmarks import bench_predict, bench_train
from sklearn_crnet import CRNetClassifier


def test_bench_train_quick(tmp_path, capsys):
    assert bench_train.main(["--quick", "--no-scaling", "--json", str(tmp_path / "t.json")]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    assert re.search(r"sklearn-crnet fit \(skorch\)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+x", out)
    assert "concatenation baseline" in out and "GFLOP/s" in out
    result = json.loads((tmp_path / "t.json").read_text())
    assert result["speedup"] == result["baseline_step_ms"] / result["step_ms"]


def test_bench_predict_quick(capsys):
    assert bench_predict.main(["--quick", "--no-scaling"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"sklearn-crnet predict\s+[\d.]+\s+[\d.]+\s+[\d.]+x", out)
    assert "same predicted class for 100.00% of samples" in out


def test_bench_default_fit_prints_the_digits_ratios_and_a_dataset_row(tmp_path, capsys):
    from benchmarks import bench_default_fit

    bench_default_fit.main(["--datasets", "aPY", "--repeats", "1", "--json", str(tmp_path / "f.json")])
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    assert re.search(r"^ratio\s+[\d.]+\s+[\d.]+$", out, re.M)
    assert re.search(r"^aPY(\s+[\d.]+){8}\s+9407$", out, re.M)
    rows = json.loads((tmp_path / "f.json").read_text())["rows"]
    assert [row["dataset"] for row in rows] == ["aPY"]
    epochs = {"defaults": CRNetClassifier().max_epochs,
              "one_network": bench_default_fit.ONE_NETWORK["max_epochs"]}
    for setting, n_epochs in epochs.items():
        assert rows[0][setting]["fit_min"] == pytest.approx(rows[0][setting]["epoch_s"] * n_epochs / 60)


def test_digits_evaluation_quick_prints_both_parts(capsys):
    from benchmarks import digits_evaluation

    assert digits_evaluation.main(["--quick", "--n-jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "QUICK RUN: NOT A RESULT" in out
    for row in ("CRnet ", "CRnet K=1", "RN ", "control", "CRnet calibrated on validation digits"):
        assert re.search(rf"^{row}.*\d\.\d{{3}} \+- \d\.\d{{3}}", out, re.M), row
    assert "Part 2: GridSearchCV" in out
