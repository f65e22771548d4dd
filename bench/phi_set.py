"""A synthetic PHI set: real report sentences with identifiers inserted the ways people write them.

``make_phi_set(n, seed)`` returns ``n`` labelled documents. Each joins 2-4 real sentences from the IU
chest X-ray reports (``../shared/data/iu_reports/NLMCXR_reports.tgz``; a few built-in sentences when
it is absent) with 1-3 identifiers placed before, between or after them, labelled ("MRN: 12345678")
or not ("in patient John Smith (12345678)"), and now and then a sentence with a medical eponym
(Hodgkin, Parkinson, Swan-Ganz, Kerley, ...) that must survive scrubbing. Every identifier's exact
character span and type is recorded.

Names, streets and cities come from Faker (several locales, so many names are in no US name list);
the scrubber's own name lists come from a different source (philter-lite's), so the set does not
test the lists against themselves. Types: NAME, ID (MRN and other record numbers), ACCESSION, DATE,
AGE (over 89), PHONE, ADDRESS, HOSPITAL.
"""

from __future__ import annotations

import os
import random
import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_SHARED = Path(os.environ.get("MEDRAG_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
IU_REPORTS = _SHARED / "data" / "iu_reports" / "NLMCXR_reports.tgz"

EPONYM_SENTENCES = (
    "History of Hodgkin lymphoma, status post treatment.",
    "Known Parkinson disease with poor inspiratory effort.",
    "Swan-Ganz catheter tip in the right pulmonary artery.",
    "Kerley B lines suggest interstitial edema.",
    "Morgagni hernia in the right cardiophrenic angle.",
    "Small Bochdalek hernia posteriorly on the left.",
    "Right apical mass, possible Pancoast tumor.",
    "Hampton hump in the right lower lobe.",
    "Westermark sign raises concern for embolism.",
    "Dobhoff tube tip in the stomach.",
    "Harrington rods in the thoracolumbar spine.",
    "Hickman catheter tip at the cavoatrial junction.",
    "Port-A-Cath tip in the superior vena cava.",
    "Chilaiditi sign under the right hemidiaphragm.",
    "Changes of Wegener granulomatosis are unchanged.",
    "Findings of Swyer-James syndrome on the left.",
    "Zenker diverticulum seen on prior esophagram.",
    "Foley catheter and Salem sump in place.",
    "Possible Boerhaave syndrome; recommend CT.",
    "Kartagener syndrome with dextrocardia.",
    "Golden S sign of right upper lobe collapse.",
    "Fleischner Society guidelines recommend follow-up CT.",
)
EPONYMS = (
    "Hodgkin", "Parkinson", "Swan-Ganz", "Kerley", "Morgagni", "Bochdalek", "Pancoast", "Hampton",
    "Westermark", "Dobhoff", "Harrington", "Hickman", "Port-A-Cath", "Chilaiditi", "Wegener", "Swyer-James",
    "Zenker", "Foley", "Salem", "Boerhaave", "Kartagener", "Golden", "Fleischner",
)  # fmt: skip
_FALLBACK_SENTENCES = (
    "The heart is normal in size.",
    "The mediastinum is unremarkable.",
    "The lungs are clear.",
    "No pneumothorax or pleural effusion.",
    "Stable calcified granuloma in the right upper lobe.",
    "Mild degenerative changes of the thoracic spine.",
    "Left lower lobe opacity, possibly atelectasis or pneumonia.",
    "No acute cardiopulmonary abnormality.",
)
_LOCALES = ("en_US", "en_US", "en_US", "en_GB", "es_MX", "de_DE", "fr_FR", "it_IT", "en_IE", "vi_VN", "en_IN", "pl_PL")
_HOSPITAL_SUFFIX = ("Hospital", "Medical Center", "General Hospital", "Memorial Hospital", "Clinic", "Health Center")


@dataclass
class PhiDoc:
    """One document: its text and the (start, end, type) of every identifier in it."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    eponyms: list[str] = field(default_factory=list)
    known_values: list[str] = field(default_factory=list)
    """What a DICOM header would hold for this patient (PatientName as LAST^FIRST, PatientID)."""


def report_sentences(path: Path = IU_REPORTS, limit: int = 20_000) -> list[str]:
    """Sentences of the FINDINGS and IMPRESSION sections of the IU reports (built-in ones when absent)."""
    if not path.exists():
        return list(_FALLBACK_SENTENCES)
    sentences: list[str] = []
    pattern = re.compile(r'<AbstractText Label="(?:FINDINGS|IMPRESSION)">([^<]+)</AbstractText>')
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            for body in pattern.findall(handle.read().decode("utf-8", "replace")):
                sentences += [s.strip() for s in re.split(r"(?<=\.)\s+", body) if len(s.strip()) > 8]
            if len(sentences) >= limit:
                break
    return sentences


class _Maker:
    """Draws identifiers; each template returns [(text, type or None), ...] pieces."""

    def __init__(self, rng: random.Random) -> None:
        from faker import Faker

        self.rng = rng
        self.fakers = {loc: Faker(loc) for loc in sorted(set(_LOCALES))}  # sorted: the same seeds every run
        for i, fake in enumerate(self.fakers.values()):
            fake.seed_instance(rng.randrange(1 << 30) + i)
        self.us = self.fakers["en_US"]

    def fake(self) -> object:
        return self.fakers[self.rng.choice(_LOCALES)]

    def person(self) -> tuple[str, str]:
        fake = self.fake()
        first, last = fake.first_name(), fake.last_name()  # type: ignore[attr-defined]
        return first, last

    def mrn(self) -> str:
        return str(self.rng.randrange(10**6, 10**9)).zfill(self.rng.choice((7, 8, 9)))

    def accession(self) -> str:
        r = self.rng
        return r.choice(
            (f"A{r.randrange(10**7, 10**8)}", f"{r.randrange(10**8, 10**10)}",
             f"RAD-{r.randrange(2015, 2025)}-{r.randrange(10**5, 10**6)}",
             f"CR{r.randrange(10**6, 10**7)}")
        )  # fmt: skip

    def date(self) -> str:
        r = self.rng
        y, m, d = r.randrange(1930, 2025), r.randrange(1, 13), r.randrange(1, 29)
        months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")  # fmt: skip
        return r.choice(
            (f"{m:02d}/{d:02d}/{y}", f"{m}/{d}/{y % 100:02d}", f"{y}-{m:02d}-{d:02d}", f"{months[m - 1]} {d}, {y}",
             f"{d} {months[m - 1][:3]} {y}", f"{months[m - 1][:3]}. {d}, {y}", f"{d:02d}.{m:02d}.{y}", f"{m}/{d}",
             f"{m:02d}/{y}", f"{months[m - 1]} {y}")
        )  # fmt: skip

    def phone(self) -> str:
        r = self.rng
        a, b, c = r.randrange(201, 990), r.randrange(200, 999), r.randrange(0, 10000)
        return r.choice((f"({a}) {b}-{c:04d}", f"{a}-{b}-{c:04d}", f"{a}.{b}.{c:04d}", f"+1 {a} {b} {c:04d}"))

    def address(self) -> str:
        us = self.us
        return self.rng.choice(
            (f"{us.street_address()}, {us.city()}, {us.state_abbr()} {us.zipcode()}", us.street_address())  # type: ignore[attr-defined]
        )

    def hospital(self) -> str:
        us = self.us
        stem = self.rng.choice((us.last_name(), us.city(), f"St. {us.first_name()}'s", f"{us.last_name()} County"))  # type: ignore[attr-defined]
        return f"{stem} {self.rng.choice(_HOSPITAL_SUFFIX)}"

    def old_age(self) -> str:
        age = self.rng.randrange(90, 106)
        return self.rng.choice((f"{age}-year-old", f"{age} y/o", f"{age} yo", f"age {age}", f"{age} years old"))


Piece = tuple[str, str | None]


def _templates(m: _Maker, first: str, last: str, mrn: str) -> list[Callable[[], list[Piece]]]:
    r = m.rng
    full = f"{first} {last}"
    return [
        lambda: [("Patient: ", None), (full, "NAME"), (".", None)],
        lambda: [("Patient name: ", None), (f"{last}, {first}", "NAME")],
        lambda: [("NAME: ", None), (f"{last.upper()}, {first.upper()}", "NAME")],
        lambda: [("in patient ", None), (full, "NAME"), (" (", None), (mrn, "ID"), ("),", None)],
        lambda: [(full, "NAME"), (" is a ", None), (m.old_age(), "AGE"), (" with cough.", None)],
        lambda: [("Findings discussed with ", None), (f"{m.person()[0]} {m.person()[1]}", "NAME"),
                 (" at ", None), (m.phone(), "PHONE"), (".", None)],  # fmt: skip
        lambda: [("Discussed with Dr. ", None), (m.person()[1], "NAME"), (" on ", None), (m.date(), "DATE"),
                 (".", None)],
        lambda: [("Called to ", None), (f"{m.person()[0]} {m.person()[1]}", "NAME"), (", RN.", None)],
        lambda: [(r.choice(("Mr. ", "Mrs. ", "Ms. ")), None), (last, "NAME"), (" returns for follow-up.", None)],
        lambda: [("Comparison: ", None), (m.date(), "DATE"), (".", None)],
        lambda: [("Compared with the prior study of ", None), (m.date(), "DATE"), (".", None)],
        lambda: [("seen ", None), (m.date(), "DATE")],
        lambda: [("DOB: ", None), (m.date(), "DATE")],
        lambda: [("MRN: ", None), (mrn, "ID")],
        lambda: [("MRN ", None), (mrn, "ID")],
        lambda: [("Medical record number ", None), (mrn, "ID"), (".", None)],
        lambda: [("Patient ID: ", None), (mrn, "ID")],
        lambda: [("#", None), (mrn, "ID")],
        lambda: [("Accession: ", None), (m.accession(), "ACCESSION")],
        lambda: [("Acc# ", None), (m.accession(), "ACCESSION")],
        lambda: [("Accession number ", None), (m.accession(), "ACCESSION"), (".", None)],
        lambda: [("Exam date ", None), (m.date(), "DATE"), (", accession ", None), (m.accession(), "ACCESSION")],
        lambda: [("Age: ", None), (m.old_age(), "AGE")],
        lambda: [("A ", None), (m.old_age(), "AGE"), (" woman with dyspnea.", None)],
        lambda: [("Contact: ", None), (m.phone(), "PHONE")],
        lambda: [("Pager ", None), (m.phone(), "PHONE")],
        lambda: [("Address: ", None), (m.address(), "ADDRESS")],
        lambda: [("Lives at ", None), (m.address(), "ADDRESS"), (".", None)],
        lambda: [("Transferred from ", None), (m.hospital(), "HOSPITAL"), (".", None)],
        lambda: [("Outside films from ", None), (m.hospital(), "HOSPITAL"), (" reviewed.", None)],
        lambda: [(m.hospital(), "HOSPITAL"), (" Department of Radiology.", None)],
        lambda: [("Dictated by: ", None), (f"{m.person()[0]} {m.person()[1]}", "NAME"), (", MD", None)],
        lambda: [("Referring physician: ", None), (f"Dr. {m.person()[1]}", "NAME")],
        lambda: [(f"{first}", "NAME"), (" has a history of smoking.", None)],
        lambda: [("Images of ", None), (full, "NAME"), (" were reviewed.", None)],
        lambda: [("The patient, ", None), (full, "NAME"), (", is ", None), (m.old_age(), "AGE"), (".", None)],
    ]  # fmt: skip


def make_phi_set(n: int = 2_000, seed: int = 16, sentences: list[str] | None = None) -> list[PhiDoc]:
    """``n`` labelled documents, the same for the same ``seed`` and sentences."""
    rng = random.Random(seed)
    pool = sentences if sentences is not None else report_sentences()
    maker = _Maker(rng)
    docs = []
    for _ in range(n):
        first, last = maker.person()
        mrn = maker.mrn()
        templates = _templates(maker, first, last, mrn)
        blocks: list[list[Piece]] = [[(s, None)] for s in rng.sample(pool, rng.randrange(2, 5))]
        eponyms: list[str] = []
        if rng.random() < 0.4:
            sentence = rng.choice(EPONYM_SENTENCES)
            blocks.insert(rng.randrange(len(blocks) + 1), [(sentence, None)])
            eponyms += [e for e in EPONYMS if e in sentence]
        for _ in range(rng.randrange(1, 4)):
            blocks.insert(rng.randrange(len(blocks) + 1), rng.choice(templates)())
        doc = PhiDoc(text="", eponyms=eponyms, known_values=[f"{last.upper()}^{first.upper()}", mrn])
        for i, block in enumerate(blocks):
            if i:  # a field without a full stop ends its line, as header fields do
                doc.text += "\n" if not doc.text.rstrip().endswith((".", ")", ",")) else rng.choice((" ", " ", "\n"))
            for text, kind in block:
                if kind is not None:
                    doc.spans.append((len(doc.text), len(doc.text) + len(text), kind))
                doc.text += text
        docs.append(doc)
    return docs
