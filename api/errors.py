"""Every 4xx/5xx of the API as one JSON shape: ``{"error": code, "message": text, "detail": text}``.

``detail`` repeats ``message`` because the original MedRAG's web page and client script show
``detail`` (FastAPI's own key). Handlers here cover the library's ``MedragError``, FastAPI's
request validation, Starlette's HTTP errors (unknown route, wrong method) and the multipart
parser's errors, so no response leaves in another shape. Messages never echo request values (a
case id, a field's input): they name the field or the problem only.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from medrag_core import errors

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The one error shape."""

    error: str = Field(description="A stable code, e.g. not_an_image, too_large, not_found, unauthorized.")
    message: str = Field(description="What was wrong and what to do, in plain words.")
    detail: str = Field(description="The same text as message (the original MedRAG clients read detail).")


class ApiKeyError(errors.InputError):
    code = "unauthorized"


class UploadTooLarge(errors.InputError):
    code = "too_large"


class NotFound(errors.InputError):
    code = "not_found"


class Forbidden(errors.InputError):
    code = "forbidden"


class BadRequest(errors.InputError):
    code = "bad_request"


_STATUS_BY_ERROR: list[tuple[type[errors.MedragError], int]] = [
    (ApiKeyError, 401),
    (NotFound, 404),
    (Forbidden, 403),
    (UploadTooLarge, 413),
    (BadRequest, 400),
    (errors.InputError, 422),
    (errors.ConfigError, 503),
    (errors.StoreError, 503),
    (errors.EmbedderError, 503),
    (errors.VerifierError, 503),
    (errors.MissingDependency, 503),
]

_CODE_BY_STATUS = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
    429: "rate_limited", 500: "internal_error", 503: "unavailable",
}
_MESSAGE_BY_STATUS = {
    404: "Not found.",
    405: "This method is not allowed here.",
    500: "The server failed on this request; the error is in its log.",
}


def status_for(exc: errors.MedragError) -> int:
    for cls, status in _STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 400


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "detail": message}, status_code=status, headers=headers)


def error_body_bytes(code: str, message: str) -> bytes:
    """The same body for the ASGI middlewares (size limit, API key) that answer before FastAPI does."""
    import json

    return json.dumps({"error": code, "message": message, "detail": message}).encode()


def validation_message(problems: list[dict[str, Any]]) -> str:
    """FastAPI's validation errors in words, naming fields, never quoting their values."""
    parts: list[str] = []
    for problem in problems[:5]:
        loc = [str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path", "header")]
        where = ".".join(loc) or "the request"
        kind = str(problem.get("type", ""))
        if kind == "missing":
            parts.append(f"{where} is required")
        else:
            # pydantic's msg text describes the rule ("Input should be less than or equal to 50"), not the value
            parts.append(f"{where}: {problem.get('msg', 'invalid value')}")
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return "Invalid request: " + "; ".join(parts) + more + "."


def install_error_handlers(app: FastAPI, public: Any) -> None:
    """``public(message) -> message`` removes local paths from library messages before they leave."""

    @app.exception_handler(errors.MedragError)
    async def medrag_error(_: Request, exc: errors.MedragError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "ApiKey"} if status == 401 else None
        return error_response(status, exc.code, public(exc.user_message), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", validation_message(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _CODE_BY_STATUS.get(exc.status_code, "error")
        # Starlette's own texts ("Not Found", a multipart parser message) are replaced by ours; a
        # 404's text never carries the path that was asked for.
        message = _MESSAGE_BY_STATUS.get(exc.status_code) or (
            str(exc.detail) if isinstance(exc.detail, str) and exc.status_code != 404 else "Request refused."
        )
        return error_response(exc.status_code, code, message, dict(exc.headers or {}) or None)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error in the API (%s)", type(exc).__name__)
        return error_response(500, "internal_error", _MESSAGE_BY_STATUS[500])
