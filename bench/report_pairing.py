"""Recall of ``size_mismatch`` and ``change_mismatch`` on real IU reports, one statement altered.

usage: python -m bench.report_pairing [NLMCXR_reports.tgz]   (default: ../shared/data/iu_reports/)

Neither the dev set nor the IU archive holds a real size or change error, so the two kinds are measured
by injection into real wording: for each IU report whose IMPRESSION states a size (or a change) of a
finding the checks compare (``findings_checked_by``) that its FINDINGS also size (or change) at a
compatible side, the IMPRESSION's word nearest that finding is replaced by a far one ("small" ->
"large", "moderate" -> "small"; "increased" -> "decreased", "stable" -> "increasing", "new" ->
"unchanged"), and the checks run on the altered report. Prints, per kind, how many were injected, how
many were caught (an issue of that kind at warning), and each miss, so the reader can tell a missed
error from an alteration that made no contradiction (a range such as "small to moderate" turned
"small to small" still agrees with "small").
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from bench.report_checks import DEFAULT, iter_openi
from medrag_core.reports import Observation, findings_checked_by, parse_sections, run_checks

FAR_SIZE = {"small": "large", "mild": "severe", "minimal": "large", "trace": "large", "tiny": "large",
            "slight": "marked", "moderate": "small", "large": "small", "mildly": "markedly", "slightly": "markedly",
            "minimally": "markedly", "moderately": "mildly", "severe": "mild", "marked": "mild"}
FAR_CHANGE = [(r"\bincreas(ed|ing)\b", r"decreas\1"), (r"\bdecreas(ed|ing)\b", r"increas\1"),
              (r"\bimprov(ed|ing)\b", r"worsen\1"), (r"\bworsen(ed|ing)\b", r"improv\1"),
              (r"\bstable\b", "increasing"), (r"\bunchanged\b", "increased"), (r"\bnew\b", "unchanged")]
_SIZE_WORD = re.compile(r"\b(?:" + "|".join(FAR_SIZE) + r")\b", re.IGNORECASE)


def _sides_meet(a: Observation, b: Observation) -> bool:
    return a.side is None or b.side is None or "bilateral" in (a.side, b.side) or a.side == b.side


def _altered(sentence: str, term: str, kind: str) -> str | None:
    """The sentence with the size (change) word nearest ``term`` replaced by a far one, or None."""
    if kind == "size":
        at = sentence.lower().find(term.lower())
        words = list(_SIZE_WORD.finditer(sentence))
        if not words:
            return None
        word = min(words, key=lambda m: abs(m.start() - at))
        return sentence[:word.start()] + FAR_SIZE[word.group(0).lower()] + sentence[word.end():]
    for pattern, replacement in FAR_CHANGE:
        if re.search(pattern, sentence, re.IGNORECASE):
            return re.sub(pattern, replacement, sentence, count=1, flags=re.IGNORECASE)
    return None


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT
    if not path.exists():
        print(f"not found: {path}", file=sys.stderr)
        return 2
    counts: Counter[str] = Counter()
    misses: list[str] = []
    for uid, fields in iter_openi(path):
        findings, impression = fields.get("findings", ""), fields.get("impression", "")
        obs = parse_sections(findings, impression).observations
        for kind, said in (("size", lambda o: o.size or o.side_sizes), ("change", lambda o: o.change)):
            checked = findings_checked_by(kind)
            stated = [o for o in obs if o.polarity == "present" and o.name in checked and said(o)]
            pairs = [(a, b) for a in stated if a.section == "FINDINGS" for b in stated
                     if b.section == "IMPRESSION" and a.name == b.name and _sides_meet(a, b)]
            if not pairs:
                continue
            target = pairs[0][1]
            new = _altered(target.text, target.term, kind)
            if new is None or new == target.text:
                continue
            altered = impression.replace(target.text, new, 1)
            issues = run_checks(parse_sections(findings, altered))
            kinds = {i.kind for i in issues if i.severity in ("warning", "error")}
            counts[f"{kind} injected"] += 1
            if f"{kind}_mismatch" in kinds:
                counts[f"{kind} caught"] += 1
            else:
                misses.append(f"  {kind} {uid}: {target.text.strip()!r} -> {new.strip()!r}")
    for kind in ("size", "change"):
        injected, caught = counts[f"{kind} injected"], counts[f"{kind} caught"]
        print(f"{kind}_mismatch: caught {caught}/{injected} ({caught / max(1, injected):.2f})")
    print("missed:" if misses else "missed: none")
    print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
