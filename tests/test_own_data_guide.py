"""The runnable example of docs/own_data.rst runs, learns and prints what the page promises."""

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "own_data_example.py"


def test_own_data_example_runs_and_recognises_unseen_classes(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                            timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "unseen classes: ['class_15', 'class_16', 'class_17', 'class_18', 'class_19']" in out, out
    scores = dict(re.findall(r"^(As|Au|H) = (\d\.\d{3})$", out, flags=re.MULTILINE))
    assert sorted(scores) == ["As", "Au", "H"], out
    # Clearly synthetic, well separated classes: a model that learns from the CSV
    # table recognises the unseen classes; a broken label mapping scores about 0.
    assert float(scores["H"]) > 0.5, out
    assert out.rstrip().endswith("loaded model predicts the same: True"), out
    assert list(tmp_path.iterdir()) == []  # the script writes in its own temporary folder only
