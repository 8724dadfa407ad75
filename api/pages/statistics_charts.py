"""Server-rendered SVG charts (pygal) for the statistics page, embedded as images: no
script runs (pygal's tooltip script is switched off) and the page's content security policy
stays as it is. Only shown figures are drawn; a hidden cell is a gap. The numbers are
always also in the accessible table beside the chart."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pygal
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d1d1d",
    foreground_strong="#1d1d1d",
    foreground_subtle="#555",
    colors=("#1f4e79", "#b35900", "#2e7d32", "#6a1b9a"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=12,
)


def _config(**extra: Any) -> dict[str, Any]:
    return {
        "style": STYLE,
        "js": [],  # no tooltip script, and nothing from a CDN
        "disable_xml_declaration": True,
        "width": 720,
        "height": 360,
        "legend_at_bottom": True,
        "print_values": False,
        **extra,
    }


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def goals_chart(report: dict[str, Any], label: Callable[[str], str]) -> str:
    """The share goals: this period, the previous one and the target, in per cent."""
    chart = pygal.Bar(**_config(range=(0, 100), y_title="%"))
    shares = [g for g in report["goals"] if g["kind"] != "increase_at_least"]
    chart.x_labels = [str(i + 1) for i in range(len(shares))]
    chart.add(label("This period"), [g["current"]["share"]["value"] for g in shares])
    chart.add(label("Previous period"), [g["previous"]["share"]["value"] for g in shares])
    chart.add(label("Target"), [g["target_pct"] for g in shares])
    return str(chart.render(is_unicode=True))


def district_chart(report: dict[str, Any], measure: str, label: Callable[[str], str]) -> str:
    rows = report["districts"]["rows"]
    chart = pygal.HorizontalBar(**_config(height=max(320, 26 * len(rows) + 120), show_legend=False))
    chart.title = label(f"measure.{measure}")
    chart.x_labels = [r["name"] for r in rows]
    chart.add(label(f"measure.{measure}"), [r["measures"][measure]["value"] for r in rows])
    return str(chart.render(is_unicode=True))


def trend_chart(report: dict[str, Any], label: Callable[[str], str]) -> str:
    """Care nights per month and activity code."""
    rows = [r for r in report["reporting"]["rows"] if r["month"]]
    months = sorted({r["month"] for r in rows})
    chart = pygal.Line(**_config(x_label_rotation=30))
    chart.x_labels = months
    for code in sorted({r["code"] for r in rows}):
        values = {r["month"]: r["nights"]["value"] for r in rows if r["code"] == code}
        chart.add(label(f"code.{code}"), [values.get(m) for m in months])
    return str(chart.render(is_unicode=True))
