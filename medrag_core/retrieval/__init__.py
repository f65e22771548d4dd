"""Similar cases: hybrid image/text/full-text retrieval with rank fusion, the searches built on it
(the model-mismatch fallback, Browse's searches), and neighbour consensus."""

from medrag_core.retrieval.consensus import neighbour_consensus, neighbour_findings
from medrag_core.retrieval.findings import FindingsQuery, findings_query, findings_search
from medrag_core.retrieval.hybrid import FTS_MAX_DF, RRF_K, fuse_rrf, fuse_sum, rank_ids, report_search_query, retrieve
from medrag_core.retrieval.search import (
    BROWSE_MIN_RESULTS,
    neighbours,
    retrieve_or_text_only,
    search_image,
    search_text,
)

__all__ = [
    "BROWSE_MIN_RESULTS",
    "FTS_MAX_DF",
    "RRF_K",
    "FindingsQuery",
    "findings_query",
    "findings_search",
    "fuse_rrf",
    "fuse_sum",
    "neighbour_consensus",
    "neighbour_findings",
    "neighbours",
    "rank_ids",
    "report_search_query",
    "retrieve",
    "retrieve_or_text_only",
    "search_image",
    "search_text",
]
