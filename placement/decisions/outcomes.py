"""What an ended stay led to: whether the next home is *secure permanent housing*.

The one place that says so (every ending calls it: the case page, the API, the priority
unit's hand-back and the demo seeding). A housing contract of at least six months is secure
(Bryt upp 2024, footnote 4): a second-hand lease, SHIS Bostäder (mellanbo included), a trial
flat, a lodger contract or a flat via priority. When the contract's length was not recorded,
the kind's usual contract decides (``SECURE_PERMANENT_OUTCOMES``: mellanbo is time-limited).
"""

from __future__ import annotations

from placement.errors import N_, InvalidInput
from placement.models.enums import (
    HOUSING_CONTRACT_OUTCOMES,
    SECURE_CONTRACT_MONTHS,
    SECURE_PERMANENT_OUTCOMES,
    Outcome,
)

NO_CONTRACT = N_("A contract length belongs only to a move to housing with a contract.")


def check_contract(outcome: Outcome, contract_months: int | None) -> None:
    if contract_months is not None and outcome not in HOUSING_CONTRACT_OUTCOMES:
        raise InvalidInput(NO_CONTRACT, field="contract_months")


def is_secure_permanent(outcome: Outcome, contract_months: int | None) -> bool:
    if outcome not in HOUSING_CONTRACT_OUTCOMES:
        return False
    if contract_months is None:
        return outcome in SECURE_PERMANENT_OUTCOMES
    return contract_months >= SECURE_CONTRACT_MONTHS
