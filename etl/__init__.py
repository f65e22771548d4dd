"""ETL: turn chest X-ray data sets into searchable cases (``python -m etl``).

Sources (``etl.sources``) parse a spec into a frozen, validated source that yields cases one at a
time (``read_openi_reports`` is the one Open-i XML reader, for benchmarks and tests too);
``run_ingest`` decodes, embeds (when the model is there) and writes them in resumable, idempotent
batches; ``run_embed`` computes the embeddings an ingest without the model left empty.
"""

#: How to run this CLI from a plain shell in the project folder (the venv's python has the dependencies).
ETL_HINT = ".venv/bin/python -m etl"

from .embed import EmbedProgress, EmbedReport, run_embed  # noqa: E402 - after ETL_HINT, which they may name
from .jobs import IngestJob, ingest_job  # noqa: E402
from .pipeline import (  # noqa: E402
    DEFAULT_BATCH_SIZE,
    embed_records,
    keep_prepared,
    parse_shard,
    run_ingest,
    screen_records,
)
from .prepare import PrepareOptions, prepare  # noqa: E402
from .report import IngestProgress, IngestReport  # noqa: E402
from .sources import (  # noqa: E402
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
    "DEFAULT_BATCH_SIZE", "ETL_HINT", "MESH_LABEL_PREFIX", "BadItem", "EmbedProgress", "EmbedReport", "IngestJob",
    "IngestProgress", "IngestReport", "OpenIReport", "PrepareOptions", "SourceItem", "embed_records", "ingest_job",
    "keep_prepared", "mesh_labels", "parse_shard", "parse_source", "prepare", "read_openi_reports", "run_embed",
    "run_ingest", "screen_records", "shard_of",
]
