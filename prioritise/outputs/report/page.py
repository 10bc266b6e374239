"""The HTML page shell shared by the plan report and the scenario comparison.

Self-contained on purpose: styles and the script are inline, fonts are the reader's system
fonts, and nothing refers to another file or host, so the page opens offline, from an e-mail
attachment or a USB stick, and prints cleanly.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from prioritise.core import fmt

CSS = """
:root{--ink:#1d2733;--muted:#5b6673;--line:#d9dee4;--bg:#f6f7f9;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
 sans-serif;color:var(--ink);background:#fff}
header.top{padding:20px 32px 12px;border-bottom:3px solid var(--accent)}
header.top h1{margin:0 0 4px;font-size:24px}
header.top p{margin:0;color:var(--muted)}
nav.toc{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);
 padding:6px 32px;font-size:13px}
nav.toc a{margin-right:14px;color:var(--accent);text-decoration:none}
main{padding:8px 32px 40px;max-width:1400px}
section{margin:26px 0;padding-top:4px}
h2{font-size:19px;margin:0 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.how{background:var(--bg);border-left:4px solid var(--accent);padding:8px 12px;margin:8px 0 14px;
 color:#333;font-size:13px;max-width:980px}
.how b{color:var(--ink)}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:#fff}
.kpi .v{font-size:22px;font-weight:650}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.kpi .s{color:var(--muted);font-size:12px}
.good{color:#0a7a3a}.bad{color:#b3261e}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:18px}
figure{margin:0}figcaption{font-weight:600;margin:0 0 4px}
svg.chart{max-width:100%;height:auto;font-size:12px}
svg.chart .grid{stroke:#e5e8ec;stroke-width:1}
svg.chart .tick{fill:#4a5560;font-size:11px}
svg.chart .axis{fill:#4a5560;font-size:12px;font-weight:600}
svg.chart .lg{fill:#333;font-size:12px}
table{border-collapse:collapse;font-size:12.5px;margin:4px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:650;border-top:2px solid #999}
.tablewrap{overflow-x:auto;max-width:100%}
details{margin:6px 0}
summary{cursor:pointer;color:var(--accent)}
.note{color:var(--muted);font-size:12.5px}
.warn{color:#8a5300}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding:12px 32px}
@media print{
 nav.toc,.controls,.legend button::after{display:none}
 section{break-inside:auto}
 figure,.kpi,table{break-inside:avoid}
 .charts{display:block}
 a{color:inherit;text-decoration:none}
 details>*{display:block}
}
"""


def esc(value: Any) -> str:
    """HTML-escape any value (text from input files must never become markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def cell_class(value: Any) -> str:
    return ' class="n"' if isinstance(value, (int, float)) and not isinstance(value, bool) else ""


def table_html(
    frame: pd.DataFrame,
    *,
    labels: dict[str, str] | None = None,
    formats: dict[str, Callable[[Any], str]] | None = None,
    total: Sequence[str] = (),
    caption: str = "",
    max_rows: int | None = None,
    attrs: str = "",
) -> str:
    """A table; numbers right-aligned, values formatted from their column names."""
    labels = labels or {}
    formats = formats or {}
    cols = [str(c) for c in frame.columns]
    numeric = ' class="n"'
    head = "".join(
        f'<th scope="col"{numeric if pd.api.types.is_numeric_dtype(frame[c]) else ""}>'
        f"{esc(labels.get(c, c.replace('_', ' ')))}</th>"
        for c in cols
    )
    rows = []
    shown = frame if max_rows is None else frame.iloc[:max_rows]
    # One unit per column (all of it, totals included): "$0.10m" never sits under "$98,640".
    cell = {
        c: formats.get(c) or fmt.column_formatter(c, _with_total(frame[c], c in total))
        for c in cols
    }
    for rec in shown.itertuples(index=False):
        tds = []
        for c, v in zip(cols, rec, strict=True):
            text = v if isinstance(v, str) else cell[c](v)
            tds.append(f"<td{cell_class(v)}>{esc(text)}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    if total and len(frame):
        tds = []
        for i, c in enumerate(cols):
            if c in total:
                v = float(pd.to_numeric(frame[c], errors="coerce").sum())
                tds.append(f'<td class="n">{esc(cell[c](v))}</td>')
            else:
                tds.append("<td>Total</td>" if i == 0 else "<td></td>")
        rows.append('<tr class="total">' + "".join(tds) + "</tr>")
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = (
            f'<p class="note">Showing {max_rows} of {len(frame)} rows; the CSV/Excel '
            "outputs hold them all.</p>"
        )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="tablewrap"><table{attrs}>{cap}<thead><tr>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></div>"
        + more
    )


def _with_total(column: pd.Series, totalled: bool) -> list[Any]:
    values = column.tolist()
    if totalled:
        values.append(float(pd.to_numeric(column, errors="coerce").sum()))
    return values


def how(text: str) -> str:
    """A 'how to read this' box; ``text`` is trusted markup written in this package."""
    return f'<div class="how"><b>How to read this.</b> {text}</div>'


def script_json(element_id: str, data: Any) -> str:
    """Data for the page script, safe inside <script>: '<', '>' and '&' are escaped."""
    text = fmt.dumps(data, indent=None)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def clean(value: Any) -> Any:
    """NaN/NA -> None and numpy scalars -> Python, for JSON (see :func:`fmt.plain`)."""
    return fmt.plain(value)


def page(
    title: str,
    subtitle: str,
    nav: Sequence[tuple[str, str]],
    body: str,
    *,
    extra_css: str = "",
    script: str = "",
    footer: str = "",
) -> str:
    """The whole document: no external resource of any kind."""
    links = "".join(f'<a href="#{esc(anchor)}">{esc(label)}</a>' for anchor, label in nav)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}\n{extra_css}</style></head>"
        f'<body><header class="top"><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>'
        f'<nav class="toc">{links}</nav><main>{body}</main>'
        f"<footer>{footer}</footer>"
        + (f"<script>{script}</script>" if script else "")
        + "</body></html>\n"
    )
