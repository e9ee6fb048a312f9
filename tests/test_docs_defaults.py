"""Every default that the README, the documentation pages, the examples, the class docstrings and
the ``crnet`` help state is the estimator's own (``get_params()``): changing a default fails here
until every place that quotes it follows.

Two ways of finding statements of defaults:

* the convention ``name=value`` (the default) or ``name`` (default value), in double (reST)
  or single (Markdown) backquotes, anywhere in the documents (``MARKERS``);
* an explicit list of sentences that state defaults in other words (``CLAIMS``). Each must
  still be found, so that rewording one without updating its pattern fails too.

Text is compared with its whitespace collapsed, so line breaks do not matter.
"""

import ast
import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from sklearn_crnet import CRNetClassifier, RelationNetClassifier
from sklearn_crnet._cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted(
    [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "examples" / "GALLERY_HEADER.rst",
     *(ROOT / "docs").glob("*.rst"), *(ROOT / "examples").glob("*.py")])
DOCUMENTS = [p for p in DOCUMENTS if p.name != "sg_execution_times.rst"]  # written by the build


def _defaults():
    """Parameter defaults by estimator key; "both" names a default the two estimators share."""
    return {"crnet": CRNetClassifier().get_params(), "rn": RelationNetClassifier().get_params()}


#: ``name=value`` (the default) and ``name`` (default value).
MARKERS = [
    re.compile(r"`{1,2}(?P<name>\w+)=(?P<value>[^`\s]+)`{1,2} \((?:the )?default\)"),
    re.compile(r"`{1,2}(?P<name>\w+)`{1,2} \(default:? (?P<value>[^()\s,;]+)[),;]"),
]

#: (document, pattern): each named group ``estimator__parameter`` (optionally ``__tag`` to
#: repeat one) captures a stated default; estimator is "crnet", "rn" or "both".
CLAIMS = [
    ("README.md", r"`CRNetClassifier` averages (?P<crnet__ensemble_size>\d+) independently "
                  r"initialised networks of (?P<crnet__hidden_units>\d+) hidden units"),
    ("README.md", r"CRnet averages (?P<crnet__ensemble_size>\d+) networks and the Relation "
                  r"Network (?P<rn__ensemble_size>\d+), see `ensemble_size`"),
    # The demo's table: the demo runs CRnet at CRNetClassifier's default K.
    ("README.md", r"\bCRnet \(K=(?P<crnet__K>\d+)\) \d"),
    ("docs/user_guide.rst", r"relation logits: (?P<crnet__ensemble_size>\d+) networks of "
                            r"(?P<crnet__hidden_units>\d+) hidden units for "
                            r":class:`~sklearn_crnet.CRNetClassifier`, (?P<rn__ensemble_size>\d+)"
                            r" of (?P<rn__hidden_units>\d+) for "
                            r":class:`~sklearn_crnet.RelationNetClassifier`"),
    ("docs/performance.rst", r"The default :class:`~sklearn_crnet.CRNetClassifier` "
                             r"\((?P<crnet__ensemble_size>\d+) networks of "
                             r"(?P<crnet__hidden_units>\d+) hidden units stacked into one "
                             r"computation, (?P<crnet__max_epochs>\d+) epochs\)"),
    ("docs/defaults.rst", r"\*\*Decision\*\* \(both models unless named\): "
                          r"``lr=(?P<both__lr>\"\w+\")`` \([^()]*\), "
                          r"``max_epochs=(?P<both__max_epochs>\d+)``, ``hidden_units`` \d+ "
                          r"\(CRnet; later narrowed by the ensemble recipe below\) and "
                          r"(?P<rn__hidden_units>\d+) \(RN\), alpha (?P<both__alpha>[\d.e-]+) "
                          r"and beta (?P<both__beta>[\d.e-]+) in the Eq\. 10 form "
                          r"\(``regularization=(?P<both__regularization>\"\w+\")``\), "
                          r"``attribute_scaling=(?P<both__attribute_scaling>\"\w+\")``, "
                          r"``K=(?P<crnet__K>\d+)``, "
                          r"``cooperation_lr_multiplier=(?P<crnet__cooperation_lr_multiplier>"
                          r"[\d.]+)`` \(CRnet\), "
                          r"``projection_hidden_units=(?P<rn__projection_hidden_units>\d+)`` "
                          r"\(RN\)"),
    ("docs/defaults.rst", r"\*\*Decision:\*\* ``penalty_warmup=(?P<both__penalty_warmup>[\d.]+)``"),
    ("docs/defaults.rst", r"averages \*\*(?P<crnet__ensemble_size>\d+) networks of "
                          r"(?P<crnet__hidden_units>\d+) hidden units\*\* "
                          r"\(``ensemble_size=(?P<crnet__ensemble_size__2>\d+), "
                          r"hidden_units=(?P<crnet__hidden_units__2>\d+)``\)"),
    ("docs/defaults.rst", r"RN keeps its (?P<rn__ensemble_size>\d+) networks of "
                          r"(?P<rn__hidden_units>\d+) units"),
    ("docs/defaults.rst", r"\*\*Decision:\*\* ``calibration=(?P<both__calibration>[\d.]+)``"),
]

#: The same for the ``crnet`` help (``crnet demo --help``, ``crnet fit --help``).
HELP_CLAIMS = [
    ("demo", r"--K K .*?\(default: [^()]*?(?P<crnet__K>\d+)\)"),
    ("demo", r"--epochs EPOCHS .*?\(default: the estimators' max_epochs, "
             r"(?P<both__max_epochs>\d+)\)"),
    ("fit", r"--epochs EPOCHS .*?\(default: the preset's; (?P<crnet__max_epochs>\d+) for "
            r"'default'"),
    *[(command, pattern) for command in ("demo", "fit") for pattern in (
        r"--device DEVICE .*?\(default: (?P<both__device>[\w:]+)\)",
        r"--threads THREADS .*?\(default: (?P<both__n_threads>\w+)\)")],
]


def _flat(text):
    return " ".join(text.split())


def _value(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text.strip("\"'")


def _same(stated, default):
    if isinstance(default, (bool, str)) or default is None:
        return stated == default
    return (isinstance(stated, (int, float)) and not isinstance(stated, bool)
            and float(stated) == float(default))


def _expected(key, defaults):
    """The defaults a group ``estimator__parameter[__tag]`` must equal."""
    estimator, parameter = key.split("__")[:2]
    names = ["crnet", "rn"] if estimator == "both" else [estimator]
    return parameter, {name: defaults[name][parameter] for name in names}


def claim_problems(text, pattern, defaults):
    """Mismatches between the defaults that ``pattern`` captures in ``text`` and ``defaults``."""
    matches = list(re.finditer(pattern, _flat(text)))
    if not matches:
        return [f"no longer found (reworded? update the pattern): {pattern}"]
    problems = []
    for match in matches:
        for key, captured in match.groupdict().items():
            parameter, expected = _expected(key, defaults)
            for name, default in expected.items():
                if not _same(_value(captured), default):
                    problems.append(f"{match.group(0)!r}: {parameter}={captured}, but "
                                    f"{name}'s default is {default!r}")
    return problems


def marker_statements(text):
    """(parameter, stated value, matched text) of every statement in the marker convention."""
    flat = _flat(text)
    return [(m.group("name"), m.group("value"), m.group(0))
            for marker in MARKERS for m in marker.finditer(flat)]


def marker_problems(text, defaults):
    """Statements in the marker convention whose value is not the estimators' default.

    A parameter whose default differs between the estimators (``hidden_units``) must equal one
    of them; name the estimator in a ``CLAIMS`` sentence to check it exactly.
    """
    problems = []
    for name, stated, matched in marker_statements(text):
        values = [params[name] for params in defaults.values() if name in params]
        if values and not any(_same(_value(stated), value) for value in values):
            problems.append(f"{matched!r}: the default of {name} is "
                            f"{' / '.join(map(repr, values))}")
    return problems


def _help(command):
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    return out.getvalue()


def _drifted(defaults):
    """Every default changed: numbers + 1, strings with a suffix, None and booleans swapped."""
    def change(value):
        if isinstance(value, bool):
            return not value
        if isinstance(value, (int, float)):
            return value + 1
        if isinstance(value, str):
            return value + "-changed"
        return "changed"
    return {name: {k: change(v) for k, v in params.items()} for name, params in defaults.items()}


@pytest.fixture(autouse=True)
def _wide_help(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def _claim_id(claim):
    document, pattern = claim
    return f"{document}:{re.sub(r'[^A-Za-z]+', '_', pattern)[:30]}"


@pytest.mark.parametrize(("document", "pattern"), CLAIMS, ids=map(_claim_id, CLAIMS))
def test_stated_defaults_are_the_estimators(document, pattern):
    problems = claim_problems((ROOT / document).read_text(), pattern, _defaults())
    assert not problems, f"{document}: " + "; ".join(problems)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_marked_defaults_are_the_estimators(document):
    problems = marker_problems(document.read_text(), _defaults())
    assert not problems, f"{document.relative_to(ROOT)}: " + "; ".join(problems)


def test_the_marker_convention_finds_the_user_guides_defaults():
    found = {name for name, _, _ in marker_statements((ROOT / "docs/user_guide.rst").read_text())}
    assert {"regularization", "penalty_warmup", "lr", "device"} <= found


@pytest.mark.parametrize(("command", "pattern"), HELP_CLAIMS, ids=map(_claim_id, HELP_CLAIMS))
def test_cli_help_states_the_estimators_defaults(command, pattern):
    problems = claim_problems(_help(command), pattern, _defaults())
    assert not problems, f"crnet {command} --help: " + "; ".join(problems)


def test_cli_option_defaults_are_the_estimators():
    crnet = _defaults()["crnet"]
    demo = build_parser().parse_args(["demo"])
    fit = build_parser().parse_args(["fit", "--data", "xlsa17:AWA2", "--root", "."])
    assert demo.K == crnet["K"]
    for args in (demo, fit):
        assert args.epochs is None  # each estimator's own max_epochs
        assert (args.device, args.threads) == (crnet["device"], crnet["n_threads"])


@pytest.mark.parametrize("estimator", [CRNetClassifier, RelationNetClassifier])
def test_docstring_defaults_are_the_estimators(estimator):
    params = estimator().get_params()
    documented = {}
    for line in estimator.__doc__.splitlines():
        match = re.match(r"^    (\w+) : .*, default=(.+)$", line)
        if match:
            documented[match.group(1)] = match.group(2)
    assert set(documented) == set(params), "every parameter's entry states its default"
    wrong = {name: (text, params[name]) for name, text in documented.items()
             if not _same(_value(text), params[name])}
    assert not wrong, f"docstring default against get_params(): {wrong}"


# -- the checks can fail -----------------------------------------------------------------------

@pytest.mark.parametrize(("document", "pattern"), CLAIMS, ids=map(_claim_id, CLAIMS))
def test_a_changed_default_fails_every_claim(document, pattern):
    text = (ROOT / document).read_text()
    n_values = sum(len(m.groupdict()) for m in re.finditer(pattern, _flat(text)))
    assert len(claim_problems(text, pattern, _drifted(_defaults()))) >= n_values


@pytest.mark.parametrize(("command", "pattern"), HELP_CLAIMS, ids=map(_claim_id, HELP_CLAIMS))
def test_a_changed_default_fails_the_help(command, pattern):
    assert claim_problems(_help(command), pattern, _drifted(_defaults()))


def test_a_changed_default_fails_the_marked_statements():
    text = (ROOT / "docs/user_guide.rst").read_text()
    assert len(marker_problems(text, _drifted(_defaults()))) == len(marker_statements(text))


def _stale_copies():
    """(document, text stated now, the same with the number changed), from today's defaults."""
    crnet = _defaults()["crnet"]
    return [
        ("README.md", f"networks of {crnet['hidden_units']} hidden units",
         f"networks of {crnet['hidden_units'] + 1} hidden units"),
        ("docs/defaults.rst", f"``max_epochs={crnet['max_epochs']}``",
         f"``max_epochs={crnet['max_epochs'] + 1}``"),
        ("docs/user_guide.rst", f"``penalty_warmup`` (default {crnet['penalty_warmup']})",
         f"``penalty_warmup`` (default {crnet['penalty_warmup'] / 2})"),
    ]


@pytest.mark.parametrize(("document", "old", "new"), _stale_copies(), ids=lambda v: v[:30])
def test_a_stale_document_fails(document, old, new):
    """A copy of the document with one stated number changed (the file is not touched)."""
    text = _flat((ROOT / document).read_text())
    assert old in text
    stale = text.replace(old, new)
    defaults = _defaults()
    problems = [problem for claimed, pattern in CLAIMS if claimed == document
                for problem in claim_problems(stale, pattern, defaults)]
    assert problems + marker_problems(stale, defaults)


def test_a_stale_help_fails():
    epochs = _defaults()["crnet"]["max_epochs"]
    text = _flat(_help("demo"))
    assert f"max_epochs, {epochs})" in text
    stale = text.replace(f"max_epochs, {epochs})", f"max_epochs, {epochs + 1})")
    assert claim_problems(stale, HELP_CLAIMS[1][1], _defaults())
