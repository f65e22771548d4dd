"""Text chunking for embedders whose text encoder has a short fixed context (SigLIP: 64 tokens).

``split_sentences`` cuts a report into sentences; ``pack_chunks`` packs the sentences' token ids
greedily into chunks that fit the model's token budget. Pure Python: no tokenizer, no torch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def split_sentences(text: str) -> list[str]:
    """Split on whitespace after . ! ? ; and on line breaks ("3.5 cm" stays whole); drops empties."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def pack_chunks(sentence_ids: Sequence[Sequence[int]], budget: int) -> list[list[int]]:
    """Greedily pack whole sentences (token id lists) into chunks of at most ``budget`` tokens.

    A sentence longer than ``budget`` is cut into ``budget``-token pieces; its last piece starts a
    new chunk that following sentences may join. Order and every token are kept.
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    for ids in sentence_ids:
        ids = list(ids)
        if len(current) + len(ids) <= budget:
            current += ids
            continue
        if current:
            chunks.append(current)
        while len(ids) > budget:
            chunks.append(ids[:budget])
            ids = ids[budget:]
        current = ids
    if current or not chunks:
        chunks.append(current)
    return chunks
