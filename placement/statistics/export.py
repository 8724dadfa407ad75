"""The report as tables (for the page's accessible tables, CSV and XLSX). Only published
figures go in: hidden cells are written as their text ("< 5"), never as a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

Label = Callable[[str], str]
Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[str | int | float]]


def _cell(fig: Json) -> str | int | float:
    value = fig.get("value")
    out: str | int | float = str(fig["display"]) if value is None else value
    return out


def goal_table(report: Json, label: Label) -> Table:
    rows: list[list[str | int | float]] = []
    for g in report["goals"]:
        if g["kind"] == "increase_at_least":
            rows.append(
                [
                    label(f"goal.{g['key']}"),
                    f"+{g['target_pct']:.0f} %",
                    _cell(g["change"]),
                    _cell(g["current"]["count"]),
                    "",
                    _cell(g["previous"]["count"]),
                ]
            )
        else:
            rows.append(
                [
                    label(f"goal.{g['key']}"),
                    f"{'≤' if g['kind'] == 'share_at_most' else '≥'} {g['target_pct']:.0f} %",
                    _cell(g["current"]["share"]),
                    _cell(g["current"]["part"]),
                    _cell(g["current"]["whole"]),
                    _cell(g["previous"]["share"]),
                ]
            )
    return Table(
        "goals",
        label("Effect goals"),
        [
            label("Goal"),
            label("Target"),
            label("Value"),
            label("Count"),
            label("Out of"),
            label("Previous period"),
        ],
        rows,
    )


def gender_table(report: Json, label: Label) -> Table:
    rows: list[list[str | int | float]] = []
    for g in report["goals"]:
        for gender, item in g["by_gender"].items():
            if g["kind"] == "increase_at_least":
                rows.append([label(f"goal.{g['key']}"), label(f"gender.{gender}"), "",
                             _cell(item["count"]), ""])  # fmt: skip
            else:
                rows.append(
                    [
                        label(f"goal.{g['key']}"),
                        label(f"gender.{gender}"),
                        _cell(item["share"]),
                        _cell(item["part"]),
                        _cell(item["whole"]),
                    ]
                )
    return Table(
        "gender",
        label("Effect goals by gender"),
        [label("Goal"), label("Gender"), label("Value"), label("Count"), label("Out of")],
        rows,
    )


MEASURE_ORDER = (
    "placements",
    "protection_level",
    "hostel_share",
    "wait_hours",
    "decision_days",
    "renewals",
    "follow_up_share",
    "secure_share",
    "broken_off_share",
    "cost",
)


def district_table(report: Json, label: Label) -> Table:
    d = report["districts"]
    rows: list[list[str | int | float]] = []
    for r in d["rows"]:
        flags = ", ".join(label(f"measure.{m}") for m in r["flags"])
        rows.append([r["name"], *[_cell(r["measures"][m]) for m in MEASURE_ORDER], flags])
    rows.append([label("The whole city"), *[_cell(d["city"][m]) for m in MEASURE_ORDER], ""])
    return Table(
        "districts",
        label("Equal support across districts"),
        [
            label("District"),
            *[label(f"measure.{m}") for m in MEASURE_ORDER],
            label("Outside the city's range"),
        ],
        rows,
    )


def cost_table(report: Json, label: Label) -> Table:
    c = report["cost"]
    rows: list[list[str | int | float]] = []
    for r in c["by_kind"]:
        rows.append([label("Kind of unit"), label(f"kind.{r['key']}"), _cell(r["nights"]),
                     _cell(r["cost"])])  # fmt: skip
    for r in c["by_operator"]:
        rows.append([label("Operator"), r["key"], _cell(r["nights"]), _cell(r["cost"])])
    rows.append([label("Total"), "", "", _cell(c["total"])])
    return Table(
        "cost",
        label("Cost"),
        [label("By"), label("Group"), label("Nights"), label("Cost")],
        rows,
    )


def unmet_table(report: Json, label: Label) -> Table:
    u = report["unmet"]
    keys = ("requests", "no_unit_fitted", "waited_too_long", "never_placed")
    rows: list[list[str | int | float]] = [
        [r["name"], *[_cell(r[k]) for k in keys]] for r in u["rows"]
    ]
    rows.append([label("The whole city"), *[_cell(u["city"][k]) for k in keys]])
    return Table(
        "unmet",
        label("Unmet need"),
        [label("District"), *[label(f"unmet.{k}") for k in keys]],
        rows,
    )


def rule_table(report: Json, label: Label) -> Table:
    u = report["unmet"]
    rows: list[list[str | int | float]] = [
        [label(f"rule.{k}"), _cell(f)] for k, f in u["by_rule"].items()
    ]
    return Table(
        "rules",
        label("Turned away by rule"),
        [label("Hard rule"), label("Requests")],
        rows,
    )


def decline_table(report: Json, label: Label) -> Table:
    rows: list[list[str | int | float]] = [
        [label(f"decline.{k}"), _cell(f)] for k, f in report["unmet"]["declines_by_reason"].items()
    ]
    return Table(
        "declines",
        label("Referrals declined by the shelter"),
        [label("Reason"), label("Referrals")],
        rows,
    )


def reporting_table(report: Json, label: Label) -> Table:
    """One row per activity, year and figure (households, care nights); a column per month
    and one for the whole year."""
    rows_in = report["reporting"]["rows"]
    months = sorted({r["month"] for r in rows_in if r["month"]})
    grouped: dict[tuple[str, int], dict[str, Json]] = {}
    for r in rows_in:
        grouped.setdefault((r["code"], r["year"]), {})[r["month"] or "year"] = r
    rows: list[list[str | int | float]] = []
    for (code, year), by_month in sorted(grouped.items()):
        for figure in ("households", "nights"):
            rows.append(
                [
                    f"{label(f'code.{code}')} {year}",
                    label(f"figure.{figure}"),
                    *[_cell(by_month[m][figure]) if m in by_month else "" for m in months],
                    _cell(by_month["year"][figure]) if "year" in by_month else "",
                ]
            )
    return Table(
        "reporting",
        label("Official reporting by activity code"),
        [label("Activity"), label("Figure"), *months, label("Calendar year in the period")],
        rows,
    )


def tables(report: Json, label: Label) -> list[Table]:
    return [
        goal_table(report, label),
        gender_table(report, label),
        district_table(report, label),
        cost_table(report, label),
        unmet_table(report, label),
        rule_table(report, label),
        decline_table(report, label),
        reporting_table(report, label),
    ]


def to_csv(parts: list[Table]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for t in parts:
        writer.writerow([t.title])
        writer.writerow(t.header)
        writer.writerows(t.rows)
        writer.writerow([])
    return out.getvalue()


def to_xlsx(parts: list[Table]) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for t in parts:
        sheet = book.create_sheet()
        sheet.title = t.title[:31]
        sheet.append(t.header)
        for row in t.rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
