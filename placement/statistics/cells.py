"""Small cells: what may be shown of a count, a share, a mean or a difference.

Every figure leaves the statistics as a ``Figure``: its value when it may be shown, else
None and the text "< N" (N the ``statistics_min_cell`` setting, default 5). A count below N
is never shown, nor a share whose numerator, denominator or remainder is below N (the
remainder would reveal the small group), nor a mean over fewer than N, nor a difference
between two counts when either is hidden. Zero is a count below N too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Figure:
    value: float | int | None  # None: hidden (small cell) or nothing to show
    display: str
    hidden: bool = False

    def as_json(self) -> dict[str, object]:
        return {"value": self.value, "display": self.display, "hidden": self.hidden}


def hidden(min_cell: int) -> Figure:
    return Figure(None, f"< {min_cell}", True)


NONE = Figure(None, "–")


@dataclass(frozen=True, slots=True)
class Cells:
    min_cell: int = 5

    def small(self, n: int) -> bool:
        return n < self.min_cell

    def count(self, n: int) -> Figure:
        return hidden(self.min_cell) if self.small(n) else Figure(n, f"{n}")

    def share(self, part: int, whole: int) -> Figure:
        """A percentage, one decimal."""
        if self.small(part) or self.small(whole) or self.small(whole - part):
            return hidden(self.min_cell)
        pct = round(100 * part / whole, 1)
        return Figure(pct, f"{pct:.1f} %")

    def mean(self, total: float, n: int, *, unit: str = "", digits: int = 1) -> Figure:
        if self.small(n):
            return hidden(self.min_cell)
        value = round(total / n, digits)
        return Figure(value, f"{value:.{digits}f}{(' ' + unit) if unit else ''}")

    def median(self, values: list[float], *, unit: str = "", digits: int = 1) -> Figure:
        if self.small(len(values)):
            return hidden(self.min_cell)
        ordered = sorted(values)
        mid = len(ordered) // 2
        med = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
        value = round(med, digits)
        return Figure(value, f"{value:.{digits}f}{(' ' + unit) if unit else ''}")

    def amount(self, sek: int, households: int) -> Figure:
        """A sum of money: hidden when it covers fewer than N households."""
        if self.small(households):
            return hidden(self.min_cell)
        return Figure(sek, f"{sek:,}".replace(",", " ") + " kr")

    def change(self, current: int, previous: int) -> Figure:
        """The relative change of a count against the previous period, in per cent."""
        if self.small(current) or self.small(previous):
            return hidden(self.min_cell)
        pct = round(100 * (current - previous) / previous, 1)
        return Figure(pct, f"{pct:+.1f} %")
