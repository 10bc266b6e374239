"""``python -m prioritise.core.settings [--json]``: print the settings reference or schema."""

import sys

from prioritise.core.settings.reference import render_json, render_markdown

if __name__ == "__main__":
    sys.stdout.write(render_json() if "--json" in sys.argv[1:] else render_markdown())
