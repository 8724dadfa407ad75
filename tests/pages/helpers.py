"""Helpers for page tests through HTTP: CSRF tokens from rendered forms."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    r = await client.get(path)
    match = CSRF.search(r.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, form_page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    token = await csrf_of(client, form_page)
    return await client.post(action, data={**data, "csrf_token": token})
