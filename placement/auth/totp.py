"""TOTP second factor (RFC 6238 via pyotp): enrolment, verification, no code reuse."""

from __future__ import annotations

from datetime import datetime

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from placement.clock import Clock
from placement.crypto import Keyring
from placement.errors import Conflict, InvalidInput
from placement.models import UserAccount, UserSession

STEP_SECONDS = 30
ASSOCIATED = "totp"


def _step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, at: datetime, window: int = 1) -> int | None:
    """The time step whose code equals ``code`` within +-window steps, or None."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = _step(at)
    for step in range(now_step - window, now_step + window + 1):
        if totp.at(step * STEP_SECONDS) == code:
            return step
    return None


async def begin_enrolment(
    session: AsyncSession, keyring: Keyring, user: UserAccount, issuer: str
) -> tuple[str, str]:
    """A new secret (not active until confirmed). Returns (secret, otpauth URI)."""
    if user.totp_enabled:
        raise Conflict("Two-step sign-in is already set up for this account.")
    secret = pyotp.random_base32()
    user.totp_secret_ciphertext = keyring.encrypt(secret, associated=ASSOCIATED)
    await session.flush()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)
    return secret, uri


async def verify(
    session: AsyncSession,
    clock: Clock,
    keyring: Keyring,
    user: UserAccount,
    user_session: UserSession,
    code: str,
    *,
    enrolling: bool = False,
) -> None:
    """Check a code; on success mark the sign-in session as two-step verified."""
    if user.totp_secret_ciphertext is None or (not user.totp_enabled and not enrolling):
        raise Conflict("Set up two-step sign-in first.")
    secret = keyring.decrypt(user.totp_secret_ciphertext, associated=ASSOCIATED)
    step = matching_step(secret, code, clock.now())
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        raise InvalidInput(
            "The code is wrong or has already been used. Try the next code.", field="code"
        )
    user.totp_last_step = step
    if enrolling:
        user.totp_enabled = True
    user_session.second_factor_done = True
    await session.flush()
