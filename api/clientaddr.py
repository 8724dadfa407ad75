"""The client's address: the peer, unless the peer is a proxy named in BK_TRUSTED_PROXIES.

Only then is X-Forwarded-For read, right to left, and the first hop that is not itself a
trusted proxy is the client. With no trusted proxies (the default) the header is ignored, so
rotating it from an ordinary client changes nothing."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(setting: str) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    )


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    networks = _networks(request.app.state.settings.trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer[:64]
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer[:64]
    return peer[:64]
