"""Studies from a PACS over DICOMweb: QIDO-RS search, frontal-view choice, WADO-RS retrieval, the study's report.

``PacsClient.from_settings(settings)`` reaches the PACS ``MEDRAG_DICOMWEB_URL`` names; its ``search_studies``
lists studies newest first (``newest_first``); ``open_study`` retrieves one study's frontal image and decodes
it as an upload is decoded. Errors are ``PacsError``
(``PacsUnavailable``, ``PacsAuthError``) with plain messages. DICOM header values stay on this machine.
"""

from medrag_core.pacs.client import DEFAULT_PAGE_SIZE, PacsClient, PacsConfig, StudyReport
from medrag_core.pacs.header import header_rows
from medrag_core.pacs.query import (
    DEFAULT_MODALITIES,
    InstanceSummary,
    StudyQuery,
    StudySummary,
    newest_first,
    parse_da,
    parse_tm,
)
from medrag_core.pacs.report_text import report_from_dicom
from medrag_core.pacs.study import OpenedStudy, open_study, retrieve_checked
from medrag_core.pacs.views import FrontalChoice, choose_frontal, is_lateral

__all__ = [
    "DEFAULT_MODALITIES",
    "DEFAULT_PAGE_SIZE",
    "FrontalChoice",
    "InstanceSummary",
    "OpenedStudy",
    "PacsClient",
    "PacsConfig",
    "StudyQuery",
    "StudyReport",
    "StudySummary",
    "choose_frontal",
    "header_rows",
    "is_lateral",
    "newest_first",
    "open_study",
    "parse_da",
    "parse_tm",
    "report_from_dicom",
    "retrieve_checked",
]
