"""ETL: turn chest X-ray data sets into searchable cases (``python -m etl``).

Sources (``etl.sources``) parse a spec into a frozen, validated source that yields cases one at a
time; ``run_ingest`` decodes, embeds and writes them in resumable, idempotent batches.
"""

from .pipeline import DEFAULT_BATCH_SIZE, parse_shard, run_ingest
from .report import IngestProgress, IngestReport
from .sources import BadItem, SourceItem, parse_source, shard_of

__all__ = [
    "DEFAULT_BATCH_SIZE", "BadItem", "IngestProgress", "IngestReport", "SourceItem", "parse_shard",
    "parse_source", "run_ingest", "shard_of",
]
