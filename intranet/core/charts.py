"""Charts drawn on the server as inline SVG: no script, no library, nothing fetched.

Each chart is an image (``role="img"``) named by its title and described by the table of the
same figures that the page shows after it (``aria-describedby`` points at that table's id,
``{ident}-table``): the table is what a screen reader, a printout or a person who prefers numbers
reads. Two kinds:

- ``stacked_bars``: one horizontal bar per row, split in one colour per series (offers per
  quarter, by filière);
- ``grouped_bars``: one thin bar per series side by side in each row (requested, granted and
  paid per intercommunality).

Values may be ints or Decimals; ``fmt`` writes the figure printed at the end of a bar.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from markupsafe import Markup, escape

COLOURS = ("#0b4f8a", "#8a5a00", "#17522b", "#6b3fa0", "#8a1c12", "#00666b", "#9c2a6b", "#4a4a4a")
WIDTH, LEFT, RIGHT, GAP = 640, 150, 110, 10


def _colour(n: int) -> str:
    return COLOURS[n % len(COLOURS)]


def _open(height: int, title: str, ident: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'role="img" aria-labelledby="{ident}-titre" aria-describedby="{ident}-table" '
            f'class="chart"><title id="{ident}-titre">{escape(title)}</title>']


def _legend_height(series: list[str]) -> int:
    return 20 * ((len(series) + 2) // 3)


def _legend(series: list[str], top: int) -> list[str]:
    parts = []
    for n, name in enumerate(series):
        x, y = (n % 3) * 210, top + (n // 3) * 20
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{_colour(n)}"/>'
                     f'<text x="{x + 18}" y="{y + 11}" font-size="12">{escape(name)}</text>')
    return parts


def _label(text: str, y: float) -> str:
    short = text if len(text) <= 22 else text[:21] + "…"
    return f'<text x="0" y="{y:.1f}" font-size="13">{escape(short)}</text>'


def _scale(peak) -> float:
    return (WIDTH - LEFT - RIGHT) / float(peak or 1)


def stacked_bars(table: Mapping[str, Mapping[str, object]], rows: list[str], *, title: str,
                 ident: str, fmt: Callable[[object], str] = str) -> Markup:
    """``table[series][row]``: one bar per row, one colour per series, the row's total at the
    bar's end."""
    series, bar = list(table), 22
    totals = {row: sum((table[s].get(row) or 0 for s in series), 0) for row in rows}
    scale = _scale(max(totals.values(), default=0))
    top = len(rows) * (bar + GAP) + 20
    parts = _open(top + _legend_height(series) + 10, title, ident)
    for index, row in enumerate(rows):
        y, x = index * (bar + GAP) + 10, LEFT
        parts.append(_label(row, y + bar - 6))
        for n, name in enumerate(series):
            value = table[name].get(row) or 0
            if value:
                width = float(value) * scale
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar}" '
                             f'fill="{_colour(n)}"/>')
                x += width
        parts.append(f'<text x="{x + 6:.1f}" y="{y + bar - 6}" font-size="13">'
                     f'{escape(fmt(totals[row]))}</text>')
    return Markup("".join(parts + _legend(series, top) + ["</svg>"]))


def grouped_bars(table: Mapping[str, Mapping[str, object]], rows: list[str], *, title: str,
                 ident: str, fmt: Callable[[object], str] = str) -> Markup:
    """``table[series][row]``: in each row, one bar per series, each with its figure."""
    series, bar = list(table), 14
    block = len(series) * bar + GAP + 6
    scale = _scale(max((table[s].get(r) or 0 for s in series for r in rows), default=0))
    top = len(rows) * block + 20
    parts = _open(top + _legend_height(series) + 10, title, ident)
    for index, row in enumerate(rows):
        y0 = index * block + 10
        parts.append(_label(row, y0 + len(series) * bar / 2 + 4))
        for n, name in enumerate(series):
            value = table[name].get(row) or 0
            y, width = y0 + n * bar, float(value) * scale
            parts.append(f'<rect x="{LEFT}" y="{y}" width="{width:.1f}" height="{bar - 2}" '
                         f'fill="{_colour(n)}"/><text x="{LEFT + width + 6:.1f}" y="{y + 10}" '
                         f'font-size="11">{escape(fmt(value))}</text>')
    return Markup("".join(parts + _legend(series, top) + ["</svg>"]))
