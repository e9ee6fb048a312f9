"""Every example script runs in quick mode, says that its quick numbers mean nothing, and prints
what it promises."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

CASES = {
    "quickstart.py": ["As =", "H =", "digit  seen  accuracy"],
    "grid_search.py": ["GZSLSplit (class-disjoint)", "StratifiedKFold (naive)", "test H"],
    "crnet_vs_rn.py": ["CRnet", "RN", "AUSUC", "LRD", "runs"],
    "plot_figures.py": ["sparsity", "LRD", "AUSUC"],
    "add_classes.py": ["classes now: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", "conventional ZSL"],
}


def test_every_example_is_covered():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs_quick(script, tmp_path):
    expected = CASES[script]
    result = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True, text=True,
                            timeout=600, cwd=tmp_path,
                            env={**os.environ, "MPLBACKEND": "Agg", "CRNET_DOCS_QUICK": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("QUICK RUN") and "not meaningful" in result.stdout.splitlines()[0]
    for text in expected:
        assert text in result.stdout, result.stdout[-3000:]
