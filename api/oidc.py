"""OpenID Connect sign-in with a municipal identity provider (authlib).

Only users who already have an account sign in this way (matched on a claim, by default
``preferred_username``); nobody is created automatically. If the identity provider reports a
multi-factor login (``amr``), that counts as the second factor; otherwise the user still
gives a TOTP code.
"""

from __future__ import annotations

from typing import Any

import httpx
from authlib.integrations.starlette_client import OAuth

from placement.config import Settings

MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "pin"})


def build_oauth(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> Any:
    if not (settings.oidc_issuer and settings.oidc_client_id):
        return None
    oauth = OAuth()
    client_kwargs: dict[str, Any] = {"scope": "openid profile"}
    if transport is not None:
        client_kwargs["transport"] = transport
    oauth.register(
        "municipal",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )
    return oauth.municipal


def second_factor_from_idp(userinfo: dict[str, Any]) -> bool:
    amr = userinfo.get("amr") or []
    return bool(MFA_METHODS.intersection(amr if isinstance(amr, list) else [amr]))
