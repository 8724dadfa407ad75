"""Words for the statistics (English msgids; Swedish in the catalog)."""

from __future__ import annotations

from collections.abc import Callable

from api.labels import N_, UNIT_KIND
from api.pages.case_labels import GENDER
from optimizer import RULE_LABELS

GOAL = {
    "secure_housing": N_("Completed shelter stays ending in secure permanent housing"),
    "reactualised": N_("New cases of people with a case closed within a year (re-actualised)"),
    "mellanbo_referrals": N_("Referrals to SHIS mellanbo, change against the previous period"),
    "schooling": N_("Children in protected shelter with schooling within a week"),
}
MEASURE = {
    "placements": N_("Placements"),
    "protection_level": N_("Protection level (mean)"),
    "hostel_share": N_("Share placed in hostels"),
    "wait_hours": N_("Request to placement (median)"),
    "decision_days": N_("Decision length (mean)"),
    "renewals": N_("Renewals per placement"),
    "follow_up_share": N_("Followed up within a week"),
    "secure_share": N_("Completed stays to secure housing"),
    "broken_off_share": N_("Stays broken off"),
    "cost": N_("Cost"),
}
UNMET = {
    "requests": N_("Requests"),
    "no_unit_fitted": N_("No unit fitted"),
    "waited_too_long": N_("Waited longer than the limit"),
    "never_placed": N_("Not placed"),
}
DECLINE = {
    "full": N_("Full"),
    "needs_unmet": N_("Needs we cannot meet"),
    "risk": N_("Risk"),
    "other": N_("Other"),
}
RISK_SLICE = {"all": N_("All risk levels"), "low": N_("Low"), "medium": N_("Medium"),
              "high": N_("High")}  # fmt: skip
HOUSEHOLD_SLICE = {
    "all": N_("All households"),
    "adult_only": N_("Adult without children"),
    "with_children": N_("With children"),
}
FIGURE = {"households": N_("Households"), "nights": N_("Care nights")}
ACTIVITY = {"1213": N_("1213 Protected shelter (skyddat boende)")}
NO_CODE = N_("No activity code: %(kind)s")


# Words the exports and charts look up by their English text (placement.statistics.export).
TABLE_WORDS = (
    N_("Effect goals"), N_("Goal"), N_("Target"), N_("Value"), N_("Count"), N_("Out of"),
    N_("Previous period"), N_("This period"), N_("Effect goals by gender"), N_("Gender"),
    N_("Equal support across districts"), N_("District"), N_("Outside the city's range"),
    N_("The whole city"), N_("Kind of unit"), N_("Operator"), N_("Total"), N_("Cost"),
    N_("By"), N_("Group"), N_("Nights"), N_("Unmet need"), N_("Turned away by rule"),
    N_("Hard rule"), N_("Requests"), N_("Official reporting by activity code"),
    N_("Referrals declined by the shelter"), N_("Reason"), N_("Referrals"),
    N_("Activity"), N_("Figure"), N_("Calendar year in the period"),
)  # fmt: skip


def labeller(tr: Callable[[str], str], swedish: bool) -> Callable[[str], str]:
    """A function from a statistics key ("goal.schooling", "kind.hostel", ...) to words."""

    def label(key: str) -> str:
        group, _, name = key.partition(".")
        if not name:
            return tr(key)
        table = {
            "goal": GOAL,
            "measure": MEASURE,
            "unmet": UNMET,
            "kind": UNIT_KIND,
            "gender": GENDER,
            "figure": FIGURE,
            "decline": DECLINE,
        }.get(group)
        if table is not None:
            return tr(table.get(name, name))
        if group == "rule":
            sv, en = RULE_LABELS.get(name, (name, name))
            return sv if swedish else en
        if group == "code":
            if name.startswith("kind:"):
                kind = name.removeprefix("kind:")
                return tr(NO_CODE) % {"kind": tr(UNIT_KIND.get(kind, kind))}
            return tr(ACTIVITY.get(name, name))
        return tr(key)

    return label
