"""API v1: each route authenticates, makes one library call, and returns a schema'd body."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import StreamingResponse

from hague.core import Hague
from hague.errors import ValidationError
from hague.evidence.register import ItemInput
from hague.search import query as search
from hague.search import saved as saved_searches
from hague.web import areas, schemas, service
from hague.web.deps import Caller, get_hague, scoped

CHUNK = 256 * 1024
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": schemas.ErrorOut} for code in (400, 401, 403, 404, 409, 413, 415, 422, 429)
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)
Read = Annotated[Caller, Depends(scoped("read"))]
Write = Annotated[Caller, Depends(scoped("write"))]
ShareScope = Annotated[Caller, Depends(scoped("share"))]
Instance = Annotated[Hague, Depends(get_hague)]


@router.get("/me", response_model=schemas.MeOut, tags=["identity"])
def me(who: Read) -> dict[str, Any]:
    """The authenticated caller."""
    user = who.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "organisation": user.organisation.code,
        "clearance": user.clearance,
        "is_admin": user.is_admin,
        "scopes": sorted(who.scopes),
    }


@router.get("/cases", response_model=list[schemas.CaseOut], tags=["cases"])
def list_cases(who: Read, hague: Instance) -> list[dict[str, Any]]:
    """Cases the caller may see."""
    return service.visible_cases(hague, who.user)


@router.post("/cases", response_model=schemas.CaseOut, status_code=201, tags=["cases"])
def create_case(body: schemas.CaseIn, who: Write, hague: Instance) -> dict[str, Any]:
    """Open a case in the caller's organisation (administrators)."""
    return service.open_case(hague, who.user, body.situation, body.title)


@router.get("/cases/{code}", response_model=schemas.CaseOut, tags=["cases"])
def show_case(code: str, who: Read, hague: Instance) -> dict[str, Any]:
    """One case."""
    from hague.access.policy import visible_case

    with hague.reader() as session:
        return service.case_out(session, who.user, visible_case(session, who.user, code))


@router.get("/cases/{code}/incidents", response_model=list[schemas.IncidentOut], tags=["incidents"])
def list_incidents(code: str, who: Read, hague: Instance) -> list[dict[str, Any]]:
    """Incidents of a case (owner or case-wide share)."""
    return service.incidents(hague, who.user, code)


@router.post("/cases/{code}/incidents", response_model=schemas.IncidentOut, status_code=201, tags=["incidents"])
def create_incident(code: str, body: schemas.IncidentIn, who: Write, hague: Instance) -> dict[str, Any]:
    """Record an incident."""
    return service.add_incident(hague, who.user, code, body.model_dump())


def _page(
    hague: Hague,
    who: Caller,
    flt: search.ItemFilter,
    limit: int,
    after: int | None,
    offset: int,
    with_facets: bool,
    case_code: str | None = None,
) -> dict[str, Any]:
    """A page of items as the API returns it, read in one session (the case, when named, checked visible first)."""
    from hague.access.policy import visible_case

    with hague.reader() as session:
        if case_code is not None:
            flt.case_id = visible_case(session, who.user, case_code).id
        page = search.list_items(session, who.user, flt, limit=limit, after=after, offset=offset)
        out: dict[str, Any] = {"items": [i.out() for i in page.items], "next_after": page.next_after}
        if with_facets:
            out["facets"] = search.facets(session, who.user, flt)
        return out


@router.get("/cases/{code}/items", response_model=schemas.ItemPage, tags=["items"])
def list_case_items(
    code: str,
    who: Read,
    hague: Instance,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: schemas.Kind | None = None,
    classification: schemas.Classification | None = None,
    incident: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    organisation: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    facets: bool = False,
) -> dict[str, Any]:
    """Items of a case the caller may see: filters, full-text `q`, keyset pagination with `after`."""
    flt = search.ItemFilter(None, q, kind, classification, incident, organisation)
    return _page(hague, who, flt, limit, after, offset, facets, case_code=code)


@router.get("/search", response_model=schemas.ItemPage, tags=["items"])
def search_items(
    request: Request,
    who: Read,
    hague: Instance,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    case: Annotated[str | None, Query(max_length=40)] = None,
    kind: schemas.Kind | None = None,
    classification: schemas.Classification | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    facets: bool = False,
) -> dict[str, Any]:
    """Full-text search (newest first) over titles, descriptions and indexed text, across what the caller may see."""
    check_query_encoding(request)
    flt = search.ItemFilter(None, q, kind, classification)
    return _page(hague, who, flt, limit, None, offset, facets, case_code=case or None)


def check_query_encoding(request: Request) -> None:
    """Refuse a query string that is not valid UTF-8 once percent-decoded (it would be silently mangled)."""
    from urllib.parse import unquote_to_bytes

    raw = request.scope.get("query_string", b"")
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError("the query is not valid UTF-8", field="q") from None


@router.get("/cases/{code}/saved-searches", response_model=list[schemas.SavedSearchOut], tags=["search"])
def list_saved_searches(code: str, who: Read, hague: Instance) -> list[dict[str, Any]]:
    """Saved searches of a case: the caller's own and those shared in the caller's organisation."""
    with hague.reader() as session:
        return [asdict(v) for v in saved_searches.list_saved(session, who.user.username, code)]


@router.post("/cases/{code}/saved-searches", response_model=schemas.SavedSearchOut, status_code=201, tags=["search"])
def save_search(code: str, body: schemas.SavedSearchIn, who: Write, hague: Instance) -> dict[str, Any]:
    """Keep a search of a case under a name unique in the case."""
    fields = body.model_dump()
    name, shared = fields.pop("name"), fields.pop("shared")
    with hague.unit() as unit:
        view = saved_searches.save_search(
            unit, who.user.username, code, name, search.ItemFilter(**fields), shared=shared
        )
    return asdict(view)


@router.get("/cases/{code}/saved-searches/{name}/items", response_model=schemas.ItemPage, tags=["search"])
def run_saved_search(
    code: str,
    name: Annotated[str, Path(max_length=80)],
    who: Read,
    hague: Instance,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """What a saved search finds now, among the items the caller may see."""
    with hague.reader() as session:
        view = saved_searches.get_saved(session, who.user.username, code, name)
    return _page(hague, who, view.to_filter(), limit, after, offset, False, case_code=code)


@router.delete("/cases/{code}/saved-searches/{name}", status_code=204, tags=["search"])
def delete_saved_search(code: str, name: Annotated[str, Path(max_length=80)], who: Write, hague: Instance) -> None:
    """Forget a saved search (its owner, or the case lead)."""
    with hague.unit() as unit:
        saved_searches.delete_saved(unit, who.user.username, code, name)


@router.post("/cases/{code}/items", response_model=schemas.ItemOut, status_code=201, tags=["items"])
def create_item(code: str, body: schemas.ItemIn, who: Write, hague: Instance) -> dict[str, Any]:
    """Register an item without a file."""
    fields = body.model_dump()
    fields["incident_ids"] = tuple(fields["incident_ids"])
    return service.add_item(hague, who.user, code, ItemInput(**fields))


@router.post("/cases/{code}/files", response_model=schemas.ItemOut, status_code=201, tags=["files"])
def upload_file(
    request: Request,
    code: str,
    who: Write,
    hague: Instance,
    file: Annotated[UploadFile, File(description="The file; its type is read from its content.")],
    title: Annotated[str, Form(max_length=500)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
    kind: Annotated[schemas.Kind, Form()] = "digital",
    classification: Annotated[schemas.Classification, Form()] = "restricted",
) -> dict[str, Any]:
    """Upload a file (streamed to the write-once store) and register it as a new item."""
    meta = service.UploadMeta(title, description, kind, classification)
    out = service.upload(hague, who.user, code, file.file, file.filename, file.content_type, meta)
    if request.app.state.extract_media:
        areas.extract_after_upload(hague, out["files"][0]["id"])
    return out


@router.get("/items/{ern}", response_model=schemas.ItemOut, tags=["items"])
def show_item(ern: Annotated[str, Path(max_length=64)], who: Read, hague: Instance) -> dict[str, Any]:
    """One item with its files; reads of confidential items are audited."""
    return service.read_item(hague, who.user, ern, who.client, who.via)


def stream_chunks(reader: BinaryIO) -> Iterator[bytes]:
    """Read a stored object in chunks, closing it at the end."""
    with reader:
        while chunk := reader.read(CHUNK):
            yield chunk


def content_disposition(name: str, inline: bool) -> str:
    """RFC 6266 header with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    from urllib.parse import quote

    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name) or "file"
    return f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@router.get(
    "/files/{file_id}/content",
    tags=["files"],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The stored bytes."}},
)
def download_file(
    file_id: Annotated[int, Path(ge=1, le=2**31 - 1)], who: Read, hague: Instance, inline: bool = False
) -> StreamingResponse:
    """Stream a stored file; reads of confidential files are audited. Images may be shown inline."""
    file, reader = service.open_file(hague, who.user, file_id, who.client, who.via)
    show_inline = inline and file.mime_type in INLINE_TYPES
    return StreamingResponse(
        stream_chunks(reader),
        media_type=file.mime_type if show_inline else "application/octet-stream",
        headers={
            "content-length": str(file.size),
            "content-disposition": content_disposition(file.original_name, show_inline),
            "content-security-policy": "default-src 'none'; sandbox",
            "x-content-sha256": file.sha256,
        },
    )


@router.get("/cases/{code}/shares", response_model=list[schemas.ShareOut], tags=["sharing"])
def list_shares(code: str, who: ShareScope, hague: Instance) -> list[dict[str, Any]]:
    """Shares of a case (case leads)."""
    return service.shares(hague, who.user, code)


@router.post("/cases/{code}/shares", response_model=schemas.ShareOut, status_code=201, tags=["sharing"])
def create_share(code: str, body: schemas.ShareIn, who: ShareScope, hague: Instance) -> dict[str, Any]:
    """Share the case, or one item, with a partner organisation."""
    return service.share(hague, who.user, code, body.organisation, body.ern)


@router.post("/cases/{code}/shares/revoke", response_model=schemas.RevokedOut, tags=["sharing"])
def revoke_share(code: str, body: schemas.ShareIn, who: ShareScope, hague: Instance) -> dict[str, int]:
    """Revoke sharing of the case, or of one item, with an organisation."""
    return {"revoked": service.revoke(hague, who.user, code, body.organisation, body.ern)}


@router.get("/items/{ern}/custody", response_model=schemas.CustodyOut, tags=["custody"])
def custody(ern: Annotated[str, Path(max_length=64)], who: Read, hague: Instance) -> dict[str, Any]:
    """The item's chain of custody and its current holder."""
    return areas.custody_timeline(hague, who.user, ern)


@router.post("/items/{ern}/custody", response_model=schemas.RecordedOut, status_code=201, tags=["custody"])
def record_custody(
    ern: Annotated[str, Path(max_length=64)], body: schemas.CustodyIn, who: Write, hague: Instance
) -> dict[str, Any]:
    """Record a custody event (collection, transfer to a named receiver, receipt, storage...) now."""
    return areas.record_custody(hague, who.user, ern, body.model_dump())


@router.get("/items/{ern}/metadata", response_model=dict[str, Any], tags=["items"])
def metadata(ern: Annotated[str, Path(max_length=64)], who: Read, hague: Instance) -> dict[str, Any]:
    """Metadata extracted from the item's files, next to the collector's record."""
    return areas.extracted_metadata(hague, who.user, ern)
