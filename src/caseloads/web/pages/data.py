"""Data: the batches loaded (``services.batches``), the findings kept for one batch, and the
upload of an extract for analysts and admins through ``services.imports.import_path`` (the same
import code as ``caseloads import``: read, check, one transaction, refused whole on an error).
Kinds that take a folder (ssd, ssda903) take several files at once."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response

from caseloads.errors import CaseloadsError, ExtractError
from caseloads.ingest.registry import READERS
from caseloads.services import batches, imports
from caseloads.web import access
from caseloads.web.deps import CurrentPrincipal, Services
from caseloads.web.pages.common import authority
from caseloads.web.render import Page, TableView, attempt

router = APIRouter()

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _page(
    request: Request,
    principal: access.PrincipalLike,
    services: Any,
    la: str | None,
    batch: int | None,
    outcome: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    page = Page(request, principal)
    code = authority(principal, la)
    rows, msg = attempt(lambda: services.call(batches.batch_list, la_code=code))
    rows = access.visible_rows(principal, rows or [])
    page.add(
        TableView(
            "batches",
            "Batches loaded, newest first",
            rows,
            columns=[
                "batch_id",
                "kind",
                "scope",
                "status",
                "imported_at",
                "imported_by",
                "files",
                "rows",
                "errors",
                "warnings",
            ],
            links={"batch_id": lambda r: page.url(batch=r["batch_id"]) + "#findings"},
            message=msg,
        )
    )
    chosen: dict[str, Any] | None = None
    if batch is not None:
        found, fmsg = attempt(lambda: services.call(batches.batch_findings, batch))
        if found is not None:
            access.check_authority(principal, found["la_code"])
            chosen = found
        page.add(
            TableView(
                "findings",
                f"Findings kept for batch {batch}",
                list(found["findings"]) if found else [],
                message=fmsg,
            )
        )
    if outcome is not None and outcome.get("findings"):
        page.add(TableView("upload_findings", "Findings in the upload", outcome["findings"]))
    response = page.respond(
        "pages/data.html",
        cache_html=False,  # the upload form carries the session's CSRF token
        title="Data",
        batch=chosen,
        kinds=sorted(READERS),
        may_upload=access.may_upload(principal),
        outcome=outcome,
    )
    response.status_code = status_code
    return response


@router.get("/data")
def data_page(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    la: str | None = None,
    batch: int | None = None,
) -> Response:
    return _page(request, principal, services, la, batch)


@router.post("/data/upload")
def upload(
    request: Request,
    principal: CurrentPrincipal,
    services: Services,
    kind: Annotated[str, Form()],
    files: Annotated[list[UploadFile], File()],
    la: Annotated[str | None, Form()] = None,
) -> Response:
    """Import an uploaded extract (analysts and admins)."""
    if not access.may_upload(principal):
        raise HTTPException(status_code=403, detail="uploads are for analysts and admins")
    code = authority(principal, la or None)
    spec = READERS.get(kind)
    if spec is None:
        raise HTTPException(status_code=400, detail=f"unknown kind {kind!r}")
    chosen = [f for f in files if f.filename]
    if not chosen or (spec.takes == "file" and len(chosen) != 1):
        raise HTTPException(
            status_code=400,
            detail=f"{kind} takes exactly one file" if spec.takes == "file" else "choose the files",
        )
    limit = services.db.settings.max_file_bytes
    outcome: dict[str, Any]
    with tempfile.TemporaryDirectory(prefix="caseloads-upload-") as tmp:
        folder = Path(tmp) / "extract"
        folder.mkdir()
        for upload_file in chosen:
            name = SAFE_NAME.sub("_", Path(upload_file.filename or "upload").name) or "upload"
            target = folder / name
            with target.open("wb") as out:
                size = 0
                while chunk := upload_file.file.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise HTTPException(
                            status_code=413, detail=f"{name} is larger than {limit:,} bytes"
                        )
                    out.write(chunk)
        path = (
            folder
            if spec.takes == "folder"
            else folder / next(iter(sorted(p.name for p in folder.iterdir())))
        )
        try:
            results = imports.import_path(
                services.db, kind, path, la_code=code, imported_by=principal.username
            )
            outcome = {
                "ok": True,
                "results": [r.as_dict() for r in results],
                "findings": [f.as_dict() for r in results for f in r.findings],
            }
            access.audit(
                principal, "upload", {"kind": kind, "batches": [r.batch_id for r in results]}
            )
            status_code = 200
        except ExtractError as exc:
            outcome = {
                "ok": False,
                "message": str(exc),
                "findings": [f.as_dict() for f in exc.findings],
            }
            status_code = 422
        except CaseloadsError as exc:
            outcome = {"ok": False, "message": str(exc), "findings": []}
            status_code = 400
    return _page(request, principal, services, la, None, outcome, status_code)
