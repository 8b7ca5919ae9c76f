"""Static HTML of the widgets, for renderers without the widget manager (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

_STYLE_TABLE = "border-collapse:collapse;font-size:12px"
_STYLE_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left"
_DIFF_BACKGROUND = "#fff3bf"


def format_value(value: float | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:.6g}"
    return str(value)


def sparkline(values: Sequence[float | None], width: int = 120, height: int = 24) -> str:
    """An inline SVG polyline of ``values`` (non-finite ones skipped); empty without two."""
    points = [(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v)]
    if len(points) < 2:
        return ""
    low = min(v for _, v in points)
    high = max(v for _, v in points)
    span = (high - low) or 1.0
    last = max(len(values) - 1, 1)
    coords = " ".join(
        f"{i * width / last:.1f},{height - 2 - (v - low) * (height - 4) / span:.1f}"
        for i, v in points
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{coords}"/></svg>'
    )


def table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    highlight: Sequence[bool] | None = None,
    raw_columns: frozenset[int] = frozenset(),
    caption: str | None = None,
) -> str:
    """An HTML table; cells are escaped except in ``raw_columns`` (already HTML)."""
    head = "".join(f'<th style="{_STYLE_CELL}">{escape(h)}</th>' for h in header)
    body = []
    for index, row in enumerate(rows):
        marked = highlight is not None and highlight[index]
        style = f' style="background:{_DIFF_BACKGROUND}"' if marked else ""
        cells = "".join(
            f'<td style="{_STYLE_CELL}">{cell if col in raw_columns else escape(cell)}</td>'
            for col, cell in enumerate(row)
        )
        body.append(f"<tr{style}>{cells}</tr>")
    title = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return (
        f'<table style="{_STYLE_TABLE}">{title}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
