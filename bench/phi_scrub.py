"""Recall of the PHI scrubber per identifier type, and the clinical words it wrongly removes.

usage: python -m bench.phi_scrub [--n 2000] [--seed 16] [--known]

Scores ``medrag_core.llm.scrub_phi`` on the synthetic set of ``bench.phi_set`` (real IU report
sentences with inserted identifiers). An identifier counts as removed when none of its identifying
words (the name parts; the digits of a number, date or phone; the street number and name; the
institution's own words, not "Hospital") is left in the output more often than it occurs in the
document outside identifiers. Clinical words are the words of 3+ letters outside identifiers; a
lost one is a word the output has fewer times than the input. ``--known`` also passes each
document's DICOM-style known values (PatientName, PatientID), as the workbench does for DICOM uploads.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable

from bench.phi_set import PhiDoc, make_phi_set

_GENERIC = frozenset(
    "hospital medical center clinic health general memorial county department saint st street ave avenue road rd "
    "drive dr lane ln court ct way place pl suite apt unit boulevard blvd terrace circle parkway highway md rn".split()
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_TAG_WORDS = frozenset({"NAME", "DATE", "ID", "ACCESSION", "PHONE", "EMAIL", "AGE", "ADDRESS", "HOSPITAL"})


def identifying_words(value: str, kind: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(value)]
    if kind in ("ID", "ACCESSION", "PHONE", "DATE", "AGE"):
        return [w for w in words if any(c.isdigit() for c in w)] or words
    if kind == "NAME":
        return [w for w in words if len(w) >= 2 and w not in ("dr", "mr", "mrs", "ms")]
    return [w for w in words if w not in _GENERIC and (len(w) >= 3 or w.isdigit())]


def _counts(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text) if w not in _TAG_WORDS)


def score(docs: list[PhiDoc], scrub: Callable[[str, list[str]], str], *, known: bool = False) -> dict:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    missed_examples: dict[str, list[str]] = {}
    eponyms_total = eponyms_kept = 0
    clinical_total = clinical_lost = 0
    lost_words: Counter[str] = Counter()
    started = time.perf_counter()
    for doc in docs:
        out = scrub(doc.text, doc.known_values if known else [])
        starts = [s for s, _, _ in doc.spans] + [len(doc.text)]
        ends = [0] + [e for _, e, _ in doc.spans]
        outside = "".join(doc.text[a:b] for a, b in zip(ends, starts, strict=True))
        background, left = _counts(outside), _counts(out)
        for start, end, kind in doc.spans:
            total[kind] += 1
            words = identifying_words(doc.text[start:end], kind)
            if all(left[w] <= background[w] for w in words):
                found[kind] += 1
            else:
                missed_examples.setdefault(kind, []).append(doc.text[start:end])
        for eponym in doc.eponyms:
            eponyms_total += 1
            eponyms_kept += eponym in out
        clinical = Counter({w: c for w, c in background.items() if len(w) >= 3 and not w.isdigit()})
        clinical_total += sum(clinical.values())
        for w, c in clinical.items():
            if left[w] < c:
                clinical_lost += c - left[w]
                lost_words[w] += c - left[w]
    elapsed = time.perf_counter() - started
    return {
        "recall": {k: found[k] / total[k] for k in sorted(total)},
        "counts": {k: (found[k], total[k]) for k in sorted(total)},
        "missed_examples": {k: v[:8] for k, v in missed_examples.items()},
        "eponyms": (eponyms_kept, eponyms_total),
        "clinical_lost": (clinical_lost, clinical_total),
        "lost_words": lost_words.most_common(15),
        "ms_per_doc": 1000 * elapsed / max(1, len(docs)),
    }


def print_score(result: dict, label: str) -> None:
    print(f"## {label}")
    print("| type | removed / total | recall |")
    print("|---|---|---|")
    for kind, (hit, n) in result["counts"].items():
        print(f"| {kind} | {hit} / {n} | {hit / n:.3f} |")
    kept, n = result["eponyms"]
    lost, words = result["clinical_lost"]
    print(f"eponyms kept: {kept} / {n}; clinical words removed: {lost} of {words} ({lost / max(1, words):.4f})")
    print(f"most removed clinical words: {result['lost_words']}")
    print(f"time: {result['ms_per_doc']:.2f} ms per document")
    for kind, examples in result["missed_examples"].items():
        print(f"missed {kind}: {examples}")


def main(argv: list[str] | None = None) -> None:
    from medrag_core.llm import scrub_phi

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--known", action="store_true", help="pass the DICOM-style known values too")
    args = parser.parse_args(argv)
    docs = make_phi_set(args.n, args.seed)
    scrub_phi("warm up the name lists")
    print(f"# command: python -m bench.phi_scrub --n {args.n} --seed {args.seed}" + (" --known" if args.known else ""))
    print_score(score(docs, lambda text, known: scrub_phi(text, known), known=args.known), "scrub_phi")


if __name__ == "__main__":
    main()
