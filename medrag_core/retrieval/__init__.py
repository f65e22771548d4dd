"""Similar cases: hybrid image/text/full-text retrieval with rank fusion, and neighbour consensus."""

from medrag_core.retrieval.consensus import neighbour_consensus, neighbour_findings
from medrag_core.retrieval.hybrid import FTS_MAX_DF, RRF_K, fuse_rrf, fuse_sum, rank_ids, report_search_query, retrieve

__all__ = [
    "FTS_MAX_DF",
    "RRF_K",
    "fuse_rrf",
    "fuse_sum",
    "neighbour_consensus",
    "neighbour_findings",
    "rank_ids",
    "report_search_query",
    "retrieve",
]
