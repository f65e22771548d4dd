"""ETL: turn chest X-ray data sets into searchable cases (``python -m etl``).

Sources (``etl.sources``) parse a spec into a frozen, validated source that yields cases one at a
time (``read_openi_reports`` is the one Open-i XML reader, for benchmarks and tests too);
``run_ingest`` decodes, embeds and writes them in resumable, idempotent batches.
"""

from .jobs import IngestJob, ingest_job
from .pipeline import DEFAULT_BATCH_SIZE, parse_shard, run_ingest
from .report import IngestProgress, IngestReport
from .sources import (
    MESH_LABEL_PREFIX,
    BadItem,
    OpenIReport,
    SourceItem,
    mesh_labels,
    parse_source,
    read_openi_reports,
    shard_of,
)

__all__ = [
    "DEFAULT_BATCH_SIZE", "MESH_LABEL_PREFIX", "BadItem", "IngestJob", "IngestProgress", "IngestReport",
    "OpenIReport", "SourceItem", "ingest_job", "mesh_labels", "parse_shard", "parse_source", "read_openi_reports",
    "run_ingest", "shard_of",
]
