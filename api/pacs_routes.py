"""``POST /api/verify-study``: verify a report against a study in the PACS (``MEDRAG_DICOMWEB_URL``).

The server retrieves the study's frontal image (or the SOP instance named) over DICOMweb, decodes it like an
upload and verifies it as ``/api/verify-report`` does (``verify_response.verify_for_api``): the same answer,
and a missing model, database or LLM degrades to a 200 whose ``degraded`` says what was skipped. Without
``report_text`` the study's own report (DICOM SR or encapsulated text) is checked. PACS failures answer 503
(not reachable, not configured) or 502 (refused credentials, any other PACS error) as
``{"error", "message", "detail"}``; an image over ``MEDRAG_MAX_UPLOAD_BYTES`` is a 422 ``too_large``. The
DICOM header never appears in an answer.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from medrag_core import errors

from .verify_response import VerifyReportResponse, verify_for_api

_UID = r"^[0-9]+(\.[0-9]+)*$"


class VerifyStudyRequest(BaseModel):
    study_instance_uid: str = Field(..., max_length=64, pattern=_UID, description="Study Instance UID")
    sop_instance_uid: str | None = Field(
        None, max_length=64, pattern=_UID, description="The image to check; default the study's frontal view"
    )
    report_text: str | None = Field(None, description="The report to check; default the study's own report")


class VerifyStudyResponse(VerifyReportResponse):
    study_instance_uid: str
    sop_instance_uid: str
    view_choice: str = Field(description="Why this image was checked (View Position PA, ...)")
    report_source: Literal["request", "study"]


def _status(exc: errors.PacsError) -> int:
    return 503 if isinstance(exc, errors.PacsUnavailable) else 502


def pacs_router() -> APIRouter:
    """The route (under ``/api/``, so the app's API-key gate guards it)."""
    router = APIRouter()

    @router.post("/api/verify-study", response_model=VerifyStudyResponse,
                 responses={401: {"description": "Missing or wrong API key"},
                            422: {"description": "Bad UID, undecodable or too large image, or no report to check"},
                            502: {"description": "The PACS refused the credentials or failed"},
                            503: {"description": "No PACS configured, or not reachable"}})
    def verify_study(body: VerifyStudyRequest, request: Request) -> VerifyStudyResponse | JSONResponse:
        from medrag_core.pacs import PacsClient, open_study

        resources = request.app.state.resources
        settings = resources.settings
        try:
            opened = open_study(PacsClient.from_settings(settings), body.study_instance_uid, settings,
                                sop_uid=body.sop_instance_uid, with_report=not (body.report_text or "").strip())
        except errors.PacsError as exc:
            body = {"error": exc.code, "message": exc.user_message, "detail": exc.user_message}
            return JSONResponse(body, status_code=_status(exc))
        report, source = body.report_text, "request"
        if not (report or "").strip():
            if opened.report is not None and opened.report.kind == "refused":
                raise errors.ReportError(
                    f"No report_text was sent and the study's report was refused: {opened.report.note} "
                    "Send the report to check in report_text.",
                    code="empty",
                )
            if opened.report is None or not opened.report.text:
                raise errors.ReportError(
                    "No report_text was sent and the study carries no readable report (DICOM SR or text document). "
                    "Send the report to check in report_text.",
                    code="empty",
                )
            report, source = opened.report.text, "study"
        answer = verify_for_api(opened.data, report or "", resources)
        return VerifyStudyResponse(**answer.model_dump(), study_instance_uid=opened.study_uid,
                                   sop_instance_uid=opened.chosen.instance.sop_uid, view_choice=opened.chosen.reason,
                                   report_source=source)

    return router
