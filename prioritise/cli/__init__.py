"""The command line: parses arguments, calls the library, prints. No planning logic here."""

from prioritise.cli.main import main

__all__ = ["main"]
