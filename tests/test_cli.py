import re
import subprocess
import sys

import joblib
import pytest

from sklearn_crnet._cli import main


def test_demo_prints_table_and_saves_model_and_figure(tmp_path, capsys):
    code = main(["demo", "--epochs", "3", "--controls", "1", "--quiet",
                 "--output", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        match = re.match(r"(.+?)\s+(\d\.\d{3})\s+(\d\.\d{3})\s+(\d\.\d{3})\s+(\d+\.\d)$", line)
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
    assert f"calibration {model.calibration:g} chosen" in calibrated[0]
    assert (tmp_path / "digits_accuracy.png").stat().st_size > 1000


def test_module_entry_point_help():
    result = subprocess.run([sys.executable, "-m", "sklearn_crnet", "demo", "--help"],
                            capture_output=True, text=True, check=True)
    for option in ("--unseen", "--K", "--epochs", "--output", "--device", "--seed"):
        assert option in result.stdout


def test_fit_command_on_xlsa17_layout(tmp_path, capsys):
    from .xlsa17_helpers import SHARED, write_fake_release

    if not SHARED.is_dir():
        pytest.skip(f"real split files not at {SHARED}")
    write_fake_release("APY", tmp_path, n_features=8, informative=True)
    code = main(["fit", "--data", "xlsa17:APY", "--root", str(tmp_path), "--epochs", "1",
                 "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    assert "xlsa17 APY" in out and re.search(r"CRnet on APY\s+\d\.\d{3}", out)
