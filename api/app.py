"""FastAPI app: ``POST /api/verify-report``, case lookups, ``/health``; OpenAPI UI at ``/docs``.

Start with ``uvicorn --factory api.app:create_app --host 0.0.0.0 --port 8000``.

Thin like the pages: every route parses its input and calls ``medrag_core``. ``MedragError`` becomes a
JSON ``{"error": code, "message": user_message}`` with a 4xx (bad input, auth) or 503 (database,
model or LLM not available); nothing returns a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from medrag_core import errors
from medrag_core.auth import check_password
from medrag_core.health import describe_store, describe_verifier, model_availability
from medrag_core.models import Case, VerificationResult
from medrag_core.services import Services
from medrag_core.settings import Settings

from .limits import BodySizeLimit

log = logging.getLogger(__name__)


class VerifyReportResponse(VerificationResult):
    """The full result plus the original MedRAG backend's two fields, so its clients keep working."""

    isCorrect: bool  # noqa: N815 - the original API's field name
    correctReport: str  # noqa: N815


class ErrorBody(BaseModel):
    error: str
    message: str


_STATUS_BY_ERROR: list[tuple[type[errors.MedragError], int]] = [
    (errors.InputError, 422),
    (errors.ConfigError, 503),
    (errors.StoreError, 503),
    (errors.EmbedderError, 503),
    (errors.VerifierError, 503),
    (errors.MissingDependency, 503),
]


def status_for(exc: errors.MedragError) -> int:
    for cls, status in _STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 400


def create_app(settings: Settings | None = None, *, store: Any = None, embedder: Any = None,
               verifier: Any = None) -> FastAPI:
    """Build the app. Tests pass a store/embedder/verifier; production builds them lazily from settings."""
    settings = settings or Settings.load()
    resources = Services(settings, store=store, embedder=embedder, verifier=verifier)
    app = FastAPI(
        title="MedRAG workbench API",
        version="1.0.0",
        description="Verify chest X-ray reports against the image and similar prior cases.",
    )
    app.state.resources = resources
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + 256 * 1024)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )

    @app.exception_handler(errors.MedragError)
    async def medrag_error(_: Request, exc: errors.MedragError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.user_message}, status_code=status_for(exc))

    # A blank key (MEDRAG_API_KEY = "" in secrets.toml) is no key: it would otherwise match a request
    # that sends none, so the API would look protected while accepting anyone.
    expected_key = settings.api_key.get_secret_value().strip() if settings.api_key is not None else ""
    if settings.api_key is not None and not expected_key:
        log.warning("MEDRAG_API_KEY is blank: the REST API is not protected by a key")

    def key_given(request: Request) -> bool:
        given = request.headers.get("x-api-key") or ""
        auth = request.headers.get("authorization") or ""
        if not given and auth.lower().startswith("bearer "):
            given = auth[7:]
        return check_password(given, expected_key)  # constant time, hiding the key's length too

    def require_api_key(request: Request) -> None:
        if not expected_key:
            return
        if not key_given(request):
            raise ApiKeyError("A valid API key is required: send it in the X-API-Key header.")

    errors_doc = {
        401: {"model": ErrorBody, "description": "Missing or wrong API key"},
        413: {"model": ErrorBody, "description": "Upload too large"},
        422: {"model": ErrorBody, "description": "Bad image or report"},
        503: {"model": ErrorBody, "description": "Database, model or LLM not available"},
    }

    @app.post("/api/verify-report", response_model=VerifyReportResponse, responses=errors_doc,
              dependencies=[Depends(require_api_key)])
    def verify_report(image: UploadFile = File(..., description="PNG, JPEG or DICOM"),
                      report_text: str = Form(..., description="The report to check")) -> VerifyReportResponse:
        from medrag_core.workflow import verify

        data = image.file.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise UploadTooLarge(f"The image is larger than {settings.max_upload_bytes // (1024 * 1024)} MB.")
        result = verify(
            data, report_text, settings,
            store=resources.store(), embedder=resources.embedder(), verifier=resources.verifier(),
        )
        return VerifyReportResponse(
            **result.model_dump(),
            isCorrect=result.verdict == "consistent",
            correctReport="" if result.verdict == "consistent" else result.suggested_report,
        )

    @app.get("/api/cases/{case_id:path}/image", responses={200: {"content": {"image/png": {}}}, **errors_doc},
             response_class=Response, dependencies=[Depends(require_api_key)])
    def case_image(case_id: str) -> Response:
        case = _one_case(resources, case_id)
        data = resources.store().get_image(case.image_sha256) if case.image_sha256 else None
        if data is None:
            raise NotFound(f"Case {case_id} has no image.")
        return Response(content=data, media_type=_sniff_mime(data))

    @app.get("/api/cases/{case_id:path}", response_model=Case, responses=errors_doc,
             dependencies=[Depends(require_api_key)])
    def get_case(case_id: str) -> Case:
        return _one_case(resources, case_id)

    @app.get("/health")
    def health(request: Request) -> JSONResponse:
        # Without the key (when one is configured) only states: summaries name hosts and models.
        return _health(resources, detailed=not expected_key or key_given(request))

    return app


class ApiKeyError(errors.InputError):
    code = "unauthorized"


class UploadTooLarge(errors.InputError):
    code = "too_large"


class NotFound(errors.InputError):
    code = "not_found"


_STATUS_BY_ERROR[:0] = [(ApiKeyError, 401), (UploadTooLarge, 413), (NotFound, 404)]


def _one_case(resources: Services, case_id: str) -> Case:
    found = resources.store().get([case_id])
    if not found:
        raise NotFound(f"No case with id {case_id!r} in the archive.")
    return found[0]


def _sniff_mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"


def _health(resources: Services, *, detailed: bool = True) -> JSONResponse:
    """Readiness of database, model and verifier; 503 when the database is not reachable.

    ``detailed=False`` (a caller without the API key, when one is configured) gives each
    component's state only, no summaries.
    """
    settings = resources.settings
    components: dict[str, dict[str, str]] = {}
    try:
        stats = resources.store().stats()
        components["database"] = {"state": "ok", "summary": f"{describe_store(settings)}: {stats.total_cases} cases"}
    except errors.MedragError as exc:
        components["database"] = {"state": "error", "summary": exc.user_message}
    model = model_availability(settings)
    components["model"] = {"state": model.state, "summary": model.summary}
    verifier = describe_verifier(settings)
    components["verifier"] = {"state": verifier.state, "summary": verifier.summary}
    ready = components["database"]["state"] == "ok"
    if not detailed:
        components = {name: {"state": c["state"]} for name, c in components.items()}
    body = {"status": "ok" if ready else "unavailable", "components": components}
    return JSONResponse(body, status_code=200 if ready else 503)
