"""Input column schema, held as data.

Each input table is described by a tuple of :class:`Column` rows. The loader uses them to
fill defaults, coerce types and report missing or malformed columns; ``docs/schema.md`` is
generated from the same rows (``python -m prioritise.schema``), so the documentation and the
validation cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DType = Literal["str", "float", "int", "bool"]

# Hazard columns whose name starts with this prefix carry an operator's own estimate of
# team-days for one team type (``days_manual`` = team-days of the team type ``manual``).
DAYS_PREFIX = "days_"


@dataclass(frozen=True)
class Column:
    """One column of an input table: what it holds and what happens when it is absent."""

    name: str
    dtype: DType
    unit: str
    default: object
    required: bool
    description: str


HAZARDS: tuple[Column, ...] = (
    Column("hazard_id", "str", "", None, True, "Unique id of the hazardous area (IMSMA id)."),
    Column("province", "str", "", None, True, "Province or region; used for equity and reports."),
    Column("district", "str", "", "", False, "District or lower admin unit, for reports."),
    Column("name", "str", "", "", False, "Human-readable name of the area or nearest village."),
    Column(
        "hazard_class",
        "str",
        "",
        "CHA",
        False,
        "SHA (suspected) or CHA (confirmed). Survey methods apply to both.",
    ),
    Column(
        "hazard_type",
        "str",
        "",
        "mixed",
        False,
        "Contamination type (AP, AT, mixed, CMR, UXO, IED); methods may be limited by it.",
    ),
    Column(
        "area_m2",
        "float",
        "m²",
        None,
        False,
        "Area of the hazard. Required unless geometry is given or every row has cost_usd and "
        "days_<team_type> estimates. Computed from geometry when absent.",
    ),
    Column(
        "impact",
        "float",
        "score",
        None,
        False,
        "Impact score per year of released land. Required unless [scoring] criteria are "
        "declared in the project, which then compute it.",
    ),
    Column(
        "benefit_usd_per_year",
        "float",
        "USD/year",
        None,
        False,
        "Economic benefit of the released land per year (e.g. crop value). Blank = computed "
        "from the [economics] value table, or unknown. Needed by objective = 'npv'.",
    ),
    Column(
        "cancel_fraction",
        "float",
        "share",
        0.0,
        False,
        "Expected share of the area cancelled by survey (no evidence of contamination).",
    ),
    Column(
        "reduce_fraction",
        "float",
        "share",
        0.0,
        False,
        "Expected share of the area reduced by technical survey.",
    ),
    Column(
        "article5",
        "bool",
        "",
        False,
        False,
        "True for anti-personnel mined areas under the treaty's Article 5 deadline.",
    ),
    Column("beneficiaries", "float", "people", 0.0, False, "People who benefit once released."),
    Column("beneficiaries_women", "float", "people", None, False, "Women among beneficiaries."),
    Column("beneficiaries_men", "float", "people", None, False, "Men among beneficiaries."),
    Column("beneficiaries_girls", "float", "people", None, False, "Girls among beneficiaries."),
    Column("beneficiaries_boys", "float", "people", None, False, "Boys among beneficiaries."),
    Column(
        "env_sensitivity",
        "float",
        "0-1",
        0.0,
        False,
        "Environmental sensitivity of the site; multiplied by a method's disturbance.",
    ),
    Column(
        "cost_usd",
        "float",
        "USD",
        None,
        False,
        "Operator's own cost estimate; with days_<team_type> it overrides the computed cost.",
    ),
    Column(
        "method",
        "str",
        "",
        "",
        False,
        "Method the estimate in cost_usd/days_<team_type> refers to (default 'estimate').",
    ),
    Column(
        "lock",
        "str",
        "",
        "",
        False,
        "'must' (must be completed) or 'must_not' (must not be scheduled); blank = free.",
    ),
    Column("lock_year", "int", "year", None, False, "With lock = must: the year it must be done."),
    Column("lon", "float", "degrees", None, False, "Longitude of a point location (no polygon)."),
    Column("lat", "float", "degrees", None, False, "Latitude of a point location (no polygon)."),
)

TEAMS: tuple[Column, ...] = (
    Column("team_type", "str", "", None, True, "Name of the team type (e.g. manual, mdd)."),
    Column("teams", "float", "teams", None, True, "Number of teams of this type."),
    Column("days_per_year", "float", "days", None, True, "Working days per team per year."),
    Column("year", "int", "year", None, False, "Year the row applies to; absent = every year."),
    Column(
        "kind",
        "str",
        "",
        None,
        False,
        "Kind of work the team does (manual, mechanical, mdd, survey); defaults to team_type. "
        "Methods name kinds, so several operators' team types can share a kind.",
    ),
    Column(
        "operator",
        "str",
        "",
        "national",
        False,
        "national or international; used by the localisation constraint.",
    ),
    Column("cost_per_day", "float", "USD/team-day", None, False, "Full cost of one team-day."),
)

BUDGET: tuple[Column, ...] = (
    Column("year", "int", "year", None, True, "Calendar year."),
    Column("budget_usd", "float", "USD", None, True, "Money available for clearance that year."),
)

DEPENDENCIES: tuple[Column, ...] = (
    Column("hazard_id", "str", "", None, True, "The hazard that needs access."),
    Column("requires", "str", "", None, True, "The hazard that must be completed first."),
)

LOCKS: tuple[Column, ...] = (
    Column("hazard_id", "str", "", None, True, "Hazard the lock applies to."),
    Column("lock", "str", "", None, True, "'must' or 'must_not'."),
    Column("year", "int", "year", None, False, "With 'must': year in which it must be done."),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "hazards": HAZARDS,
    "teams": TEAMS,
    "budget": BUDGET,
    "dependencies": DEPENDENCIES,
    "locks": LOCKS,
}


def column_names(table: str) -> list[str]:
    """Names of a table's schema columns, in schema order."""
    return [c.name for c in TABLES[table]]


def render_markdown() -> str:
    """The schema as Markdown tables (the text of ``docs/schema.md``)."""
    lines = [
        "# Input columns",
        "",
        "Generated from `prioritise/schema.py` by `python -m prioritise.schema`; do not edit.",
        "",
        "Hazard tables may carry further columns: `days_<team_type>` (an operator's own",
        "team-day estimate for that team type) and any criteria columns named in `[scoring]`.",
    ]
    for table, columns in TABLES.items():
        lines += ["", f"## {table}", "", "| column | type | unit | default | required | meaning |"]
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for c in columns:
            default = "" if c.default is None else repr(c.default)
            lines.append(
                f"| `{c.name}` | {c.dtype} | {c.unit} | {default} | "
                f"{'yes' if c.required else ''} | {c.description} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
