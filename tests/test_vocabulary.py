"""The finding vocabulary as data (reports/findings.toml): every term's example is found as its finding,
the file's own consistency checks, and the wordings the issue-13 review found missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medrag_core.reports import FILTER_LABELS, NO_FINDING_LABEL, check_report, parse_report
from medrag_core.reports.mentions import extract_observations
from medrag_core.reports.vocabulary import (
    CLEAR_IMPLIES,
    FINDINGS,
    NO_ACUTE_DISEASE,
    STUDY_NORMAL,
    TARGET_RE,
    TARGET_TERM,
    TERMS,
    VASC_NORMAL,
    VOCABULARY,
    VocabularyError,
    groups_checked_by,
    load_context_rules,
    load_vocabulary,
)

VALID_LABELS = '[labels]\nno_finding = "No Finding"\nany_device = "Support Devices"\n'


def test_every_term_has_an_example() -> None:
    assert [t.finding for t in TERMS if not t.example] == []


@pytest.mark.parametrize("index", range(len(TERMS)), ids=lambda i: f"{TERMS[i].finding}:{TERMS[i].example}")
def test_every_term_example_is_matched_by_that_term_as_its_finding(index: int) -> None:
    term = TERMS[index]
    assert term.example
    assert index in {TARGET_TERM[m.lastgroup or ""] for m in TARGET_RE.finditer(term.example)}  # this wording
    found = {o.name: o.polarity for o in extract_observations(term.example, "FINDINGS")}
    expected = set(FINDINGS[term.finding].implies) or {term.finding}
    if term.finding == "Lung Clear":
        expected = {"Lung Opacity", "Consolidation", "Pneumonia", "Edema"}  # what "the lungs are clear" rules out
    assert expected <= set(found), found
    if term.polarity:
        assert {found[name] for name in expected} == {term.polarity}


@pytest.mark.parametrize(("sentence", "name", "polarity", "side"), [
    ("Small left haemothorax.", "Hemothorax", "present", "left"),
    ("Right hemopneumothorax.", "Pneumothorax", "present", "right"),
    ("Small right PTX.", "Pneumothorax", "present", "right"),
    # older wording for a pneumothorax: the air in the pleural space named as a collection
    ("A large pleural air collection is present on the right.", "Pneumothorax", "present", "right"),
    ("No pleural air.", "Pneumothorax", "absent", None),
    # clinician shorthand for a side: a capital R or L before the finding's abbreviation, B/L and bilat
    ("The R PTX is smaller.", "Pneumothorax", "present", "right"),
    ("B/L effusions.", "Pleural Effusion", "present", "bilateral"),
    ("Bilat lower zone consolidation.", "Consolidation", "present", "bilateral"),
    ("RLL PNA.", "Pneumonia", "present", "right"),
    ("Mild interstitial oedema.", "Edema", "present", None),
    ("No evidence of CHF.", "Edema", "absent", None),
    ("Wide mediastinal contour.", "Enlarged Cardiomediastinum", "present", None),
    ("Masslike opacity in the left upper lobe.", "Mass", "present", "left"),
    ("There is right hilar enlargement.", "Hilar Enlargement", "present", "right"),
    ("Patchy ASD in the left lower lobe.", "Lung Opacity", "present", "left"),
    ("Mild CM.", "Cardiomegaly", "present", None),
    # an anatomy landmark lends no side: the finding's own side is the left
    ("Opacity in the left lower lobe seen behind the right hemidiaphragm.", "Lung Opacity", "present", "left"),
])
def test_vocabulary_wordings(sentence: str, name: str, polarity: str, side: str | None) -> None:
    found = [o for o in extract_observations(sentence, "FINDINGS") if o.name == name]
    assert [(o.polarity, o.side) for o in found][:1] == [(polarity, side)]


def test_terms_are_tried_only_where_a_word_starts() -> None:
    # the one boundary test before all alternatives keeps what each term finds: inside a word nothing starts
    assert [m.group(0) for m in TARGET_RE.finditer("hydropneumothorax; nonpneumothorax; a ptx")] == [
        "hydropneumothorax", "ptx"]
    # a term that opens with a lookbehind is still tried at the word it guards ("Mild CM.", not "2 CM")
    assert [o.name for o in extract_observations("Mild CM. A 2 CM nodule.", "FINDINGS")] == ["Cardiomegaly", "Nodule"]


def test_terms_tried_by_first_letter_find_what_one_alternation_of_all_terms_finds() -> None:
    plain = re.compile("|".join(f"(?P<t{i}>{t.pattern})" for i, t in enumerate(TERMS)), re.IGNORECASE)
    texts = [t.example or "" for t in TERMS] + [
        "FINDINGS: 2.5 cm rounded opacity in the RUL; Mild CM. CTR > 0.5. PTX excluded. NGT in the stomach.",
        "Heart size is top-normal. (Left) hemidiaphragm elevation, no collapse. 12 mm nodule; Pneumothorax-free.",
    ]
    for text in texts:
        want = [(m.span(), int((m.lastgroup or "t")[1:])) for m in plain.finditer(text)]
        assert [(m.span(), TARGET_TERM[m.lastgroup or ""]) for m in TARGET_RE.finditer(text)] == want, text


def test_abbreviation_cm_is_case_sensitive() -> None:
    assert [o.name for o in extract_observations("A 2 cm nodule.", "FINDINGS")] == ["Nodule"]


def test_a_placed_opacity_counts_against_clear_lungs() -> None:
    kinds = {i.kind for i in check_report("FINDINGS: Focal opacity in the right lower lobe.\n"
                                          "IMPRESSION: The lungs are clear.")}
    assert kinds == {"negation_conflict"}
    assert check_report("FINDINGS: Faint opacity at the right base.\nIMPRESSION: The lungs are clear.") == []


def test_groups_and_checks_come_from_the_file() -> None:
    assert groups_checked_by("omission") == {"pleural effusion", "pneumothorax", "airspace disease", "pulmonary edema",
                                             "cardiomegaly", "nodule or mass", "widened mediastinum", "free air",
                                             "pericardial effusion", "pneumomediastinum", "pneumopericardium",
                                             "mucus plugging"}
    assert "atelectasis" in groups_checked_by("negation") and "atelectasis" not in groups_checked_by("omission")
    assert FINDINGS["Hemothorax"].group == "pleural effusion"
    assert parse_report("FINDINGS: Left haemothorax.\nIMPRESSION: Normal chest.").observations[0].name == "Hemothorax"


@pytest.mark.parametrize(("body", "message"), [
    ('[[finding]]\nname = "A"\nsignificance = "huge"\n', "significance 'huge'"),
    ('[[finding]]\nname = "A"\nsignificance = "minor"\n[[term]]\nfinding = "B"\npattern = "b"\n', "finding 'B'"),
    ('[[finding]]\nname = "A"\nsignificance = "minor"\n[[term]]\nfinding = "A"\npattern = "(a"\n',
     "not a valid regular expression"),
])
def test_inconsistent_vocabulary_is_refused_with_the_entry_named(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "findings.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        load_vocabulary(path)


# --- normal statements and labels are vocabulary data too ([[normal]], [labels]) ---------------------------

NORMAL_EXAMPLES = [(s.kind, example) for s in VOCABULARY.normal_statements for example in s.examples]


def test_every_normal_statement_has_an_example() -> None:
    assert [s.pattern for s in VOCABULARY.normal_statements if not s.examples] == []


@pytest.mark.parametrize(("kind", "example"), NORMAL_EXAMPLES, ids=[e[1] for e in NORMAL_EXAMPLES])
def test_every_normal_statement_example_is_read_as_its_kind(kind: str, example: str) -> None:
    pattern = {"study_normal": STUDY_NORMAL, "no_acute_disease": NO_ACUTE_DISEASE, "vessels_normal": VASC_NORMAL}
    assert pattern[kind].search(example)
    assert [k for k, p in pattern.items() if k != kind and p.search(example)] == []


@pytest.mark.parametrize(("impression", "severity"), [
    ("Normal chest.", "warning"),            # study_normal: a finding left out of it is wrong
    ("Normal appearances.", "warning"),
    ("No acute cardiopulmonary process.", "info"),  # no_acute_disease: a small nodule beside it is usual
    ("Nothing acute.", "info"),
])
def test_normal_statements_from_the_file_drive_the_omission_severity(impression: str, severity: str) -> None:
    issues = check_report(f"FINDINGS: A 4 mm nodule in the right upper lobe.\nIMPRESSION: {impression}")
    assert [(i.kind, i.severity) for i in issues] == [("impression_omits_finding", severity)]
    # the issue's rule, whatever the normal statement: mild cardiomegaly or a trace effusion left out is info
    for minor in ("Mild cardiomegaly.", "Trace right pleural effusion."):
        issues = check_report(f"FINDINGS: {minor}\nIMPRESSION: {impression}")
        assert [(i.kind, i.severity) for i in issues] == [("impression_omits_finding", "info")]


def test_normal_vessels_and_clear_lungs_rule_out_what_the_file_says() -> None:
    assert CLEAR_IMPLIES == ("Lung Opacity", "Consolidation", "Pneumonia", "Edema", "Peribronchial Thickening",
                             "Atelectasis", "Tuberculosis", "Bronchiectasis", "Mucus Plugging",
                             "Interstitial Lung Disease")
    found = {(o.name, o.polarity) for o in extract_observations("Normal pulmonary vascularity.", "FINDINGS")}
    assert found == {("Edema", "absent")}


def test_search_filter_labels_come_from_the_file() -> None:
    assert FILTER_LABELS == (
        "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
        "Granuloma", "Lung Lesion", "Lung Opacity", "Mass", "No Finding", "Nodule", "Pleural Effusion",
        "Pleural Other", "Pneumonia", "Pneumothorax", "Support Devices")
    assert NO_FINDING_LABEL == "No Finding"
    assert groups_checked_by("contradiction") == {"pneumothorax", "pleural effusion", "airspace disease",
                                                  "pulmonary edema", "cardiomegaly"}


FINDING_A = '[[finding]]\nname = "A"\nsignificance = "minor"\n'


@pytest.mark.parametrize(("body", "message"), [
    ("[[finding]\nname = 1\n", r"findings\.toml is not valid TOML: .*line 1"),
    ('[[finding]]\nsignificance = "minor"\n' + VALID_LABELS, r"finding 1 has no 'name'"),
    (FINDING_A + '[[term]]\nfinding = "A"\n' + VALID_LABELS, r"term 1 \(A\) has no 'pattern'"),
    (FINDING_A + '[[term]]\nfinding = "A"\npattern = "%NOPE%"\n' + VALID_LABELS, r"macro %NOPE%"),
    # a term must open on a word: every alternative starts with \b (after a lookbehind at most)
    (FINDING_A + "[[term]]\nfinding = \"A\"\npattern = '''\\bab|cd'''\n" + VALID_LABELS,
     r"term 1 \(A\) has an alternative that does not open with \\b"),
    (FINDING_A + "[[term]]\nfinding = \"A\"\npattern = '''(?:x)(?:\\bb)'''\n" + VALID_LABELS, r"does not open with"),
    (FINDING_A + '[[normal]]\nkind = "fine"\npattern = "x"\n' + VALID_LABELS, r"normal statement 1 has kind 'fine'"),
    (FINDING_A + '[[normal]]\nkind = "study_normal"\npattern = "(x"\n' + VALID_LABELS,
     r"normal statement 1 is not a valid regular expression"),
    (FINDING_A + '[[normal]]\nkind = "vessels_normal"\npattern = "x"\nrules_out = ["B"]\n' + VALID_LABELS,
     r"normal statement 1 rules out unknown findings \['B'\]"),
    (FINDING_A + 'rules_out = ["B"]\n' + VALID_LABELS, r"finding 'A' rules out unknown findings \['B'\]"),
    (FINDING_A, r"\[labels\] has no 'no_finding'"),
    (FINDING_A + VALID_LABELS + 'search_filters = ["A", "Z"]\n', r"search_filters names unknown findings \['Z'\]"),
])
def test_malformed_vocabulary_is_refused_with_a_clear_message(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "findings.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(VocabularyError, match=message):
        load_vocabulary(path)


def test_a_minimal_valid_vocabulary_loads(tmp_path: Path) -> None:
    path = tmp_path / "findings.toml"
    path.write_text(FINDING_A + '[[normal]]\nkind = "study_normal"\npattern = "normal chest"\nexamples = ["Normal '
                    'chest."]\n' + VALID_LABELS + 'search_filters = ["A", "No Finding"]\n', encoding="utf-8")
    vocabulary = load_vocabulary(path)
    assert list(vocabulary.findings) == ["A"]
    assert [(s.kind, s.examples) for s in vocabulary.normal_statements] == [("study_normal", ("Normal chest.",))]
    assert vocabulary.labels.search_filters == ("A", "No Finding")


def test_missing_or_malformed_files_are_refused_with_the_file_named(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match="cannot read the finding vocabulary .*nowhere.toml"):
        load_vocabulary(tmp_path / "nowhere.toml")
    path = tmp_path / "context_rules.toml"
    path.write_text("[[rule]\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"context_rules\.toml is not valid TOML"):
        load_context_rules(path)


def test_families_lung_findings_and_bone_findings_come_from_the_file() -> None:
    from medrag_core.reports.vocabulary import BONE_FINDINGS, PARENCHYMAL_GROUPS, SIDE_FAMILY

    assert SIDE_FAMILY == {"airspace disease": "lung opacity", "atelectasis": "lung opacity",
                           "scarring": "lung opacity", "tuberculosis": "lung opacity"}
    assert PARENCHYMAL_GROUPS == {"airspace disease", "atelectasis", "scarring", "nodule or mass", "granuloma",
                                  "pulmonary edema", "tuberculosis", "mucus plugging", "interstitial lung disease"}
    # (and the breast's: a mastectomy's side is named by the chest wall it was done on)
    assert BONE_FINDINGS == {"Fracture", "Bone Lesion", "Cervical Rib", "Avascular Necrosis", "Mastectomy"}
    # the family: an opacity on the right in the findings, atelectasis on the left in the impression
    assert {i.kind for i in check_report("FINDINGS: Streaky opacity in the right lung base.\n"
                                         "IMPRESSION: Left basilar atelectasis.")} == {"laterality_conflict"}
    # bone anatomy gives a fracture its side, not a lung finding
    [fracture] = [o for o in extract_observations("Fracture of the right 5th rib.", "FINDINGS") if o.name == "Fracture"]
    assert fracture.side == "right"


def test_a_family_without_a_group_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "findings.toml"
    path.write_text(FINDING_A + 'side_family = "lung opacity"\n' + VALID_LABELS, encoding="utf-8")
    with pytest.raises(VocabularyError, match="finding 'A' has a side_family or is parenchymal but has no group"):
        load_vocabulary(path)
