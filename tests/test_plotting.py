"""The paper's analysis figures (``plotting.py``)."""

import pytest

from sklearn_crnet import CRNetClassifier, RelationNetClassifier

from .conftest import FAST

matplotlib = pytest.importorskip("matplotlib", reason="pip install 'sklearn-crnet[plot]'")
matplotlib.use("Agg")


def test_plots_are_drawn(synthetic, tmp_path):
    from sklearn_crnet import plotting

    cr = CRNetClassifier(K=3, **FAST).fit(synthetic.X_train, synthetic.y_train,
                                          class_attributes=synthetic.class_attributes)
    rn = RelationNetClassifier(**FAST).fit(synthetic.X_train, synthetic.y_train,
                                           class_attributes=synthetic.class_attributes)
    models = {"CRnet": cr, "RN": rn}
    figures = {
        "anchors": plotting.plot_feature_anchors(models, n_dims=16),
        "experts": plotting.plot_expert_responses(cr, n_top=5),
        "lrd": plotting.plot_lrd(models),
        "curve": plotting.plot_seen_unseen_curve(models, synthetic.X_test, synthetic.y_test),
    }
    assert len(figures["experts"].axes) == 3 + 1  # K centres and their mean
    for name, figure in figures.items():
        figure.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
    sparsity = plotting.anchor_sparsity(cr)
    assert 0.0 <= sparsity <= 1.0


def test_curve_plot_applies_a_pipeline_whole(synthetic):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_crnet.metrics import ausuc
    from sklearn_crnet.plotting import plot_seen_unseen_curve

    pipe = make_pipeline(StandardScaler(), CRNetClassifier(K=2, **FAST))
    pipe.fit(synthetic.X_train, synthetic.y_train,
             crnetclassifier__class_attributes=synthetic.class_attributes)
    figure = plot_seen_unseen_curve({"pipeline": pipe}, synthetic.X_test, synthetic.y_test)
    label = figure.axes[0].get_legend().get_texts()[0].get_text()
    assert f"AUSUC {ausuc(pipe, synthetic.X_test, synthetic.y_test):.3f}" in label
