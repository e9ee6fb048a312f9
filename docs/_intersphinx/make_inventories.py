"""Write the intersphinx inventories the documentation links with, so that its build needs no network.

Each inventory lists only the objects these docs refer to, each with its page
in the project's real documentation (the URLs below follow each project's
layout). Run ``python docs/_intersphinx/make_inventories.py`` after adding a
reference to another project's object; the build reports unlisted ones
(``nitpicky``).
"""

import zlib
from pathlib import Path

HERE = Path(__file__).parent

SKLEARN_CLASSES = [
    "sklearn.pipeline.Pipeline", "sklearn.model_selection.GridSearchCV",
    "sklearn.model_selection.RandomizedSearchCV", "sklearn.model_selection.StratifiedKFold",
    "sklearn.preprocessing.StandardScaler", "sklearn.base.BaseEstimator",
    "sklearn.base.ClassifierMixin", "sklearn.exceptions.ConvergenceWarning",
    "sklearn.utils.Bunch",
]
SKLEARN_FUNCTIONS = ["sklearn.model_selection.cross_validate", "sklearn.base.clone",
                     "sklearn.utils.estimator_checks.parametrize_with_checks",
                     "sklearn.datasets.load_digits"]

INVENTORIES = {
    "sklearn": {
        **{name: ("py:class", f"modules/generated/{name}.html#{name}") for name in SKLEARN_CLASSES},
        **{name: ("py:function", f"modules/generated/{name}.html#{name}") for name in SKLEARN_FUNCTIONS},
    },
    "skorch": {
        "skorch.net.NeuralNet": ("py:class", "net.html#skorch.net.NeuralNet"),
        "skorch.NeuralNet": ("py:class", "net.html#skorch.net.NeuralNet"),
        "skorch.callbacks.Callback": ("py:class", "callbacks.html#skorch.callbacks.Callback"),
        "skorch.callbacks.EarlyStopping": ("py:class", "callbacks.html#skorch.callbacks.EarlyStopping"),
        "skorch.dataset.Dataset": ("py:class", "dataset.html#skorch.dataset.Dataset"),
    },
    "torch": {
        "torch.Tensor": ("py:class", "tensors.html#torch.Tensor"),
        "torch.Generator": ("py:class", "generated/torch.Generator.html#torch.Generator"),
        "torch.device": ("py:class", "tensor_attributes.html#torch.device"),
        "torch.nn.Module": ("py:class", "generated/torch.nn.Module.html#torch.nn.Module"),
        "torch.autocast": ("py:class", "amp.html#torch.autocast"),
        "torch.optim.Adam": ("py:class", "generated/torch.optim.Adam.html#torch.optim.Adam"),
        "torch.set_num_threads": ("py:function",
                                  "generated/torch.set_num_threads.html#torch.set_num_threads"),
    },
    "numpy": {
        "numpy.ndarray": ("py:class", "reference/generated/numpy.ndarray.html#numpy.ndarray"),
        "numpy.random.RandomState": ("py:class", "reference/random/legacy.html#numpy.random.RandomState"),
    },
    "pandas": {
        "pandas.DataFrame": ("py:class", "reference/api/pandas.DataFrame.html#pandas.DataFrame"),
    },
    "matplotlib": {
        "matplotlib.figure.Figure": ("py:class", "api/_as_gen/matplotlib.figure.Figure.html"
                                                 "#matplotlib.figure.Figure"),
        "matplotlib.axes.Axes": ("py:class", "api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes"),
    },
    "python": {
        "pickle": ("py:module", "library/pickle.html#module-pickle"),
        "argparse": ("py:module", "library/argparse.html#module-argparse"),
    },
}


def write(project, entries):
    header = (f"# Sphinx inventory version 2\n# Project: {project}\n# Version: stable\n"
              "# The remainder of this file is compressed using zlib.\n").encode()
    lines = "".join(f"{name} {role} 1 {uri} -\n" for name, (role, uri) in sorted(entries.items()))
    (HERE / f"{project}.inv").write_bytes(header + zlib.compress(lines.encode()))


if __name__ == "__main__":
    for project, entries in INVENTORIES.items():
        write(project, entries)
        print(f"wrote {HERE / (project + '.inv')} ({len(entries)} objects)")
