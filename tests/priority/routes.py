"""Which priority routes exist and which permissions each needs (read from the app itself)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

from fastapi.routing import APIRoute

import api.routes
from placement.auth.permissions import Permission, has_permission
from placement.models.enums import Role

PREFIX = "/api/priority"


def priority_routes(app: Any) -> list[APIRoute]:
    """The routes of every api/routes/priority*.py router, checked to be served by ``app``."""
    routes: list[APIRoute] = []
    for info in pkgutil.iter_modules(api.routes.__path__):
        if info.name.startswith("priority"):
            module = importlib.import_module(f"api.routes.{info.name}")
            router = getattr(module, "router", None)
            if router is not None:
                routes += [r for r in router.routes if isinstance(r, APIRoute)]
    served = app.openapi()["paths"]
    for r in routes:
        assert r.path.startswith(PREFIX), r.path
        assert {m.lower() for m in r.methods} <= set(served.get(r.path, {})), r.path
    assert len(routes) > 20
    return routes


def permissions_of(route: APIRoute) -> set[Permission]:
    found: set[Permission] = set()
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        found |= set(getattr(dep.call, "required_permissions", ()))
        stack.extend(dep.dependencies)
    return found


def callable_by(app: Any, role: Role) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for route in priority_routes(app):
        perms = permissions_of(route)
        assert perms, f"{route.path} has no permission check"
        if all(has_permission(role, p) for p in perms):
            out |= {(m, route.path) for m in route.methods}
    return out


def template_of(app: Any, method: str, path: str) -> str | None:
    for route in priority_routes(app):
        if method in route.methods and re.fullmatch(route.path_regex, path):
            return route.path
    return None
