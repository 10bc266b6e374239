"""OR-Library multidimensional knapsack instances (Chu & Beasley, mknapcb1..9) as workplans.

A one-year workplan with a budget and team-type capacities is a multidimensional knapsack
(MKP): item j is hazard j with ``impact`` = profit p_j, constraint 1 is the budget
(``cost_usd`` = v_1j, budget = b_1) and constraint i >= 2 is the team-days of team type
``c<i>`` (``days_c<i>`` = v_ij, capacity = b_i). With one year and no discount the workplan
objective sum I_h w_0 x_h is the knapsack profit, so the engine must reach the published
values.

Capacities are expressed exactly as ``teams = b_i`` with ``days_per_year = 1`` (team-days =
teams x days_per_year), so no rounding enters the right-hand sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from prioritise.core.problem import Problem
from prioritise.core.settings import parse_settings
from prioritise.inputs.loader import build_problem

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "orlib-mkp"
START_YEAR = 2027


@dataclass(frozen=True)
class MKPInstance:
    """One problem: maximise p.x subject to W x <= b, x binary."""

    name: str  # as in best-feasible-slns.txt, e.g. "5.100-00"
    n: int
    m: int
    profits: np.ndarray  # (n,)
    weights: np.ndarray  # (m, n); row 0 is read as the budget
    capacities: np.ndarray  # (m,)
    best: int | None  # published best feasible value (proven optimum for 5 x 100)
    lp_bound: float | None  # published LP relaxation value
    header_optimum: int  # the value in the data file's header (0 if unavailable)

    def value(self, x: np.ndarray) -> float:
        return float(self.profits @ x)

    def feasible(self, x: np.ndarray) -> bool:
        return bool(np.all(self.weights @ x <= self.capacities))


def read_published(path: Path | None = None) -> tuple[dict[str, int], dict[str, float]]:
    """(best feasible values, LP relaxation values) by problem name from best-feasible-slns."""
    path = path or DATA_DIR / "best-feasible-slns.txt"
    best: dict[str, int] = {}
    lp: dict[str, float] = {}
    line_re = re.compile(r"^\s*(\d+\.\d+-\d+)\s+(\S+)\s*$")
    for line in path.read_text().splitlines():
        match = line_re.match(line)
        if not match:
            continue
        name, value = match.groups()
        if name not in best:  # first table: best feasible; second table: LP optimum
            best[name] = int(float(value))
        else:
            lp[name] = float(value)
    return best, lp


def read_instances(path: str | Path, published: Path | None = None) -> list[MKPInstance]:
    """Every problem of one mknapcb file, with the published values when they are known."""
    path = Path(path)
    tokens = np.array(path.read_text().split(), dtype=np.int64)
    best_path = published or path.with_name("best-feasible-slns.txt")
    best, lp = read_published(best_path) if best_path.exists() else ({}, {})
    count, pos = int(tokens[0]), 1
    out: list[MKPInstance] = []
    for k in range(count):
        n, m, header = (int(v) for v in tokens[pos : pos + 3])
        pos += 3
        profits = tokens[pos : pos + n].astype(float)
        pos += n
        weights = tokens[pos : pos + m * n].reshape(m, n).astype(float)
        pos += m * n
        capacities = tokens[pos : pos + m].astype(float)
        pos += m
        name = f"{m}.{n}-{k:02d}"
        out.append(
            MKPInstance(
                name, n, m, profits, weights, capacities, best.get(name), lp.get(name), header
            )
        )
    if pos != len(tokens):
        raise ValueError(f"{path}: {len(tokens) - pos} numbers left after {count} problems")
    return out


def team_names(m: int) -> list[str]:
    """Team types for constraints 2..m."""
    return [f"c{i:02d}" for i in range(2, m + 1)]


def to_problem(
    inst: MKPInstance, time_limit: float = 60.0, gap: float = 0.0, threads: int = 0
) -> Problem:
    """The instance as a one-year workplan problem built through ``build_problem``."""
    doc = {
        "project": {"name": f"OR-Library MKP {inst.name}"},
        "plan": {"start_year": START_YEAR, "years": 1},
        "data": {"hazards": "hazards.csv", "teams": "teams.csv", "budget": "budget.csv"},
        "solver": {"time_limit": float(time_limit), "gap": float(gap), "threads": threads},
    }
    settings, findings = parse_settings(doc, Path.cwd() / "orlib-mkp.toml", check_files=False)
    if settings is None:
        raise ValueError("; ".join(f.message for f in findings))
    types = team_names(inst.m)
    hazards = pd.DataFrame(
        {
            "hazard_id": [f"item{j:03d}" for j in range(inst.n)],
            "province": "P",
            "impact": inst.profits,
            "cost_usd": inst.weights[0],
            **{f"days_{t}": inst.weights[i + 1] for i, t in enumerate(types)},
        }
    )
    teams = pd.DataFrame(
        {
            "team_type": types,
            "teams": inst.capacities[1:],
            "days_per_year": 1.0,
            "operator": "national",
        }
    )
    budget = pd.DataFrame({"year": [START_YEAR], "budget_usd": [inst.capacities[0]]})
    return build_problem(settings, hazards, teams, budget)


def chosen_items(schedule: pd.DataFrame, n: int) -> np.ndarray:
    """0/1 vector of the items (hazards) a schedule completes."""
    x = np.zeros(n)
    x[schedule["hazard"].to_numpy(int)] = 1.0
    return x
