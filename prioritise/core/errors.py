"""Findings about the input, and the few exceptions the library raises.

Checks never raise on the first problem: they return :class:`Finding` rows that are collected
into one :class:`ValidationReport`, so a user sees everything wrong with a project at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]

# How many ids one finding lists before it says "and N more".
MAX_IDS_SHOWN = 8


@dataclass(frozen=True)
class Finding:
    """One problem in the input: where, which rows, which rule, and how to fix it."""

    severity: Severity
    file: str
    rule: str
    message: str
    fix: str = ""
    ids: tuple[str, ...] = ()

    def render(self) -> str:
        """One readable block: ``ERROR hazards.csv [duplicate-id] ... (ids) -> fix``."""
        head = f"{self.severity.upper():7} {self.file} [{self.rule}] {self.message}"
        parts = [head]
        if self.ids:
            shown = ", ".join(self.ids[:MAX_IDS_SHOWN])
            more = len(self.ids) - MAX_IDS_SHOWN
            parts.append(f"        ids: {shown}" + (f" and {more} more" if more > 0 else ""))
        if self.fix:
            parts.append(f"        fix: {self.fix}")
        return "\n".join(parts)


def error(file: str, rule: str, message: str, fix: str = "", ids: Iterable[object] = ()) -> Finding:
    """An error: input the engine cannot plan with."""
    return Finding("error", file, rule, message, fix, tuple(str(i) for i in ids))


def warning(
    file: str, rule: str, message: str, fix: str = "", ids: Iterable[object] = ()
) -> Finding:
    """A warning: valid input that is probably a mistake."""
    return Finding("warning", file, rule, message, fix, tuple(str(i) for i in ids))


@dataclass
class ValidationReport:
    """All findings about one project, in the order they were found."""

    findings: list[Finding] = field(default_factory=list)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        """True when nothing blocks planning (under ``strict``, warnings block too)."""
        return not self.errors and not (strict and self.warnings)

    def render(self) -> str:
        if not self.findings:
            return "No problems found."
        blocks = [f.render() for f in self.errors + self.warnings]
        blocks.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s).")
        return "\n".join(blocks)


class PrioritiseError(Exception):
    """Base class of every error the library raises on purpose."""


class ProjectError(PrioritiseError, ValueError):
    """The project cannot be loaded; carries the whole validation report."""

    def __init__(self, report: ValidationReport, strict: bool = False):
        self.report = report
        self.strict = strict
        n_err, n_warn = len(report.errors), len(report.warnings)
        why = f"{n_err} error(s)" + (f" and {n_warn} warning(s) under --strict" if strict else "")
        super().__init__(f"The project is not valid: {why}.\n{report.render()}")


class InfeasibleError(PrioritiseError, ValueError):
    """No plan satisfies the locks, deadline and shares together."""

    def __init__(self, message: str, hints: Sequence[str] = ()):
        self.hints = list(hints)
        text = message + "".join(f"\n  - {h}" for h in self.hints)
        super().__init__(text)


class SolverUnavailableError(PrioritiseError, RuntimeError):
    """The requested solver is not installed."""


class UsageError(PrioritiseError, ValueError):
    """The request cannot be carried out as given (an output folder that would overwrite
    inputs or an earlier run, an unknown hazard id, an earlier run that does not match):
    the CLI prints the message and exits 2, never as a bug."""
