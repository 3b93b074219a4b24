"""Import / export, departments and categories, and the static pages under /crm/ui."""


from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.csvio import MAX_FILE_BYTES, CsvFileError, import_customers
from crm.customers import Conflict, NotFound
from crm.export import export_csv
from crm.http_deps import Deps, fresh
from crm.models import Category, Department
from crm.policy import Perm, require
from crm.schemas import CategoryIn, CategoryOut, DepartmentIn, DepartmentOut

STATIC = FsPath(__file__).parent / "static"
PAGES = {"customer": "customer.html", "tickets": "tickets.html", "ticket": "ticket.html",
         "crm.js": "crm.js", "crm.css": "crm.css"}
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8"}


def add_io_routes(router: APIRouter, deps: Deps) -> None:
    User = Annotated[Any, Depends(deps.current_user)]
    Session = Annotated[AsyncSession, Depends(deps.get_session)]

    @router.post("/import/customers")
    async def import_file(user: User, session: Session, file: Annotated[UploadFile, File()],
                          dry_run: bool = False) -> dict[str, Any]:
        """CSV (UTF-8 or GBK) of customers; answers the per-row error report."""
        require(user, Perm.IMPORT)
        data = await file.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise CsvFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; split it")
        report = await import_customers(session, data, actor=user.username, now=deps.clock.now(),
                                        dry_run=dry_run)
        return report.as_dict()

    @router.get("/export/{kind}.csv")
    async def export(kind: Literal["customers", "tickets", "interactions"], user: User,
                     session: Session) -> StreamingResponse:
        require(user, Perm.EXPORT)
        return StreamingResponse(
            (chunk.encode("utf-8") async for chunk in export_csv(session, kind)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'})

    @router.get("/departments", response_model=list[DepartmentOut])
    async def departments(user: User, session: Session) -> list[DepartmentOut]:
        require(user, Perm.READ)
        rows = await session.execute(select(Department).order_by(Department.name))
        return [DepartmentOut.model_validate(d) for d in rows.scalars()]

    @router.post("/departments", response_model=DepartmentOut, status_code=201)
    async def add_department(body: DepartmentIn, user: User, session: Session) -> DepartmentOut:
        require(user, Perm.CONFIGURE)
        if await session.scalar(select(Department.id).where(Department.name == body.name)) is not None:
            raise Conflict(f"a department named {body.name!r} exists already; choose another name")
        d = Department(**body.model_dump())
        session.add(d)
        await session.commit()
        return DepartmentOut.model_validate(await fresh(session, d))

    @router.get("/categories", response_model=list[CategoryOut])
    async def categories(user: User, session: Session) -> list[CategoryOut]:
        require(user, Perm.READ)
        rows = await session.execute(select(Category).order_by(Category.id))
        return [CategoryOut.model_validate(c) for c in rows.scalars()]

    @router.post("/categories", response_model=CategoryOut, status_code=201)
    async def add_category(body: CategoryIn, user: User, session: Session) -> CategoryOut:
        require(user, Perm.CONFIGURE)
        if body.parent_id is not None and await session.get(Category, body.parent_id) is None:
            raise NotFound(f"no category with id {body.parent_id}")
        c = Category(**body.model_dump())
        session.add(c)
        await session.commit()
        return CategoryOut.model_validate(await fresh(session, c))

    @router.get("/ui/", include_in_schema=False)
    async def ui_root() -> RedirectResponse:
        return RedirectResponse("tickets")

    @router.get("/ui/{page}", include_in_schema=False)
    async def ui(page: str) -> FileResponse:
        name = PAGES.get(page)
        if name is None:
            raise NotFound(f"no page {page[:20]!r}; pages are {', '.join(PAGES)}")
        path = STATIC / name
        return FileResponse(path, media_type=_TYPES[path.suffix])
