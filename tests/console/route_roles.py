"""Who may call each route, read off the route itself: the roles of its ``RequireRole``
dependencies (``agent_console.deps.RoleCheck``), every role where it needs only a signed-in
user (``CurrentUser``; the handler narrows it, e.g. the CRM's policy table). Shared by the
role matrix (test_roles) and the schema fuzz (test_schema_fuzz)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import routing

from agent_console.deps import RoleCheck, current_user
from agent_console.models import ROLES

PUBLIC = {("POST", "/api/auth/login")}  # needs no user (test_auth)


def console_app() -> Any:
    """A console app as ``create_app`` builds it, for reading its routes (building one does no I/O)."""
    from agent_console.app import create_app
    from hotline.clock import ManualClock
    from hotline.db import make_engine
    from hotline.events import EventBus
    from hotline.settings import Settings

    return create_app(Settings(), make_engine("sqlite+aiosqlite://"), EventBus(), None,  # type: ignore[arg-type]
                      None, ManualClock())  # type: ignore[arg-type]


def dependency_calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from dependency_calls(sub)


def allowed_roles(app: Any) -> dict[tuple[str, str], tuple[str, ...]]:
    """(METHOD, path template) -> the roles the route lets in (in ``ROLES`` order), for every
    route with a role check or a signed-in user, and the public ones (no roles)."""
    allowed: dict[tuple[str, str], tuple[str, ...]] = {}
    for rc in routing.iter_route_contexts(app.routes):
        dependant = getattr(rc, "dependant", None)
        if dependant is None:
            continue
        calls = list(dependency_calls(dependant))
        checks = [c for c in calls if isinstance(c, RoleCheck)]
        roles: tuple[str, ...] | None = None
        if checks:
            roles = tuple(r for r in ROLES if all(r in c.roles for c in checks))
        elif current_user in calls:
            roles = ROLES
        for method in rc.methods or ():
            if roles is not None or (method, rc.path_format) in PUBLIC:
                allowed[(method, rc.path_format)] = roles or ()
    return allowed


def http_routes(app: Any, prefix: str = "/api/") -> set[tuple[str, str]]:
    """(METHOD, path template) of every HTTP route under ``prefix``, in the schema or not."""
    return {(m, rc.path_format) for rc in routing.iter_route_contexts(app.routes)
            if rc.methods and rc.path_format and rc.path_format.startswith(prefix)
            for m in rc.methods if m != "HEAD"}


def route_of(app: Any, method: str, url: str) -> tuple[str, str] | None:
    """The (METHOD, path template) a request for ``url`` reaches: the first route whose path
    and method match, as the router picks it."""
    path = url.split("?", 1)[0]
    for rc in routing.iter_route_contexts(app.routes):
        regex = getattr(rc, "path_regex", None)
        if rc.methods and method in rc.methods and regex is not None and regex.match(path):
            return method, rc.path_format
    return None
