"""The ``prioritise`` command line: a thin entry point over :mod:`prioritise.cli`."""

import sys

from prioritise.cli import main

if __name__ == "__main__":
    sys.exit(main())
