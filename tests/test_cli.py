"""The ``crnet`` command (``_cli.py``): the demo, ``fit``, and one-line errors without tracebacks."""

import json
import re
import subprocess
import sys

import joblib
import pytest

from sklearn_crnet._cli import main
from sklearn_crnet.io import load_model

from .xlsa17_helpers import SHARED, write_fake_release

ROW = re.compile(r"(.+?)\s+(\d\.\d{3})\s+(\d\.\d{3})\s+(\d\.\d{3})\s+(\d+\.\d)$")


def _crnet(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sklearn_crnet", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def test_demo_prints_table_and_saves_model_and_figure(tmp_path, capsys):
    code = main(["demo", "--epochs", "3", "--controls", "1", "--output", str(tmp_path)])
    assert code == 0
    captured = capsys.readouterr()
    rows = {}
    for line in captured.out.splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1).strip()] = [float(v) for v in match.groups()[1:]]
    calibrated = [name for name in rows if name.startswith("CRnet (K=3), calibration")]
    assert len(calibrated) == 1 and calibrated[0].endswith("chosen on validation digits")
    assert set(rows) - set(calibrated) == {
        "CRnet (K=3)", "CRnet, one expert (K=1)", "Relation Network (baseline)",
        "control: shuffled table (mean of 1)"}
    for seen, unseen, h, seconds in rows.values():
        expected_h = 0 if seen + unseen == 0 else 2 * seen * unseen / (seen + unseen)
        assert h == pytest.approx(expected_h, abs=2e-3)
        assert seconds > 0
    model = joblib.load(tmp_path / "crnet_digits.joblib")
    assert list(model.unseen_classes_) == [2, 5, 9]
    assert f"calibration {model.calibration:.2f} chosen" in calibrated[0]
    assert (tmp_path / "digits_accuracy.png").stat().st_size > 1000
    assert f"figure saved: {tmp_path / 'digits_accuracy.png'}" in captured.out
    # The progress display covered every fit: 6 fits of 3 epochs, each announced when finished.
    assert "18/18 epochs" in captured.err
    assert len(re.findall(r"H \d\.\d{3} in [\d.]+ s", captured.out)) == 4


def test_every_option_is_described():
    for command in ("demo", "fit"):
        result = _crnet(command, "--help")
        assert result.returncode == 0
        options = re.findall(r"^\s+(--[a-z-]+)", result.stdout, flags=re.MULTILINE)
        assert len(options) >= 7
        for option in options:
            if option == "--help":
                continue
            line = next(ln for ln in result.stdout.splitlines() if ln.strip().startswith(option))
            following = result.stdout.split(line, 1)[1].splitlines()[0] if line else ""
            assert len(line.split(option, 1)[1].strip()) > 8 or following.strip(), option


USAGE_ERRORS = {  # arguments: part of the one-line message
    "unseen digit out of range": (["demo", "--unseen", "11"], "expected 1 to 8 distinct digits"),
    "no seen digits left": (["demo", "--unseen", "0,1,2,3,4,5,6,7,8"], "at least two stay seen"),
    "K zero": (["demo", "--K", "0"], "expected a positive integer, got 0"),
    "negative epochs": (["demo", "--epochs", "-1"], "expected a positive integer, got -1"),
    "CUDA without a GPU": (["demo", "--device", "cuda:7"], "device"),
    "unknown device": (["demo", "--device", "tpu"], "is not a torch device"),
    "output is a file": (["demo", "--output", "{file}"], "exists and is not a folder"),
    "bad dataset name": (["fit", "--data", "xlsa17:MNIST", "--root", "."], "--data must be"),
    "missing release": (["fit", "--data", "xlsa17:AWA2", "--root", "{tmp}/none"], "not found"),
    "corrupt release": (["fit", "--data", "xlsa17:APY", "--root", "{corrupt}"],
                        "is not a readable MATLAB file"),
    "threads zero": (["demo", "--threads", "0"], "expected a positive integer"),
}


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_are_one_line_without_traceback(case, tmp_path):
    args, message = USAGE_ERRORS[case]
    (tmp_path / "file.txt").write_text("not a folder")
    corrupt = tmp_path / "corrupt"
    (corrupt / "APY").mkdir(parents=True)
    (corrupt / "APY" / "res101.mat").write_bytes(b"MATLAB 5.0 MAT-file" + b"\0" * 200)
    (corrupt / "APY" / "att_splits.mat").write_bytes(b"garbage")
    args = [a.format(file=tmp_path / "file.txt", tmp=tmp_path, corrupt=corrupt) for a in args]
    result = _crnet(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("crnet") and "error:" in last and message in last, result.stderr
    assert result.stdout.count("\n") <= 1  # nothing trained or printed before the error


def test_output_is_checked_before_any_training(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("x")
    result = _crnet("demo", "--epochs", "1", "--output", str(blocker), cwd=tmp_path)
    assert result.returncode == 2
    assert "digits" not in result.stdout  # the dataset was not even loaded


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"real split files not at {SHARED}")
def test_fit_saves_model_and_report(tmp_path, capsys):
    write_fake_release("APY", tmp_path, n_features=8, informative=True)
    code = main(["fit", "--data", "xlsa17:APY", "--root", str(tmp_path), "--epochs", "2",
                 "--quiet", "--calibrate", "--output", str(tmp_path / "out")])
    assert code == 0
    out = capsys.readouterr().out
    assert "xlsa17 APY" in out and re.search(r"CRnet on APY \(calibrated\)\s+\d\.\d{3}", out)
    assert "chosen on validation classes" in out
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert set(report) >= {"As", "Au", "H", "AUSUC", "calibration", "per_class"}
    model = load_model(tmp_path / "out" / "model.crnet")
    assert model.calibration == report["calibration"]
    assert len(model.unseen_classes_) == 12
