"""Settings of the example gallery that Sphinx must be able to pickle (importable, not inline)."""

import os


def reset_argv(gallery_conf, script_vars):
    """Examples run in quick mode where the docs are built in CI (``CRNET_DOCS_QUICK=1``)."""
    return ["--quick"] if os.environ.get("CRNET_DOCS_QUICK") else []
