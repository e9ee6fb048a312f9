"""The benchmark scripts run (in --quick mode) and print their comparison tables.

No timing is asserted: speed targets are judged by running the scripts in full
(see docs/performance.rst), never by unit tests.
"""

import json
import re

import numpy as np
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


def test_choose_ensemble_size_quick_and_from_saved_results(tmp_path, capsys):
    from benchmarks import choose_ensemble_size

    path = tmp_path / "e.json"
    assert choose_ensemble_size.main(["--quick", "--n-jobs", "1", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "QUICK RUN: NOT A RESULT" in out
    assert re.search(r"CRnet: validation H by ensemble_size", out)
    saved = json.loads(path.read_text())
    assert len(saved["CRnet"]["scores"]) == 3  # one triple's three folds
    assert choose_ensemble_size.main(["--from-json", str(path)]) == 0
    assert "smallest size with at most half" in capsys.readouterr().out


def test_time_step_prints_ms_per_step(capsys):
    from benchmarks import time_step

    assert time_step.main(["--steps", "2", "--threads", "1"]) == 0
    assert re.search(r"[\d.]+ ms per step \(best of epochs 2-4, 2 steps each, 1 threads\)",
                     capsys.readouterr().out)


def test_fold_diagnostic_prints_each_fold(capsys):
    from benchmarks import fold_diagnostic

    assert fold_diagnostic.main(["--unseen", "2", "6", "7", "--betas", "0", "--max-epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert len(re.findall(r"fold \d, held out \[\d, \d\], beta=0: As", out)) == 3
    assert len(re.findall(r"H [\d.]+ searching the fold's digits", out)) == 3
    assert fold_diagnostic.main(["--unseen", "2", "6", "7", "--betas", "0", "--max-epochs", "1",
                                 "--unseen-fraction", "0.2"]) == 0
    assert len(re.findall(r"fold \d, held out \[\d\], beta=0: As", capsys.readouterr().out)) == 3


def test_penalty_collapse_prints_both_fits(capsys):
    from benchmarks import penalty_collapse
    assert penalty_collapse.main(["--unseen", "2", "6", "7", "--max-epochs", "1",
                                  "--sweep-triples", "2", "6", "7"]) == 0
    out = capsys.readouterr().out
    assert "fold (5 digits)" in out and "all (7 digits)" in out
    assert "a=1 b=0.3" in out


def test_choose_penalty_warmup_smoke(capsys):
    from benchmarks import choose_penalty_warmup

    assert choose_penalty_warmup.main(["--triples", "1", "--n-jobs", "1", "--max-epochs", "1",
                                       "--warmups", "0", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN: NOT A RESULT" in out
    objectives = out.split("final objective / constant-score loss")[1].split("fits left at")[0]
    assert len(re.findall(r"\na=\S+ b=\S+ +\d\S* +\d\S*", objectives)) == 7  # every penalty, 2 warm-ups
    assert re.search(r"lowest mean ratio: penalty_warmup=(0|0\.5)\n", out)


def test_rescore_search_reads_the_second_evaluation(capsys):
    from benchmarks import rescore_search

    assert rescore_search.main(["--n-jobs", "1", "--triples", "1", "--max-epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "(4, 5, 6)" in out and "validation H now" in out


def test_digits_grid_search_smoke(capsys):
    from benchmarks import digits_grid_search

    assert digits_grid_search.main(["--triples", "1", "--n-jobs", "1", "--max-epochs", "1",
                                    "--alpha", "0", "--beta", "0", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN: NOT A RESULT" in out and "chosen (alpha, beta)" in out


def test_digits_paired_smoke(capsys):
    from benchmarks import digits_paired

    assert digits_paired.main(["--triples", "1", "--seeds", "2", "--n-jobs", "1",
                               "--max-epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN: NOT A RESULT" in out
    assert re.search(r"CRnet - RN\s+[+-][\d.]+ \+- [\d.]+\s+\d of 2", out)


def test_operating_point_study_smoke(capsys):
    from benchmarks import operating_point_study

    assert operating_point_study.main(["--triples", "1", "--n-jobs", "1", "--max-epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN: NOT A RESULT" in out
    assert len(re.findall(r"^rate [\d.]+ ", out, re.MULTILINE)) == len(operating_point_study.RATES)


def test_training_offsets_put_the_given_share_of_training_samples_on_unseen_classes():
    from benchmarks.operating_point_study import training_offsets
    from sklearn_crnet import CRNetClassifier
    from sklearn_crnet.datasets import load_digits_gzsl

    data = load_digits_gzsl(unseen=(2, 5, 9), random_state=0)
    model = CRNetClassifier(max_epochs=3, ensemble_size=1, random_state=0, n_threads=1)
    model.fit(data.X_train, data.y_train, class_attributes=data.class_attributes)
    for rate, offset in zip((0.05, 0.2), training_offsets(model, data.X_train, (0.05, 0.2)), strict=True):
        predicted = model.set_params(calibration=offset).predict(data.X_train)
        share = np.isin(predicted, model.unseen_classes_).mean()
        assert abs(share - rate) < 0.01, (rate, share)


def test_grid_search_judge_reproduces_the_recorded_figures(capsys):
    from benchmarks import grid_search_judge

    searches = grid_search_judge.recorded_searches(grid_search_judge.RECORDED[:3])
    seed_0_only = {t: {k: [h] for k, h in run["test"].items()} for t, run in searches.items()}
    summary = grid_search_judge.judge(searches, seed_0_only)
    # the figures digits_evaluation.py and digits_grid_search.py printed for these 15 searches
    assert len(searches) == 15
    assert summary["seed 0 refit"]["chosen"] == pytest.approx(0.395, abs=5e-4)
    assert summary["seed 0 refit"]["best_per_triple"] == pytest.approx(0.462, abs=5e-4)
    assert summary["seed 0 refit"]["defaults"] == pytest.approx(0.394, abs=5e-4)
    assert summary["seed 0 refit"]["best_single"][0] == "(0.0, 0.0)"
    assert summary["mean over seeds"] == summary["seed 0 refit"]


def test_grid_search_judge_smoke_and_reuse(tmp_path, capsys):
    from benchmarks import grid_search_judge

    path = tmp_path / "judge.json"
    assert grid_search_judge.main(["--triples", "1", "--seeds", "1", "--n-jobs", "1",
                                   "--max-epochs", "1", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN: NOT A RESULT" in out and "mean over seeds" in out
    # the reused refits give the same table without training (a full-epoch refit would differ)
    assert grid_search_judge.main(["--triples", "1", "--seeds", "1", "--reuse", str(path)]) == 0
    again = capsys.readouterr().out
    figures = [line for line in out.splitlines() if line.startswith(("all (", "seed-to-seed"))]
    assert len(figures) == 3 and all(line in again for line in figures)


def test_operating_point_study_reprints_a_recorded_run(capsys):
    from benchmarks import operating_point_study

    recorded = "benchmarks/results/operating_point_study"
    assert operating_point_study.main(["--from-json", recorded + ".json"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("offset", "rate"))]
    printed = open(recorded + ".txt").read()
    assert len(rows) == 1 + len(operating_point_study.RATES) and all(row in printed for row in rows)


def test_validation_noise_smoke_and_reprint(tmp_path, capsys):
    from benchmarks import validation_noise

    path = tmp_path / "noise.json"
    assert validation_noise.main(["--triples", "1", "--split-seeds", "1", "--n-jobs", "1",
                                  "--max-epochs", "1", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN: NOT A RESULT" in out
    rows = [line for line in out.splitlines() if line.startswith(("recorded", "model seed", "mean of"))]
    assert len(rows) == 5  # three choices (recorded, the new run, their mean) and two spread lines
    saved = json.loads(path.read_text())
    scores = saved["runs"]["model seed 0, folds seed 1"][0]["scores"]
    assert [len(folds) for folds in scores.values()] == [3] * 9
    assert validation_noise.main(["--from-json", str(path)]) == 0
    again = capsys.readouterr().out
    assert all(row in again for row in rows)


def test_cross_fitted_best_scores_each_pick_on_a_refit_it_was_not_picked_by():
    from benchmarks.grid_search_judge import cross_fitted_best

    # A looks best on seed 0 only, B is steady: the naive best of means is 0.3,
    # while a pick made on one seed and scored on the other averages (0.3 + 0.1) / 2
    scores = {(0, 1, 2): {"A": [0.5, 0.1], "B": [0.3, 0.3]}}
    assert cross_fitted_best(scores, [(0, 1, 2)], ["A", "B"]) == pytest.approx(0.2)
    assert cross_fitted_best({(0, 1, 2): {"A": [0.5], "B": [0.3]}}, [(0, 1, 2)], ["A", "B"]) is None


def test_effect_correlations_tell_whether_the_folds_predict_a_candidates_gain():
    from benchmarks.grid_search_judge import effect_correlations

    triples = [(0, 1, 2), (3, 4, 5), (6, 7, 8)]
    gains = [0.1, -0.2, 0.05]
    searches = {t: {"validation": {"(0.0, 0.0)": 0.5, "A": 0.5 + g, "B": 0.5 - g}}
                for t, g in zip(triples, gains, strict=True)}
    seeds = {t: {"(0.0, 0.0)": [0.4, 0.4], "A": [0.4 + 2 * g, 0.4], "B": [0.4 + 2 * g, 0.4]}
             for t, g in zip(triples, gains, strict=True)}
    assert effect_correlations(searches, seeds) == pytest.approx({"A": 1.0, "B": -1.0})


def test_informed_choice_gap_scores_the_test_ranking_pick_on_the_judging_refit():
    from benchmarks.grid_search_judge import informed_choice_gap

    # A wins seed 0 by luck, B wins the other seeds: the informed pick is B, which the seed-0
    # judge scores 0.3 against its best 0.5
    scores = {(0, 1, 2): {"A": [0.5, 0.1, 0.2], "B": [0.3, 0.4, 0.4]},
              (3, 4, 5): {"A": [0.6, 0.7, 0.7], "B": [0.2, 0.3, 0.3]}}
    assert informed_choice_gap(scores, list(scores), ["A", "B"]) == pytest.approx(-0.1)
    assert informed_choice_gap({(0, 1, 2): {"A": [0.5], "B": [0.3]}}, [(0, 1, 2)], ["A", "B"]) is None


def test_choose_defaults_gain_is_paired_by_fold_with_an_error_over_tasks():
    from benchmarks.choose_defaults import digits_gain

    centre = {"digits": [(0.9, 0.3, 0.4)] * 6}
    # two tasks of three folds: gains 0.1 on the first task, 0.3 on the second
    entry = {"digits": [(0.9, 0.3, 0.5)] * 3 + [(0.9, 0.3, 0.7)] * 3}
    gain, error = digits_gain(entry, centre)
    assert gain == pytest.approx(0.2)
    assert error == pytest.approx(0.1)  # std of (0.1, 0.3) over sqrt(2); over six folds it is not


def test_choose_defaults_starts_from_the_defaults_or_a_recorded_run():
    from benchmarks.choose_defaults import SPACE, first_centre
    from sklearn_crnet import RelationNetClassifier

    centre, first_round = first_centre("RN", "defaults", {})
    defaults = RelationNetClassifier().get_params()
    assert first_round == 1 and set(centre) == set(SPACE["RN"][0])
    assert all(centre[k] == defaults[k] for k in centre if k != "lr_scale")
    assert first_centre("RN", "base", {}) == (SPACE["RN"][0], 1)
    earlier = {"RN": {"chosen": {**centre, "max_epochs": 80},
                      "candidates": {"round 1: centre": {}, "round 2: max_epochs=80": {}}}}
    assert first_centre("RN", "defaults", earlier) == ({**centre, "max_epochs": 80}, 3)


def test_choose_defaults_own_class_folds_score_as_score_does(digits):
    from benchmarks.choose_defaults import fold_predictions
    from sklearn_crnet import CRNetClassifier
    from sklearn_crnet.metrics import gzsl_report
    from sklearn_crnet.model_selection import GZSLSplit

    from .conftest import FAST

    train, val = next(GZSLSplit(n_splits=1, unseen_fraction=0.2, random_state=0)
                      .split(digits.X_train, digits.y_train))
    model = CRNetClassifier(**FAST).fit(digits.X_train[train], digits.y_train[train],
                                        class_attributes=digits.class_attributes)
    X, y = digits.X_train[val], digits.y_train[val]
    own = fold_predictions(model, X, y, "own")
    assert set(own) <= set(model.seen_classes_) | set(y)
    report = gzsl_report(y, own, seen_classes=model.seen_classes_, unseen_classes=model.unseen_classes_)
    assert report["H"] == pytest.approx(model.score(X, y))
    np.testing.assert_array_equal(fold_predictions(model, X, y, "all"), model.predict(X))


def test_paired_change_matches_runs_by_triple_and_seed(tmp_path, capsys):
    from benchmarks import paired_change

    def run(h, au=0.5):
        return {"CRnet": {"As": 0.9, "Au": au, "H": h}, "RN": {"As": 0.8, "Au": au, "H": h / 2}}

    # digits_paired.py layout: two seeds per triple; only (1, 2, 3) is in both files.
    before = {"triples": [[1, 2, 3], [4, 5, 6]], "seeds": 2,
              "runs": [run(0.2), run(0.4), run(0.9), run(0.9)]}
    # digits_evaluation.py layout, the shared triple listed second.
    after = {"triples": [[7, 8, 9], [1, 2, 3]], "defaults": [run(0.0), run(0.0), run(0.5), run(0.3)]}
    paths = [tmp_path / "before.json", tmp_path / "after.json"]
    for path, result in zip(paths, (before, after), strict=True):
        path.write_text(json.dumps(result))
    assert paired_change.main([str(p) for p in paths]) == 0
    out = capsys.readouterr().out
    # CRnet H: seed 0 0.2 -> 0.5, seed 1 0.4 -> 0.3, differences +0.3 and -0.1: mean +0.1, sample
    # std 0.283, standard error 0.2; RN's H is half of CRnet's.
    zero = r"\+0\.000 \+- 0\.000"
    assert re.search(rf"CRnet\s+2\s+{zero}\s+{zero}\s+\+0\.100 \+- 0\.200\s+1 of 2", out)
    assert re.search(r"RN\s+2\s+.*\+0\.050 \+- 0\.100\s+1 of 2", out)

    after["triples"] = [[7, 8, 9], [4, 5, 7]]
    paths[1].write_text(json.dumps(after))
    with pytest.raises(SystemExit):
        paired_change.main([str(p) for p in paths])
    assert "share no (triple, seed) run" in capsys.readouterr().err


def test_seed_noise_sources_separate_the_last_steps_from_the_seeds():
    from benchmarks.seed_noise_sources import noise_sources

    # Two seeds that each alternate by 1 over their last two epochs but sit 2 apart.
    sources = noise_sources([[5.0, 0.0, 1.0], [5.0, 2.0, 3.0]], last=2)
    assert sources["within run"] == pytest.approx(0.5)
    assert sources["across seeds, final"] == pytest.approx(np.sqrt(2))
    assert sources["across seeds, mean of last"] == pytest.approx(np.sqrt(2))
    assert sources["mean final H"] == pytest.approx(2.0)


def test_seed_noise_sources_smoke_records_every_epoch(tmp_path, capsys):
    from benchmarks import seed_noise_sources

    path = tmp_path / "curves.json"
    assert seed_noise_sources.main(["--triples", "1", "--seeds", "2", "--n-jobs", "1",
                                    "--max-epochs", "3", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "SMOKE RUN: NOT A RESULT" in out
    assert re.search(r"^mean(\s+[\d.]+){4}$", out, re.MULTILINE)
    curves = json.loads(path.read_text())["curves"]
    assert np.asarray(curves).shape == (1, 2, 3)  # triples x seeds x epochs
