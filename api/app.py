"""FastAPI app: verify a report (with or without its image), Browse searches, case lookups, ``/health``.

Start with ``uvicorn --factory api.app:create_app --host 0.0.0.0 --port 8000``. OpenAPI UI at ``/docs``
and ``/redoc``, served from the ``fastapi-offline`` package (no CDN: works on a closed hospital network).

Thin like the pages: every route parses its input and calls ``medrag_core``. Contracts:

- **Validate first, then degrade.** The upload's size, the image's decode and the report are checked
  (``workflow.verify`` does that first) before the store, the model or the verifier is built. A
  missing model or database gives a 200 with the offline checks and whatever retrieval worked, and
  ``degraded`` says what was skipped and why (the same notices as the app). 503 only when nothing can
  run (a case lookup or search without a database).
- **One error shape**: every 4xx/5xx is ``{"error", "message", "detail"}`` (``api.errors``).
- **The API key** (``MEDRAG_API_KEY``) is checked before a body is read (``api.limits.ApiKeyGate``).
- **The original MedRAG's fields**: ``isCorrect`` is true only when the checks ran on a recognisable
  report (``check_status == "checked"``) and found no warning or error; ``correctReport`` is report
  text only (``suggested_report``), never review notes (those are in ``review_notes``).
- **Shutdown** (SIGTERM / SIGINT through uvicorn): the lifespan closes the ``Services``, which stops
  the embedded Postgres when no other process uses it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect

from medrag_core import errors
from medrag_core.auth import check_password
from medrag_core.health import describe_store, describe_verifier, model_availability
from medrag_core.models import Case, Match
from medrag_core.services import Services
from medrag_core.settings import Settings

from .errors import BadRequest, ErrorBody, NotFound, UploadTooLarge, install_error_handlers
from .history_routes import history_router
from .limits import ApiKeyGate, BodySizeLimit, BodyTooLarge
from .pacs_routes import pacs_router
from .verify_response import Degradation, VerifyReportResponse, public, verify_for_api, verify_response

log = logging.getLogger(__name__)

MAX_CASE_ID_CHARS = 512  # longer ids are not in any archive: 404 without a database round trip
MAX_QUERY_CHARS = 2000
FORM_OVERHEAD_BYTES = 256 * 1024  # multipart boundaries and headers on top of the upload limit


class SearchResponse(BaseModel):
    results: list[Match]
    degraded: list[Degradation] = Field(default_factory=list)


def create_app(settings: Settings | None = None, *, store: Any = None, embedder: Any = None,
               verifier: Any = None, services: Services | None = None) -> FastAPI:
    """Build the app. Tests pass parts (or a ``Services``); production builds them lazily from settings."""
    settings = settings or Settings.load()
    resources = services or Services(settings, store=store, embedder=embedder, verifier=verifier)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        log.info("API shutting down: closing the store")
        await run_in_threadpool(resources.close)

    app = FastAPIOffline(
        title="MedRAG workbench API",
        version="1.1.0",
        description="Verify chest X-ray reports against the image and similar prior cases. Every error is "
        '`{"error", "message", "detail"}`.',
        lifespan=lifespan,
    )
    app.state.resources = resources
    install_error_handlers(app, public)

    # A blank key (MEDRAG_API_KEY = "" in secrets.toml) is no key: it would otherwise match a request
    # that sends none, so the API would look protected while accepting anyone.
    expected_key = settings.api_key.get_secret_value().strip() if settings.api_key is not None else ""
    if settings.api_key is not None and not expected_key:
        log.warning("MEDRAG_API_KEY is blank: the REST API is not protected by a key")

    def key_given(headers: Any) -> bool:
        given = headers.get("x-api-key") or ""
        auth = headers.get("authorization") or ""
        if not given and auth.lower().startswith("bearer "):
            given = auth[7:]
        return check_password(given, expected_key)  # constant time, hiding the key's length too

    # Outermost last: CORS (so errors carry its headers) -> API key -> body size -> the routes.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + FORM_OVERHEAD_BYTES,
                       upload_limit_bytes=settings.max_upload_bytes)
    if expected_key:
        app.add_middleware(ApiKeyGate, is_valid=key_given)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )

    errors_doc: dict[int | str, dict[str, Any]] = {
        400: {"model": ErrorBody, "description": "Malformed request (e.g. a broken multipart body)"},
        401: {"model": ErrorBody, "description": "Missing or wrong API key"},
        403: {"model": ErrorBody, "description": "Reading the history needs MEDRAG_API_KEY to be set"},
        404: {"model": ErrorBody, "description": "No such case"},
        413: {"model": ErrorBody, "description": "Upload too large"},
        415: {"model": ErrorBody, "description": "Body is not a form (multipart/form-data or urlencoded)"},
        422: {"model": ErrorBody, "description": "Bad image or report, or a missing field"},
        503: {"model": ErrorBody, "description": "Nothing can run: the database is not available"},
    }

    def doc(*statuses: int) -> dict[int | str, dict[str, Any]]:
        return {status: errors_doc[status] for status in (401, 422, *statuses)}

    report_schema = {"type": "string", "minLength": 1, "maxLength": settings.max_report_chars,
                     "description": "The report to check (UTF-8 text)"}

    @app.post(
        "/api/verify-report", response_model=VerifyReportResponse, responses=doc(400, 413, 415),
        openapi_extra=_form_body({
            "image": {"type": "string", "format": "binary",
                      "description": "PNG, JPEG, DICOM, BMP, TIFF, WebP or GIF (first frame)"},
            "report_text": report_schema,
        }, ["image", "report_text"]),
    )
    async def verify_report(request: Request) -> VerifyReportResponse:
        """Check a report against its image and the most similar archive cases."""
        form = await _read_form(request, settings)
        upload = form.get("image")
        if not isinstance(upload, UploadFile):
            raise errors.InputError("Send the X-ray as the file field 'image'.", code="missing_image")
        report = await _report_field(form, settings)
        data = await upload.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise UploadTooLarge(errors.over_upload_limit(settings.max_upload_bytes))
        return await run_in_threadpool(verify_for_api, data, report, resources)

    @app.post(
        "/api/check-report", response_model=VerifyReportResponse, responses=doc(400, 413, 415),
        openapi_extra=_form_body({"report_text": report_schema}, ["report_text"], json=True),
    )
    async def check_report(request: Request) -> VerifyReportResponse:
        """The offline report checks alone, for a report without an image (no database, model or LLM)."""
        from medrag_core.workflow import check_report_text

        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            report = await _json_report(request)
        else:
            report = await _report_field(await _read_form(request, settings), settings)
        result = await run_in_threadpool(check_report_text, report, settings)
        return verify_response(result)

    @app.get("/api/search", response_model=SearchResponse, responses=doc(503))
    def search(
        q: str = Query(..., min_length=1, max_length=MAX_QUERY_CHARS, description="Words to look for"),
        k: int = Query(12, ge=1, le=50, description="How many cases"),
    ) -> SearchResponse:
        """The Browse page's text search: full-text search fused with the text embedding when the model is there."""
        from medrag_core.retrieval import search_text

        if not q.strip():
            raise errors.InputError("The search text is empty.", code="empty")
        if "\x00" in q:  # no text in the archive holds one, and Postgres refuses it in a query
            raise errors.InputError("The search text contains a NUL character.", code="nul_byte")
        store = resources.store()  # StoreError -> 503: without the archive nothing can run
        embedder, degraded = _embedder_or_none(resources)
        matches = search_text(store, embedder, settings, q.strip(), k=k)
        return SearchResponse(results=matches, degraded=degraded)

    @app.get("/api/cases/{case_id:path}/similar", response_model=SearchResponse, responses=doc(404, 503))
    def similar_cases(case_id: str) -> SearchResponse:
        """The case's nearest archive cases by its image and report (the case itself left out)."""
        from medrag_core.workflow import neighbours

        case = _one_case(resources, case_id)
        embedder, degraded = _embedder_or_none(resources)
        matches = neighbours(resources.store(), embedder, settings, case, resources.cache())
        return SearchResponse(results=matches, degraded=degraded)

    @app.get("/api/cases/{case_id:path}/image", responses={200: {"content": {"image/png": {}}}, **doc(404, 503)},
             response_class=Response)
    def case_image(case_id: str) -> Response:
        """The case's image as stored."""
        case = _one_case(resources, case_id)
        data = resources.store().get_image(case.image_sha256) if case.image_sha256 else None
        if data is None:
            raise NotFound("This case has no image.")
        return Response(content=data, media_type=_sniff_mime(data))

    @app.get("/api/cases/{case_id:path}", response_model=Case, responses=doc(404, 503))
    def get_case(case_id: str) -> Case:
        """One archive case."""
        return _one_case(resources, case_id)

    app.include_router(history_router(resources, bool(expected_key), doc(403, 404, 503)))

    @app.get("/health", responses={503: {"description": "The database is not reachable"}})
    def health(request: Request) -> JSONResponse:
        """Readiness of database, model and verifier. Without the key (when one is set): states only."""
        return _health(resources, detailed=not expected_key or key_given(request.headers))

    app.include_router(pacs_router())  # POST /api/verify-study (api/pacs_routes.py)
    _finish_openapi(app, api_key=bool(expected_key))
    return app


def _finish_openapi(app: FastAPI, *, api_key: bool) -> None:
    """The schema as the API behaves, for every route (also those added by other modules): each error
    response is the one error shape; a route with a body documents 400 (a body its parser cannot
    read) and 413; with a key configured, an ``apiKey`` scheme on every ``/api/`` operation (so /docs
    gets an Authorize button and clients know a 401 is about the key)."""
    build = app.openapi
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    error_content = {"application/json": {"schema": error_ref}}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {})["ErrorBody"] = ErrorBody.model_json_schema()
            for name in ("HTTPValidationError", "ValidationError"):
                components["schemas"].pop(name, None)
            if api_key:
                components.setdefault("securitySchemes", {})["ApiKey"] = {
                    "type": "apiKey", "in": "header", "name": "X-API-Key",
                }
            for path, operations in schema.get("paths", {}).items():
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    if "requestBody" in operation:
                        responses.setdefault("400", {"description": "The body could not be read"})
                        responses.setdefault("413", {"description": "Upload too large"})
                    if operation.get("parameters") or "requestBody" in operation:
                        responses.setdefault("422", {"description": "Invalid request"})
                    for status, response in responses.items():
                        if status[0] in "45":
                            response["content"] = error_content
                    if api_key and path.startswith("/api/"):
                        operation["security"] = [{"ApiKey": []}]
                        responses.setdefault("401", {"description": "Missing or wrong API key"})
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _form_body(properties: dict[str, Any], required: list[str], *, json: bool = False) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": required}
    content: dict[str, Any] = {"multipart/form-data": {"schema": schema}}
    if json:
        content["application/x-www-form-urlencoded"] = {"schema": schema}
        content["application/json"] = {"schema": {**schema, "additionalProperties": True}}
    return {"requestBody": {"required": True, "content": content}}


async def _read_form(request: Request, settings: Settings) -> FormData:
    """The multipart (or urlencoded) body; its parser's failures in the API's shape and codes."""
    from starlette.exceptions import HTTPException

    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise HTTPException(415, "Send the request as multipart/form-data (or application/x-www-form-urlencoded).")
    try:
        # Parts as large as the upload limit: a long report is then refused by the report check (422,
        # too_long) with its own message, not by the parser's 1 MB default.
        return await request.form(max_files=4, max_fields=16, max_part_size=settings.max_upload_bytes)
    except HTTPException as exc:
        # a well-formed body with more fields or files than the API takes: the request is unprocessable (422, as
        # for other valid-but-refused input), not unreadable
        if exc.status_code == 400 and re.match(r"Too many (?:fields|files)", str(exc.detail)):
            raise errors.InputError(f"{exc.detail} Send only the fields the API documents.") from None
        raise
    except BodyTooLarge:
        raise UploadTooLarge(errors.over_upload_limit(settings.max_upload_bytes, what="request")) from None
    except ClientDisconnect:
        raise BadRequest("The client closed the connection before the body was complete.") from None


async def _report_field(form: FormData, settings: Settings) -> str | bytes:
    report = form.get("report_text")
    if report is None:
        raise errors.ReportError("Send the report as the form field 'report_text'.", code="empty")
    if isinstance(report, UploadFile):  # a client that sends the report as a file part
        return await report.read(settings.max_report_chars * 4 + 1)
    if _is_json_value(report):
        raise errors.ReportError("The field 'report_text' holds a JSON value (a number, list or object), not "
                                 "report text: send the report itself.", code="not_text")
    return report


def _is_json_value(text: str) -> bool:
    """True for a whole field that is one JSON number, literal, list or object: a client that serialised
    a value instead of sending the report (no report is only ``42`` or ``{...}``)."""
    import json

    stripped = text.strip()
    if not stripped or stripped[0] not in '-0123456789tfn[{"':
        return False
    try:
        json.loads(stripped)
    except ValueError:
        return False
    return True


async def _json_report(request: Request) -> str:
    import json

    try:
        body = json.loads(await request.body())
    except BodyTooLarge:
        raise UploadTooLarge("The request body is larger than the upload limit.") from None
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.") from None
    report = body.get("report_text") if isinstance(body, dict) else None
    if not isinstance(report, str):
        raise errors.ReportError("Send the report as the JSON string field 'report_text'.", code="empty")
    return report


def _embedder_or_none(resources: Services) -> tuple[Any, list[Degradation]]:
    embedder, problem = resources.try_embedder()
    if embedder is not None:
        return embedder, []
    message = f"The embedding model is not available ({problem}); the search used full-text search only."
    return None, [Degradation(part="model", message=public(message))]


def _one_case(resources: Services, case_id: str) -> Case:
    # Ids with control characters or of absurd length are in no archive (and a NUL would make
    # Postgres refuse the query): not found, without asking the database. The id is never echoed.
    if not case_id or len(case_id) > MAX_CASE_ID_CHARS or any(ord(ch) < 32 or ord(ch) == 127 for ch in case_id):
        raise NotFound("No case with this id in the archive.")
    found = resources.store().get([case_id])
    if not found:
        raise NotFound("No case with this id in the archive.")
    return found[0]


def _sniff_mime(data: bytes) -> str:
    signatures: list[tuple[Callable[[bytes], bool], str]] = [
        (lambda d: d.startswith(b"\x89PNG"), "image/png"),
        (lambda d: d.startswith(b"\xff\xd8"), "image/jpeg"),
        (lambda d: d.startswith(b"BM"), "image/bmp"),
        (lambda d: d[:4] in (b"II*\x00", b"MM\x00*"), "image/tiff"),
        (lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP", "image/webp"),
        (lambda d: d[:6] in (b"GIF87a", b"GIF89a"), "image/gif"),
        (lambda d: d[128:132] == b"DICM", "application/dicom"),
    ]
    return next((mime for test, mime in signatures if test(data)), "application/octet-stream")


def _health(resources: Services, *, detailed: bool = True) -> JSONResponse:
    """Readiness of database, model and verifier; 503 when the database is not reachable.

    ``detailed=False`` (a caller without the API key, when one is configured) gives each
    component's state only. Summaries never carry local paths or secrets.
    """
    settings = resources.settings
    components: dict[str, dict[str, str]] = {}
    try:
        stats = resources.store().stats()
        where = describe_store(settings) if settings.database_url or settings.store_backend != "postgres" \
            else "embedded Postgres"
        components["database"] = {"state": "ok", "summary": f"{where}: {stats.total_cases} cases"}
    except errors.MedragError as exc:
        components["database"] = {"state": "error", "summary": exc.user_message}
    model = model_availability(settings)
    components["model"] = {"state": model.state, "summary": model.summary}
    verifier = describe_verifier(settings)
    components["verifier"] = {"state": verifier.state, "summary": verifier.summary}
    ready = components["database"]["state"] == "ok"
    if detailed:
        components = {name: {"state": c["state"], "summary": public(c["summary"])} for name, c in components.items()}
    else:
        components = {name: {"state": c["state"]} for name, c in components.items()}
    body = {"status": "ok" if ready else "unavailable", "components": components}
    return JSONResponse(body, status_code=200 if ready else 503)
