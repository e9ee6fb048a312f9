"""``python -m sklearn_crnet``: see :func:`sklearn_crnet._cli.main`."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
