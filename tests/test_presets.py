"""The paper presets (``_presets.py``) and the reproduction script that uses them."""

import re

import pytest

from sklearn_crnet import CRNetClassifier, RelationNetClassifier

from .xlsa17_helpers import SHARED, write_fake_release

# Paper Table 2: K, alpha, beta per dataset; 2048 hidden units, lr 1e-5.
TABLE_2 = {"AWA1": (3, 1e-5, 1e-4), "AWA2": (3, 1e-5, 1e-4), "APY": (3, 1e-5, 1e-4),
           "CUB": (4, 1e-5, 0.0), "SUN": (12, 1e-6, 0.0)}


@pytest.mark.parametrize("name", sorted(TABLE_2))
def test_crnet_preset_matches_table_2(name):
    model = CRNetClassifier.from_paper(name.lower(), device="cpu")
    assert (model.K, model.alpha, model.beta) == TABLE_2[name]
    assert model.hidden_units == 2048 and model.lr == 1e-5 and model.batch_size == 32
    assert model.cooperation_lr_multiplier == 5.0
    assert model.regularization == "weight_decay"  # the authors' form of alpha and beta
    assert model.penalty_warmup == 0.0  # their code applies the full penalty from the first step
    assert model.attribute_scaling == (100.0 if name in ("SUN", "APY") else None)
    assert model.device == "cpu"  # overrides win


@pytest.mark.parametrize("name, widths", [("AWA2", (1024, 400)), ("CUB", (1200, 1200))])
def test_rn_preset_matches_published_code(name, widths):
    model = RelationNetClassifier.from_paper(name)
    assert (model.projection_hidden_units, model.hidden_units) == widths
    assert (model.alpha, model.beta, model.lr) == (1e-5, 0.0, 1e-5)


def test_preset_refuses_unknown_dataset():
    with pytest.raises(ValueError, match="No paper preset for 'MNIST'"):
        CRNetClassifier.from_paper("MNIST")


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"real split files not at {SHARED}")
def test_reproduce_paper_quick_on_real_awa2_split(tmp_path, capsys):
    from benchmarks.reproduce_paper import main

    write_fake_release("AWA2", tmp_path / "data", n_features=8, informative=True)
    code = main(["--root", str(tmp_path / "data"), "--datasets", "AWA2,CUB", "--quick",
                 "--output", str(tmp_path / "out")])
    assert code == 0
    out = capsys.readouterr().out
    assert "NOT A BENCHMARK RESULT" in out
    assert "skipping CUB" in out
    rows = re.findall(r"\| AWA2 \| (CRnet|RN) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| (.+?) \| (\d+) \|",
                      out)
    assert {r[0] for r in rows} == {"CRnet", "RN"}
    for _model, seen, unseen, h, _paper, epochs in rows:
        seen, unseen, h = float(seen), float(unseen), float(h)
        expected = 0 if seen + unseen == 0 else 2 * seen * unseen / (seen + unseen)
        assert h == pytest.approx(expected, abs=0.1)
        assert 1 <= int(epochs) <= 3
    assert "78.8 52.6 63.1" in out and "93.4 30.0 45.3" in out  # the paper's numbers beside ours
    assert re.search(r"\| AWA2 \| [\d.]+ \(0\.956\) \| [\d.]+ \(0\.756\) \|", out)
    assert "xlsa17 val classes" in out
    assert (tmp_path / "out" / "reproduction.json").is_file()
