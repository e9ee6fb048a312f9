"""Every example script runs, with small settings, and prints what it promises."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

CASES = {
    "quickstart.py": ([], ["As =", "H ="]),
    "grid_search.py": (["--quick"], ["GZSLSplit (class-disjoint)", "StratifiedKFold (naive)"]),
    "crnet_vs_rn.py": (["--quick"], ["CRnet", "RN", "AUSUC", "LRD"]),
    "plot_figures.py": (["--quick", "--output", "{tmp}"], ["figure4_anchors.png",
                                                           "figure5_experts.png"]),
}


def test_every_example_is_covered():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs(script, tmp_path):
    args, expected = CASES[script]
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True,
                            text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    for text in expected:
        assert text in result.stdout, result.stdout[-3000:]
    if script == "plot_figures.py":
        assert len(list(tmp_path.glob("*.png"))) == 4
