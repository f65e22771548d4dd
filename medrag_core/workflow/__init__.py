"""``verify(image, report, settings)``: the one pipeline behind the Verify page, the CLI and the API;
and the Browse searches that need the upload embedding (by image, a case's neighbours), shared by the
Browse page and the API (the text search is ``medrag_core.retrieval.search_text``)."""

from medrag_core.workflow.browse import neighbours, search_image
from medrag_core.workflow.stages import NOTICE_EMPTY, NOTICE_OFFLINE
from medrag_core.workflow.verify import NOTICE_REPORT_ONLY, check_report_text, precompute_image_embedding, verify

__all__ = [
    "NOTICE_EMPTY",
    "NOTICE_OFFLINE",
    "NOTICE_REPORT_ONLY",
    "check_report_text",
    "neighbours",
    "precompute_image_embedding",
    "search_image",
    "verify",
]
