"""REST for the CRM, mounted by the console: ``app.include_router(build_router(...))``.

The CRM does not import the console. The console hands in how to get the signed-in user
(anything with ``id``, ``username``, ``role``, ``team_ids``: :class:`UserLike`), a database
session and, optionally, how to notify a user over the websocket::

    router = build_router(current_user=get_current_user, get_session=get_session,
                          notify=hub.send_to_user)   # notify(username, payload)

Domain errors become JSON answers with a stable ``code`` and messages in English and
Chinese: 404 not found, 409 refused transition or clash, 403 role, 422 bad input.
"""


from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from crm import customers as svc
from crm.audit import history
from crm.csvio import CsvFileError
from crm.http_deps import Deps, Id, Notify, fresh
from crm.http_io import add_io_routes
from crm.http_tickets import add_ticket_routes
from crm.lookup import screen_pop_card
from crm.policy import Denied, Perm, UserLike, require, require_customer
from crm.schemas import (
    AuditOut,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    InteractionIn,
    InteractionOut,
    Page,
)
from crm.search import CustomerQuery, SearchError, search_customers
from crm.workflow import IllegalTransition
from hotline.clock import Clock, SystemClock

__all__ = ["UserLike", "build_router", "Deps"]

def _error(status: int, code: str, message: str, message_zh: str | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": {
        "code": code, "message": message, "message_zh": message_zh or message}})


class CrmRoute(APIRoute):
    """Turns the CRM's domain errors into JSON answers, in one place."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except svc.NotFound as exc:
                return _error(404, "not_found", str(exc), "记录不存在")
            except svc.Conflict as exc:
                return _error(409, "conflict", str(exc), "与已有数据冲突：" + str(exc))
            except IllegalTransition as exc:
                return _error(409, exc.code, exc.message, exc.message_zh)
            except Denied as exc:
                return _error(403, "forbidden", exc.message, exc.message_zh)
            except (SearchError, CsvFileError) as exc:
                return _error(422, "bad_input", str(exc))

        return run


def build_router(current_user: Callable[..., Awaitable[UserLike]],
                 get_session: Callable[..., AsyncIterator[AsyncSession]],
                 notify: Notify | None = None, *, clock: Clock | None = None) -> APIRouter:
    """All CRM routes under ``/crm`` (REST) and ``/crm/ui`` (pages)."""
    deps = Deps(current_user, get_session, notify, clock or SystemClock())
    router = APIRouter(prefix="/crm", tags=["crm"], route_class=CrmRoute)
    _add_customer_routes(router, deps)
    add_ticket_routes(router, deps)
    add_io_routes(router, deps)
    return router


def _add_customer_routes(router: APIRouter, deps: Deps) -> None:
    User = Annotated[Any, Depends(deps.current_user)]
    Session = Annotated[AsyncSession, Depends(deps.get_session)]

    @router.get("/customers", response_model=Page[CustomerOut])
    async def list_customers(
        user: User, session: Session,
        phone: Annotated[str | None, Query(max_length=64)] = None,
        name: Annotated[str | None, Query(max_length=100)] = None,
        segment: Annotated[str | None, Query(max_length=32)] = None,
        tag: Annotated[str | None, Query(max_length=32)] = None,
        blacklisted: bool | None = None,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Page[CustomerOut]:
        """Search customers by phone (any format), partial name (中文 too), segment, tag."""
        require(user, Perm.READ)
        q = CustomerQuery(phone=phone, name=name, segment=segment, tag=tag,
                          blacklisted=blacklisted, page=page, page_size=page_size)
        items, total = await search_customers(session, q)
        return Page[CustomerOut](items=[CustomerOut.model_validate(c) for c in items],
                                 total=total, page=page, page_size=page_size)

    @router.post("/customers", response_model=CustomerOut, status_code=201)
    async def create_customer(body: CustomerIn, user: User, session: Session) -> CustomerOut:
        require_customer(user, Perm.CREATE, owner_agent_id=None, owner_team_id=None,
                         fields={f for f in body.model_fields_set
                                 if getattr(body, f) != CustomerIn.model_fields[f].default})
        c = await svc.create_customer(session, body, actor=user.username, now=deps.clock.now())
        await session.commit()
        return CustomerOut.model_validate(await fresh(session, c))

    @router.get("/customers/{customer_id}", response_model=CustomerOut)
    async def get_customer(customer_id: Id, user: User, session: Session) -> CustomerOut:
        require(user, Perm.READ)
        return CustomerOut.model_validate(await svc.get_customer(session, customer_id))

    @router.patch("/customers/{customer_id}", response_model=CustomerOut)
    async def edit_customer(customer_id: Id, body: CustomerPatch, user: User,
                            session: Session) -> CustomerOut:
        c = await svc.get_customer(session, customer_id)
        require_customer(user, Perm.EDIT, owner_agent_id=c.owner_agent_id,
                         owner_team_id=c.owner_team_id, fields=body.model_fields_set)
        c = await svc.update_customer(session, customer_id, body, actor=user.username,
                                      now=deps.clock.now())
        await session.commit()
        return CustomerOut.model_validate(await fresh(session, c))

    @router.get("/customers/{customer_id}/interactions", response_model=list[InteractionOut])
    async def customer_interactions(customer_id: Id, user: User, session: Session,
                                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                                    ) -> list[InteractionOut]:
        require(user, Perm.READ)
        await svc.get_customer(session, customer_id)
        rows = await svc.interactions_of(session, customer_id, limit)
        return [InteractionOut.model_validate(i) for i in rows]

    @router.get("/customers/{customer_id}/audit", response_model=list[AuditOut])
    async def customer_audit(customer_id: Id, user: User, session: Session) -> list[AuditOut]:
        require(user, Perm.READ)
        return [AuditOut.model_validate(a) for a in await history(session, "customer", customer_id)]

    @router.get("/lookup")
    async def lookup(number: Annotated[str, Query(min_length=1, max_length=64)], user: User,
                     session: Session) -> dict[str, Any]:
        """The screen-pop card for a caller id in any format (see ``crm.lookup``)."""
        require(user, Perm.READ)
        return await screen_pop_card(session, number)

    @router.post("/interactions", response_model=InteractionOut, status_code=201)
    async def log_interaction(body: InteractionIn, user: User, session: Session) -> InteractionOut:
        require(user, Perm.CREATE)
        it = await svc.log_interaction(session, body)
        await session.commit()
        return InteractionOut.model_validate(await fresh(session, it))
