"""Server-rendered pages (Jinja2 + htmx). Each handler makes one library call; forms carry the CSRF token."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from hague.access import auth, policy
from hague.core import Hague
from hague.errors import PermissionDenied
from hague.evidence.models import CLASSIFICATIONS, ITEM_KINDS, Organisation
from hague.search import query as search
from hague.search import saved as saved_searches
from hague.web import areas, service
from hague.web.deps import SESSION_COOKIE, Caller, client_of, get_hague, session_secret, signer
from hague.web.i18n import LANG_COOKIE, LOCALES
from hague.web.templating import templates

router = APIRouter(include_in_schema=False)
EVENT_TYPES = ("collected", "sealed", "transferred", "received", "stored", "checked_out", "checked_in", "lost")
PRE_COOKIE = "hague_pre"
SIGNIN_ERRORS = ("failed", "limited")  # codes only: a message in the URL could be forged by a link
Instance = Annotated[Hague, Depends(get_hague)]


def page_caller(request: Request) -> Caller:
    """The signed-in browser user (pages never accept API tokens)."""
    secret = session_secret(request)
    if secret is None:
        raise auth.AuthenticationFailed("sign in first")
    user, row = auth.session_user(get_hague(request), secret)
    return Caller(user, frozenset(auth.SCOPES), "ui", row.csrf_token, client_of(request))


Page = Annotated[Caller, Depends(page_caller)]


def check_csrf(who: Caller, token: str) -> None:
    """Refuse a form post without this session's CSRF token."""
    if not auth.csrf_ok(who.csrf_token, token):
        raise PermissionDenied("missing or wrong CSRF token; reload the page and try again")


def render(request: Request, name: str, who: Caller | None, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the common context (user, CSRF token, languages)."""
    context.update(user=who.user if who else None, csrf_token=who.csrf_token if who else "", locales=LOCALES)
    response: HTMLResponse = templates.TemplateResponse(request, name, context, status_code=status)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, error: str = "") -> Response:
    """The sign-in form (password and one-time code); a pre-session cookie guards it against login CSRF."""
    token = secrets.token_urlsafe(24)
    response = render(request, "signin.html", None, error=error if error in SIGNIN_ERRORS else "", pre_token=token)
    response.set_cookie(PRE_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/signin")
def signin(
    request: Request,
    hague: Instance,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=1000)],
    code: Annotated[str, Form(max_length=10)],
    pre_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check password + TOTP; on success start a session (signed, HttpOnly, SameSite=Strict cookie)."""
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), pre_token.encode()):
        raise PermissionDenied("the sign-in form expired; reload the page and try again")
    try:
        user = auth.authenticate(hague, username, password, code, client_of(request))
    except auth.TooManyAttempts:
        return RedirectResponse("/signin?error=limited", status_code=303)
    except auth.AuthenticationFailed:
        return RedirectResponse("/signin?error=failed", status_code=303)
    opened = auth.open_session(hague, user)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signer(request).sign(opened.secret).decode(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=auth.SESSION_HOURS * 3600,
    )
    response.delete_cookie(PRE_COOKIE)
    return response


@router.post("/signout")
def signout(request: Request, who: Page, csrf_token: Annotated[str, Form()] = "") -> Response:
    """End the session."""
    check_csrf(who, csrf_token)
    secret = session_secret(request)
    if secret:
        auth.close_session(get_hague(request), secret)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{locale}")
def set_language(locale: str, next: str = "/") -> Response:
    """Switch the interface language (English or Ukrainian)."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if locale in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, samesite="strict", max_age=365 * 86400)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, who: Page, hague: Instance) -> Response:
    """Cases the user may see, and opening a case (administrators)."""
    cases = service.visible_cases(hague, who.user)
    return render(request, "dashboard.html", who, cases=cases, may_open=policy.may_open_cases(who.user))


@router.post("/cases")
def open_case(
    who: Page,
    hague: Instance,
    situation: Annotated[str, Form(max_length=8)],
    title: Annotated[str, Form(max_length=300)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Open a case and go to it."""
    check_csrf(who, csrf_token)
    case = service.open_case(hague, who.user, situation, title)
    return RedirectResponse(f"/cases/{case['code']}", status_code=303)


def _items_context(hague: Hague, who: Caller, code: str, flt: search.ItemFilter, after: int | None) -> dict[str, Any]:
    with hague.reader() as session:
        case = policy.visible_case(session, who.user, code)
        flt.case_id = case.id
        page = search.list_items(session, who.user, flt, limit=50, after=after)
        return {
            "case": service.case_out(session, who.user, case),
            "items": [i.out() for i in page.items],
            "next_after": page.next_after,
            "filters": flt,
        }


@router.get("/cases/{code}", response_class=HTMLResponse)
def case_page(
    request: Request,
    code: str,
    who: Page,
    hague: Instance,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: str = "",
    classification: str = "",
    after: int | None = None,
    saved: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """Case dashboard: facets, filters, search, saved searches and the item list (the list alone for htmx)."""
    flt = search.ItemFilter(q=q, kind=kind or None, classification=classification or None)
    if saved is not None:
        with hague.reader() as session:
            flt = saved_searches.get_saved(session, who.user.username, code, saved).to_filter()
    context = _items_context(hague, who, code, flt, after)
    if request.headers.get("hx-request") == "true":
        return render(request, "_items.html", who, **context)
    with hague.reader() as session:
        case = policy.visible_case(session, who.user, code)
        context["may_upload"] = policy.may(session, who.user, case, "item.create")
        context["may_share"] = policy.may(session, who.user, case, "share.manage")
        context["full"] = policy.case_access(session, who.user, case) != "items_shared"
        context["organisations"] = [
            o.code
            for o in session.scalars(select(Organisation).order_by(Organisation.code))
            if o.id != case.organisation_id
        ]
        context["saved_searches"] = saved_searches.list_saved(session, who.user.username, code)
    if context["may_share"]:
        context["shares"] = service.shares(hague, who.user, code)
    context.update(kinds=ITEM_KINDS, classifications=CLASSIFICATIONS)
    return render(request, "case.html", who, **context)


@router.post("/cases/{code}/saved-searches")
def save_search_form(
    code: str,
    who: Page,
    hague: Instance,
    name: Annotated[str, Form(max_length=80)],
    q: Annotated[str, Form(max_length=500)] = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    classification: Annotated[str, Form(max_length=32)] = "",
    shared: Annotated[str, Form(max_length=1)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Save the current filter of the case page under a name, then show it."""
    check_csrf(who, csrf_token)
    flt = search.ItemFilter(q=q, kind=kind or None, classification=classification or None)
    with hague.unit() as unit:
        view = saved_searches.save_search(unit, who.user.username, code, name, flt, shared=bool(shared))
    return RedirectResponse(f"/cases/{view.case}?saved={quote(view.name)}", status_code=303)


@router.get("/cases/{code}/facets", response_class=HTMLResponse)
def facets_fragment(
    request: Request,
    code: str,
    who: Page,
    hague: Instance,
    q: Annotated[str, Query(max_length=500)] = "",
    kind: str = "",
    classification: str = "",
) -> Response:
    """Facet counts of the current filter (htmx fragment, loaded after the list so a large case stays fast)."""
    with hague.reader() as session:
        case = policy.visible_case(session, who.user, code)
        flt = search.ItemFilter(case.id, q, kind or None, classification or None)
        counts = search.facets(session, who.user, flt)
    return render(request, "_facets.html", who, facets=counts)


@router.get("/items/{ern}", response_class=HTMLResponse)
def item_page(request: Request, ern: str, who: Page, hague: Instance) -> Response:
    """Item page: metadata, files with previews and hashes (reading a confidential item is audited)."""
    view = areas.item_page(hague, who.user, ern, who.client)
    return render(request, "item.html", who, **view, event_types=EVENT_TYPES)


@router.post("/items/{ern}/custody")
def custody_form(
    ern: str,
    who: Page,
    hague: Instance,
    event_type: Annotated[str, Form(max_length=24)],
    receiver: Annotated[str, Form(max_length=80)] = "",
    reason: Annotated[str, Form(max_length=20000)] = "",
    place: Annotated[str, Form(max_length=300)] = "",
    facility: Annotated[str, Form(max_length=200)] = "",
    seals: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Record a custody event from the item page (transfer, receipt, storage...)."""
    check_csrf(who, csrf_token)
    fields = {
        "event_type": event_type,
        "receiver": receiver,
        "reason": reason,
        "place": place,
        "facility": facility,
        "seal_numbers": [s.strip() for s in seals.split(",") if s.strip()],
    }
    recorded = areas.record_custody(hague, who.user, ern, fields)
    return RedirectResponse(f"/items/{recorded['ern']}#custody", status_code=303)


@router.get("/files/{file_id}/verify", response_class=HTMLResponse)
def verify_file(request: Request, file_id: int, who: Page, hague: Instance) -> Response:
    """Re-hash a stored file and compare with the recorded SHA-256 (htmx fragment)."""
    import hashlib

    file, reader = service.open_file(hague, who.user, file_id, who.client, "ui")
    digest = hashlib.sha256()
    with reader:
        while chunk := reader.read(1024 * 1024):
            digest.update(chunk)
    return render(request, "_verify.html", who, file=file, found=digest.hexdigest())


@router.get("/items/{ern}/log", response_class=HTMLResponse)
def item_log(request: Request, ern: str, who: Page, hague: Instance) -> Response:
    """The log entries that attest this item and its files (htmx fragment)."""
    entries = areas.item_log(hague, who.user, ern)
    return render(request, "_log.html", who, entries=entries)


@router.get("/cases/{code}/upload", response_class=HTMLResponse)
def upload_page(request: Request, code: str, who: Page, hague: Instance) -> Response:
    """Upload files with a progress bar (the browser streams each file to the API)."""
    with hague.reader() as session:
        case = policy.visible_case(session, who.user, code)
        policy.require(session, who.user, case, "item.create")
        out = service.case_out(session, who.user, case)
    return render(request, "upload.html", who, case=out, kinds=ITEM_KINDS, classifications=CLASSIFICATIONS)


@router.get("/cases/{code}/map", response_class=HTMLResponse)
def map_page(request: Request, code: str, who: Page, hague: Instance) -> Response:
    """Incidents of the case on a map with the offline base layer."""
    incidents = service.incidents(hague, who.user, code)
    with hague.reader() as session:
        out = service.case_out(session, who.user, policy.visible_case(session, who.user, code))
    tiles = {"url": hague.settings.map_tiles_url or "", "attribution": hague.settings.map_tiles_attribution}
    return render(request, "map.html", who, case=out, incidents=incidents, tiles=tiles)


@router.post("/cases/{code}/shares")
def share_form(
    code: str,
    who: Page,
    hague: Instance,
    organisation: Annotated[str, Form(max_length=8)],
    ern: Annotated[str, Form(max_length=64)] = "",
    action: Annotated[str, Form(max_length=10)] = "share",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Share (or revoke sharing of) the case or one item with an organisation."""
    check_csrf(who, csrf_token)
    if action == "revoke":
        service.revoke(hague, who.user, code, organisation, ern or None)
    else:
        service.share(hague, who.user, code, organisation, ern or None)
    return RedirectResponse(f"/cases/{code}", status_code=303)


@router.get("/cases/{code}/witnesses", response_class=HTMLResponse)
def witnesses_page(request: Request, code: str, who: Page, hague: Instance) -> Response:
    """Witnesses of a case under their pseudonyms."""
    listed = areas.witnesses(hague, who.user, code)
    return render(request, "witnesses.html", who, case_code=code.upper(), witnesses=listed)


@router.get("/witnesses/{pseudonym}", response_class=HTMLResponse)
def witness_page(request: Request, pseudonym: str, who: Page, hague: Instance) -> Response:
    """One witness: pseudonym, interview dates, reveal history; the identity only after a reasoned reveal."""
    return render(request, "witness.html", who, witness=areas.witness_page(hague, who.user, pseudonym), identity=None)


@router.post("/witnesses/{pseudonym}/reveal", response_class=HTMLResponse)
def reveal_page(
    request: Request,
    pseudonym: str,
    who: Page,
    hague: Instance,
    reason: Annotated[str, Form(max_length=2000)],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Reveal the identity with a reason (audited); the page is not cached and the identity is not kept."""
    check_csrf(who, csrf_token)
    identity = areas.reveal_identity(hague, who.user, pseudonym, reason)
    witness = areas.witness_page(hague, who.user, pseudonym)
    return render(request, "witness.html", who, witness=witness, identity=identity)
