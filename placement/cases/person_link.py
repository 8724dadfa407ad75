"""A pseudonymous link between cases of one person, so that statistics can count a person
who comes back (re-actualised) without knowing who.

With a personal identity number the link is a keyed hash (HMAC-SHA-256) of the normalised
number under a key derived (HKDF) from the app's active encryption key: the same person gives
the same link, nobody without the key can test a number against it. Without one, the officer
names the earlier case at intake and the new case takes its link. The link never leaves the
database: no API, page or export shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from placement.crypto import Keyring

_INFO = b"boendekedjan person link v1"


def _link_key(keyring: Keyring) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    return hkdf.derive(keyring.keys[keyring.active_id])


def link_for_number(keyring: Keyring, normalised_number: str) -> str:
    digest = hmac.new(_link_key(keyring), normalised_number.encode(), hashlib.sha256)
    return f"h:{digest.hexdigest()}"


def link_for_case(case_id: uuid.UUID) -> str:
    """The link a case without one lends to a later case that names it as the earlier one."""
    return f"c:{case_id}"


PERSONAL_NUMBER_AD = "person_personal_number"  # as placement.cases.service seals it
