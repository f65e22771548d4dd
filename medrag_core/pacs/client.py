"""A DICOMweb client for one PACS, over the ``dicomweb-client`` library: search, list, retrieve.

Every failure becomes a ``PacsError`` whose message says what to check, never a traceback, a password,
a token or a patient identifier: ``PacsUnavailable`` (not configured, refused, timed out),
``PacsAuthError`` (HTTP 401/403), ``PacsError`` (anything else: 404, 5xx, an answer that is not DICOMweb).
Messages name the PACS by scheme, host and port only.

``retrieve`` reads an instance as a stream and stops at ``PacsConfig.max_instance_bytes`` (the upload
limit, ``MEDRAG_MAX_UPLOAD_BYTES``): a PACS can hold multi-frame or huge uncompressed instances, and
the file is never parsed here, so a deflated dataset is inflated only by the decode path (images) or
``report_text`` (report objects), under their bomb checks.

``PacsConfig`` holds plain, picklable values, so the ETL can hand it to worker processes; its repr
hides the password and the token.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from medrag_core.errors import (
    ImageDecodeError,
    PacsAuthError,
    PacsError,
    PacsUnavailable,
    ReportObjectError,
    over_upload_limit,
)

from .query import INSTANCE_FIELDS, STUDY_FIELDS, InstanceSummary, StudyQuery, StudySummary, newest_first
from .report_text import report_from_dicom

if TYPE_CHECKING:
    import requests

    from medrag_core.settings import Settings

log = logging.getLogger(__name__)

AuthKind = Literal["none", "basic", "bearer"]
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class PacsConfig:
    """Where the PACS is and how to sign in. ``url`` is the DICOMweb root (``.../dicom-web``)."""

    url: str
    auth: AuthKind = "none"
    username: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    connect_timeout_s: float = 5.0
    timeout_s: float = 60.0
    max_instance_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> PacsConfig:
        """The PACS the settings name; ``PacsUnavailable`` when none is configured or auth is incomplete."""
        from medrag_core.errors import ConfigError

        url = (settings.dicomweb_url or "").strip()
        if not url:
            raise PacsUnavailable(
                "No PACS is configured. Set MEDRAG_DICOMWEB_URL to its DICOMweb root, e.g. "
                "http://pacs:8042/dicom-web for Orthanc (see docs/pacs.md).",
                code="pacs_not_configured",
            )
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError("MEDRAG_DICOMWEB_URL must start with http:// or https://.")
        password = settings.dicomweb_password.get_secret_value() if settings.dicomweb_password else ""
        token = settings.dicomweb_token.get_secret_value() if settings.dicomweb_token else ""
        if settings.dicomweb_auth == "basic" and not (settings.dicomweb_username and password):
            raise ConfigError("MEDRAG_DICOMWEB_AUTH=basic needs MEDRAG_DICOMWEB_USERNAME and MEDRAG_DICOMWEB_PASSWORD.")
        if settings.dicomweb_auth == "bearer" and not token:
            raise ConfigError("MEDRAG_DICOMWEB_AUTH=bearer needs MEDRAG_DICOMWEB_TOKEN.")
        return cls(url=url.rstrip("/"), auth=settings.dicomweb_auth, username=settings.dicomweb_username or "",
                   password=password, token=token, connect_timeout_s=settings.dicomweb_connect_timeout_s,
                   timeout_s=settings.dicomweb_timeout_s, max_instance_bytes=settings.max_upload_bytes)

    def __repr__(self) -> str:
        return f"PacsConfig({self.where}, auth={self.auth!r}, username={self.username!r})"

    @property
    def where(self) -> str:
        """``scheme://host:port`` for messages: no user info, no path, no query."""
        parts = urlsplit(self.url)
        host = parts.hostname or "?"
        return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


class _DropDebug(logging.Filter):
    """dicomweb-client logs request URLs (which carry the search filters, e.g. a patient ID) at DEBUG and
    INFO, and urllib3 logs each URL at DEBUG: drop those records, whatever the log level asked for."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("dicomweb_client"):
            return record.levelno > logging.INFO
        return record.levelno > logging.DEBUG or "/studies" not in str(record.args)


_DROP_DEBUG = _DropDebug()
_QUIETED_LOGGERS = ("dicomweb_client.web", "dicomweb_client.session_utils", "dicomweb_client", "urllib3.connectionpool")


class PacsClient:
    """One PACS. Methods raise ``PacsError`` subclasses only (and ``InputError`` for a bad query)."""

    def __init__(self, config: PacsConfig) -> None:
        try:
            from dicomweb_client import DICOMwebClient
            from dicomweb_client.session_utils import create_session
        except ImportError as exc:  # pragma: no cover - pinned in requirements
            from medrag_core.errors import MissingDependency

            raise MissingDependency("dicomweb-client", "Reading studies from a PACS") from exc
        self.config = config
        session = create_session()
        if config.auth == "basic":
            session.auth = (config.username, config.password)
        elif config.auth == "bearer":
            session.headers["Authorization"] = f"Bearer {config.token}"
        for name in _QUIETED_LOGGERS:
            logger = logging.getLogger(name)
            if _DROP_DEBUG not in logger.filters:
                logger.addFilter(_DROP_DEBUG)
        with self._translate("connect to"):
            self._client = DICOMwebClient(config.url, session=session,
                                          timeout=(config.connect_timeout_s, config.timeout_s))
        self._client.set_http_retry_params(retry=True, max_attempts=3, wait_exponential_multiplier=200)

    @classmethod
    def from_settings(cls, settings: Settings) -> PacsClient:
        return cls(PacsConfig.from_settings(settings))

    def __repr__(self) -> str:
        return f"PacsClient({self.config.where}, auth={self.config.auth})"

    # --- errors -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        import requests

        where = self.config.where
        try:
            yield
        except requests.exceptions.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            log.info("PACS %s: HTTP %s while trying to %s", where, status, action)
            if status in (401, 403):
                raise PacsAuthError(
                    f"The PACS at {where} refused the credentials (HTTP {status}). Check MEDRAG_DICOMWEB_AUTH "
                    "and its user name and password, or its token.",
                ) from None
            if status == 404:
                raise PacsError(
                    f"The PACS at {where} has no such resource (HTTP 404) while trying to {action}. Check that "
                    "MEDRAG_DICOMWEB_URL is the DICOMweb root (for Orthanc: http://host:8042/dicom-web), or the "
                    "study may have been deleted.",
                    code="pacs_not_found",
                ) from None
            raise PacsError(
                f"The PACS at {where} answered HTTP {status} while trying to {action}. Try again, or ask its "
                "administrator.",
            ) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            timed_out = isinstance(exc, requests.exceptions.Timeout)
            log.info("PACS %s unreachable (%s)", where, type(exc).__name__)
            why = "did not answer in time" if timed_out else "is not reachable (connection refused or unknown host)"
            raise PacsUnavailable(
                f"The PACS at {where} {why}. Check that it is running and that MEDRAG_DICOMWEB_URL is right; "
                "uploading the image still works.",
            ) from None
        except requests.exceptions.RequestException as exc:
            log.info("PACS %s request failed (%s)", where, type(exc).__name__)
            raise PacsUnavailable(f"The request to the PACS at {where} failed ({type(exc).__name__}).") from None
        except (ValueError, KeyError, TypeError) as exc:
            log.info("PACS %s answer unusable (%s)", where, type(exc).__name__)
            raise PacsError(
                f"The PACS at {where} answered something that is not DICOMweb while trying to {action}. Check that "
                "MEDRAG_DICOMWEB_URL is the DICOMweb root, not the PACS's web page.",
                code="pacs_bad_answer",
            ) from None

    # --- QIDO-RS ------------------------------------------------------------------------------------

    def search_studies(self, query: StudyQuery, *, limit: int = 50, offset: int = 0) -> list[StudySummary]:
        """One page of matching studies (at most ``limit``), newest first (``newest_first``): the PACS answers
        in an order of its own, which may change from one search to the next. Which studies make the page,
        when more match, is still the PACS's choice."""
        return newest_first(self._study_page(query, limit=limit, offset=offset))

    def _study_page(self, query: StudyQuery, *, limit: int, offset: int) -> list[StudySummary]:
        with self._translate("search studies"):
            found = self._client.search_for_studies(
                search_filters=query.search_filters(), fields=list(STUDY_FIELDS), limit=limit, offset=offset,
            )
        return [s for s in (StudySummary.from_qido(item) for item in found) if s.study_uid]

    def iter_studies(self, query: StudyQuery, *, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[StudySummary]:
        """Every matching study, page by page (``limit``/``offset``), in the PACS's order: never the whole list
        in memory.

        The modality filter is applied here, to each page, not sent: Orthanc 1.10 combines
        ``ModalitiesInStudy`` with ``offset`` wrongly (the second page comes back empty), and a modality
        filter on the server is an optional QIDO feature anyway. A study listing no modality is kept;
        its instances are checked one by one later.
        """
        server_query = replace(query, modalities=())
        wanted = set(query.modalities)
        offset = 0
        while True:
            page = self._study_page(server_query, limit=page_size, offset=offset)
            for study in page:
                if not wanted or not study.modalities or wanted & set(study.modalities):
                    yield study
            if len(page) < page_size:
                return
            offset += page_size

    def study_instances(self, study_uid: str) -> list[InstanceSummary]:
        """Every instance of a study (images and reports), in reading order."""
        with self._translate("list the study's images"):
            found = self._client.search_for_instances(study_instance_uid=study_uid, fields=list(INSTANCE_FIELDS))
        instances = [InstanceSummary.from_qido(item, study_uid) for item in found]
        return sorted((i for i in instances if i.sop_uid and i.series_uid), key=lambda i: i.order)

    def ping(self) -> None:
        """One tiny search: raises the ``PacsError`` a real search would."""
        with self._translate("search studies"):
            self._client.search_for_studies(limit=1, fields=["StudyDate"])

    # --- WADO-RS ------------------------------------------------------------------------------------

    def retrieve(self, instance: InstanceSummary, *, max_bytes: int | None = None) -> bytes:
        """The instance as the PACS stores it (a DICOM Part 10 file, its transfer syntax unchanged).

        At most ``max_bytes`` (default ``config.max_instance_bytes``) are read: a larger instance raises
        ``ImageDecodeError`` (code ``too_large``, the upload's refusal) as soon as its ``Content-Length``
        or the bytes received pass the limit, and the connection is dropped.
        """
        limit = self.config.max_instance_bytes if max_bytes is None else max_bytes
        with self._translate("retrieve an image"):
            # dicomweb-client's retrieve_instance reads the whole answer and parses it with pydicom
            # (inflating a deflated dataset) before any size could be checked. Its streaming pieces,
            # the ones iter_series uses, over a bounded body give the raw file instead (pinned:
            # requirements.txt; tests/test_pacs_large.py runs them against Orthanc).
            from dicomweb_client.web import _Transaction

            for uid in (instance.study_uid, instance.series_uid, instance.sop_uid):
                if not _UID.fullmatch(uid):
                    raise ValueError("not a DICOM UID")
            url = self._client._get_instances_url(_Transaction.RETRIEVE, instance.study_uid, instance.series_uid,
                                                  instance.sop_uid)
            response = self._client._http_get(url, headers={"Accept": _ACCEPT_DICOM_AS_STORED}, stream=True)
            with response:
                _bound_body(response, limit + _MULTIPART_SLACK_BYTES, limit)
                if response.headers.get("Content-Type", "").lower().startswith("application/dicom"):
                    parts = [response.content]  # a server that sends the file without the multipart wrapper
                else:
                    parts = list(self._client._decode_multipart_message(response, stream=True))
            if len(parts) != 1:
                raise ValueError(f"{len(parts)} parts for one instance")
            if len(parts[0]) > limit:
                raise _too_large(limit)
            return bytes(parts[0])

    def study_report(self, instances: list[InstanceSummary]) -> StudyReport | None:
        """The report a study carries (the first SR or encapsulated text with text), or None.

        A study whose only report is a PDF gives ``StudyReport(text="", ...)`` with ``kind="pdf"``, so the
        page can say a report exists but must be pasted. One whose report objects were refused (a possible
        decompression bomb, absurdly long text, damaged deflated data, over the transfer limit: see
        ``report_text``) gives ``kind="refused"`` with the reason in ``note``; it takes precedence over a PDF.
        """
        reports = sorted((i for i in instances if i.is_report), key=lambda i: (not i.is_structured_report, i.order))
        pdf: InstanceSummary | None = None
        refused: StudyReport | None = None
        for instance in reports:
            try:
                data = self.retrieve(instance)
            except ImageDecodeError:  # too_large: the transfer stopped at the upload limit; the study still opens
                log.info("report object refused (over the transfer limit)")
                note = (f"The study's report object is larger than the {self.config.max_instance_bytes / 2**20:g} MB "
                        "upload limit, so it was not retrieved.")
                refused = refused or StudyReport(text="", sop_uid=instance.sop_uid, kind="refused", note=note)
                continue
            try:
                text = report_from_dicom(data)
            except ReportObjectError as exc:  # logged there, by its code only
                refused = refused or StudyReport(text="", sop_uid=instance.sop_uid, kind="refused",
                                                 note=exc.user_message)
                continue
            if text:
                kind = "sr" if instance.is_structured_report else "document"
                return StudyReport(text=text, sop_uid=instance.sop_uid, kind=kind)
            if "pdf" in instance.mime_type or not instance.is_structured_report:
                pdf = pdf or instance
        if refused is not None:
            return refused
        return StudyReport(text="", sop_uid=pdf.sop_uid, kind="pdf") if pdf else None


@dataclass(frozen=True)
class StudyReport:
    """A study's report: ``kind`` is sr, document, pdf (text empty: no extraction from PDF) or refused (text
    empty, ``note`` says why in plain words without any header value)."""

    text: str
    sop_uid: str
    kind: Literal["sr", "document", "pdf", "refused"]
    note: str = ""


_UID = re.compile(r"[0-9]+(\.[0-9]+)*")
_ACCEPT_DICOM_AS_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*'
#: The multipart boundaries and part headers around the one file: allowed on top of the limit.
_MULTIPART_SLACK_BYTES = 64 * 1024


def _too_large(limit: int) -> ImageDecodeError:
    return ImageDecodeError(
        over_upload_limit(limit) + " The transfer from the PACS was stopped there. Open another image of the study, "
        "or ask for the limit to be raised.",
        code="too_large",
    )


def _bound_body(response: requests.Response, max_body: int, limit: int) -> None:
    """Make ``response`` refuse a body over ``max_body`` bytes: at once from its ``Content-Length``, else
    while it is read (``iter_content``, which ``content`` and dicomweb-client's multipart reader use;
    counted after urllib3 has undone any Content-Encoding, whose inflation it bounds per read)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise _too_large(limit)
    read_chunks = response.iter_content

    def bounded(chunk_size: int | None = 1, decode_unicode: bool = False) -> Iterator[bytes]:
        seen = 0
        for chunk in read_chunks(chunk_size=chunk_size, decode_unicode=decode_unicode):
            seen += len(chunk)
            if seen > max_body:
                raise _too_large(limit)
            yield chunk

    response.iter_content = bounded  # type: ignore[method-assign]
