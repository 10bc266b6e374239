"""Load a project for a command and show the warnings it loaded with.

Warnings (a blank budget year read as $0, dependencies dropped, hazards treated as reachable
on foot...) change what a plan means, so every command prints them on stderr before its
own output; ``--quiet`` keeps them (it only hides progress), ``--no-warnings`` hides them.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prioritise.core.problem import Problem


def add_warning_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-warnings",
        action="store_true",
        help="do not print the project's validation warnings",
    )


def load_project(args: argparse.Namespace, **options: Any) -> Problem:
    """``load_problem(args.project, strict=args.strict, ...)``, then the warnings on stderr."""
    from prioritise import load_problem
    from prioritise.outputs.console import render_warnings

    problem = load_problem(args.project, strict=args.strict, **options)
    if not getattr(args, "no_warnings", False):
        text = render_warnings(problem.findings)
        if text:
            print(text, file=sys.stderr)
    return problem
