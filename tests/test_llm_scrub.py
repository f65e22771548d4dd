"""The PHI scrubber: names after titles, dates, record and accession numbers, phones; masks kept."""

from __future__ import annotations

import pytest

from medrag_core.llm import scrub_phi


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Discussed with Dr. John Smith.", "Discussed with Dr. [NAME]."),
        ("Mrs. O'Brien-Lee and Mr. J. R. Tolkien", "Mrs. [NAME] and Mr. [NAME]"),
        ("Ms Jane Roe; Dr.Jones", "Ms [NAME]; Dr.[NAME]"),
        ("Patient name: Jane Q. Doe", "Patient name: [NAME]"),
        ("Compared with 03/04/2021, 3-4-21 and 12.05.2019.", "Compared with [DATE], [DATE] and [DATE]."),
        ("Study 2021-03-04 10:22 and 20210304.", "Study [DATE] and [DATE]."),
        ("On 4 March 2021, March 4th, 2021, Mar. 5, 2020 and Jan 2020.", "On [DATE], [DATE], [DATE] and [DATE]."),
        (
            "MRN: 12345678; Medical record number 998877; Patient ID A-12345",
            "MRN: [ID]; Medical record number [ID]; Patient ID [ID]",
        ),
        ("Accession: ACC778899, Acc# 1234567", "Accession: [ACCESSION], Acc# [ACCESSION]"),
        ("Call (555) 123-4567 or 555.123.4567 or +44 20 7946 0958", "Call [PHONE] or [PHONE] or [PHONE]"),
        ("Mail jdoe@example.org", "Mail [EMAIL]"),
    ],
)
def test_scrubs(text: str, expected: str) -> None:
    assert scrub_phi(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "INDICATION: XXXX-year-old female, XXXX. COMPARISON: XXXX, XXXX. Dr. XXXX. MRN XXXX. Accession XXXX.",
        "Nodule 2.5 x 3.1 cm at T12-L1 in a 45-year-old; 1.5 cm effusion; PA and lateral views.",
        "May represent atelectasis. Mild interstitial edema. No pneumothorax.",
        "Heart size is normal. Left lower lobe opacity, 2 of 5 ribs.",
    ],
)
def test_keeps_masks_and_clinical_text(text: str) -> None:
    assert scrub_phi(text) == text
