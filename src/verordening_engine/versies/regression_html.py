"""The regression report as one self-contained HTML page with charts, for the Adviesraad.

No external script, style sheet or font: the page is read on municipal networks. Charts are
drawn by matplotlib (imported here only, it is not cheap) as SVG with text kept as text and
put inline. The page holds the same sections and numbers as the markdown report.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

from .regression_model import RegressieRapport
from .regression_report import BANDS, sections, transitions_by_voorziening

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;max-width:70rem;
margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
td.n,th.n{text-align:right}.note{background:#f3f6fa;border-left:4px solid #3b6ea5;
padding:.5rem 1rem}figure{margin:1rem 0}figcaption{font-size:.9rem;color:#444}
svg{max-width:100%;height:auto}
"""
COLOURS = ["#3b6ea5", "#d9822b", "#5a9e4b", "#b8433b", "#7c5ba6", "#8c6d31", "#3c9a9a"]


def _svg(fig: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",  # text as text: no embedded glyphs, no font files
            "svg.hashsalt": "verordening",  # the same report gives the same page
            "font.family": "sans-serif",
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def chart_transitions(r: RegressieRapport) -> str | None:
    """Changed requests per voorziening, stacked by the kind of change."""
    data = transitions_by_voorziening(r)
    if not data:
        return None
    plt = _pyplot()
    names = sorted(data)
    kinds = sorted({k for c in data.values() for k in c})
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1.6))
    left = [0] * len(names)
    for i, kind in enumerate(kinds):
        values = [data[n][kind] for n in names]
        ax.barh(names, values, left=left, label=kind, color=COLOURS[i % len(COLOURS)])
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlabel("aanvragen met een andere uitkomst of een ander bedrag")
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=8, frameon=False)
    try:
        return _svg(fig)
    finally:
        plt.close(fig)


def chart_bands(r: RegressieRapport) -> str:
    plt = _pyplot()
    labels = [text.replace(" (", "\n(") for _, text in BANDS]
    values = [getattr(r.eigen_bijdrage.huishoudens, key) for key, _ in BANDS]
    fig, ax = plt.subplots(figsize=(8, 2.8))
    bars = ax.bar(labels, values, color=["#b8433b", "#e0a39e", "#bbbbbb", "#a8cf9c", "#5a9e4b"])
    ax.bar_label(bars)
    ax.set_ylabel("huishoudens")
    try:
        return _svg(fig)
    finally:
        plt.close(fig)


def chart_articles(r: RegressieRapport) -> str | None:
    if not r.per_artikel:
        return None
    plt = _pyplot()
    items = sorted(r.per_artikel.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(items) + 1.2))
    ax.barh([f"artikel {a}" for a, _ in items], [n for _, n in items], color=COLOURS[0])
    ax.invert_yaxis()
    ax.set_xlabel("aanvragen waar de toepassing van het artikel veranderde")
    try:
        return _svg(fig)
    finally:
        plt.close(fig)


def _inline(text: str) -> str:
    escaped = html.escape(text)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"\*(.+?)\*", r"<em>\1</em>", escaped)


def _markdown_block(lines: list[str]) -> str:
    """The small markdown the report sections use: tables, bullets, headings, paragraphs."""
    out: list[str] = []
    table: list[list[str]] = []
    bullets: list[str] = []

    def flush() -> None:
        nonlocal table, bullets
        if table:
            head, *body = [row for row in table if not set("".join(row)) <= set("-:")]
            numeric = [all(_is_number(row[i]) for row in body) and body for i in range(len(head))]
            cells = "".join(
                f"<th{' class=n' if numeric[i] else ''}>{_inline(c)}</th>"
                for i, c in enumerate(head)
            )
            rows = [f"<tr>{cells}</tr>"]
            for row in body:
                rows.append(
                    "<tr>"
                    + "".join(
                        f"<td{' class=n' if numeric[i] else ''}>{_inline(c)}</td>"
                        for i, c in enumerate(row)
                    )
                    + "</tr>"
                )
            out.append("<table>" + "".join(rows) + "</table>")
            table = []
        if bullets:
            out.append("<ul>" + "".join(f"<li>{_inline(b)}</li>" for b in bullets) + "</ul>")
            bullets = []

    for line in lines:
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if line.startswith("- "):
            bullets.append(line[2:])
            continue
        flush()
        if line.startswith("### "):
            out.append(f"<h3>{_inline(line[4:])}</h3>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    flush()
    return "\n".join(out)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?[0-9.]+", text.strip())) or text.strip() == "-"


def report_html(r: RegressieRapport, deciding: dict[str, str] | None = None) -> str:
    charts: dict[str, list[tuple[str, str | None]]] = {
        "Overgangen": [
            (
                "Aanvragen die veranderen, per voorziening en soort wijziging",
                chart_transitions(r),
            )
        ],
        "Eigen bijdrage": [
            ("Huishoudens naar verandering van hun eigen bijdrage per maand", chart_bands(r))
        ],
        "Per artikel (aanvragen waar de toepassing veranderde)": [
            ("Wijzigingen per artikel (de twintig grootste)", chart_articles(r))
        ],
    }
    body = [f"<h1>Regressie {html.escape(r.versie_a)} → {html.escape(r.versie_b)}</h1>"]
    for title, lines in sections(r, deciding):
        body.append(f"<h2>{html.escape(title)}</h2>")
        if title == "Samenvatting":
            body.append(f'<div class="note">{_markdown_block(lines)}</div>')
            continue
        for caption, svg in charts.get(title, []):
            if svg is not None:
                body.append(
                    f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"
                )
        if title == "Bereikte uitkomsten":  # a long table: folded, the warnings open
            table = [line for line in lines if line.startswith("|")]
            rest = [line for line in lines if not line.startswith("|")]
            body.append(
                f"<details><summary>Aantal aanvragen per uitkomst en versie "
                f"({len(table) - 2} uitkomsten)</summary>{_markdown_block(table)}</details>"
            )
            body.append(_markdown_block(rest))
            continue
        body.append(_markdown_block(lines))
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>Regressie {html.escape(r.versie_a)} → {html.escape(r.versie_b)}</title>"
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
