"""Report reading, section splitting and observation mentions (negation, uncertainty, laterality).

Sentences quoted from the IU X-ray collection are checked against the real reports when
../shared is present; the same behaviour is also pinned by our own sentences that always run.
"""

from __future__ import annotations

import pytest

from medrag_core.errors import ReportError
from medrag_core.reports import (
    observation_labels,
    parse_report,
    parse_sections,
    read_report,
    split_sentences,
    strongest_polarity,
)
from medrag_core.reports.mentions import extract_observations
from tests.shared_data import IU_TGZ, iu_reports, iu_sentence, require_shared


def obs(sentence: str, name: str, section: str = "FINDINGS"):
    parsed = parse_sections(sentence if section == "FINDINGS" else "", sentence if section == "IMPRESSION" else "")
    found = [o for o in parsed.observations if o.name == name]
    assert found, f"no {name} in {sentence!r}: {[o.name for o in parsed.observations]}"
    return found[0]


# --- read_report --------------------------------------------------------------------------------


def test_read_report_decodes_utf8_with_bom_and_latin1() -> None:
    assert read_report("\ufeffFINDINGS: ok".encode()) == "FINDINGS: ok"
    assert read_report("Rotation 15° ± 5".encode("latin-1")) == "Rotation 15° ± 5"


@pytest.mark.parametrize("data,code", [(b"", "empty"), (b" \t\n\r\n", "empty"), (b"FINDINGS\x00", "nul_byte"),
                                       ("x\x00", "nul_byte"), ("a" * 20_001, "too_long")])
def test_read_report_refuses(data: bytes | str, code: str) -> None:
    with pytest.raises(ReportError) as info:
        read_report(data)
    assert info.value.code == code
    assert info.value.user_message


def test_read_report_normalises_line_endings_and_never_truncates() -> None:
    assert read_report(b"A\r\nB\rC") == "A\nB\nC"
    assert len(read_report("x" * 500, max_chars=500)) == 500


# --- sections -------------------------------------------------------------------------------------


def test_sections_upper_lower_dash_and_no_colon_headers() -> None:
    p = parse_report("INDICATION: Cough.\nComparison - None.\nFindings: Clear lungs.\nIMPRESSION Normal chest.")
    assert p.sections == {"INDICATION": "Cough.", "COMPARISON": "None.", "FINDINGS": "Clear lungs.",
                          "IMPRESSION": "Normal chest."}


def test_sections_history_folds_into_indication_and_inline_impression() -> None:
    p = parse_report("HISTORY: Fever.\nFINDINGS: No effusion. IMPRESSION: Normal.")
    assert p.sections["INDICATION"] == "Fever."
    assert p.sections["FINDINGS"] == "No effusion."
    assert p.sections["IMPRESSION"] == "Normal."


def test_header_words_inside_prose_are_not_headers() -> None:
    p = parse_report("FINDINGS: Findings are consistent with edema.\nIMPRESSION: Edema.")
    assert p.sections["FINDINGS"] == "Findings are consistent with edema."


def test_mimic_final_report_header_and_caps_sections() -> None:
    text = ("FINAL REPORT\nEXAMINATION: CHEST (PA AND LAT)\n\nINDICATION: COUGH.\n\nFINDINGS:\n\n"
            "THE LUNGS ARE CLEAR. NO PLEURAL EFFUSION.\n\nIMPRESSION:\n\nNO ACUTE CARDIOPULMONARY PROCESS.")
    p = parse_report(text)
    assert p.sections["FINDINGS"] == "THE LUNGS ARE CLEAR. NO PLEURAL EFFUSION."
    assert p.sections["IMPRESSION"] == "NO ACUTE CARDIOPULMONARY PROCESS."
    assert p.sections["TECHNIQUE"] == "CHEST (PA AND LAT)"
    assert "FINAL REPORT" not in p.sections.values()


def test_numbered_impression_keeps_its_items_as_sentences() -> None:
    p = parse_report("FINDINGS: Small left effusion.\nIMPRESSION: 1. Small left effusion. 2. No pneumothorax.")
    sentences = [s for _, s in split_sentences(p.sections["IMPRESSION"])]
    assert sentences == ["1. Small left effusion.", "2. No pneumothorax."]


def test_crlf_parses_exactly_like_lf() -> None:
    lf = "FINDINGS: Mild cardiomegaly.\nIMPRESSION: Mild cardiomegaly."
    a, b = parse_report(lf), parse_report(lf.replace("\n", "\r\n"))
    assert a.sections == b.sections
    def key(p):
        return [(o.name, o.polarity, o.text) for o in p.observations]

    assert key(a) == key(b)


def test_no_headers_short_text_is_the_impression_long_text_the_findings() -> None:
    short = parse_report("No acute cardiopulmonary process.")
    assert short.headerless and short.sections == {"IMPRESSION": "No acute cardiopulmonary process."}
    long = parse_report(" ".join(["The lungs are clear."] * 5) + " " + "x" * 400)
    assert long.headerless and list(long.sections) == ["FINDINGS"]


def test_sentence_offsets_quote_the_section_verbatim() -> None:
    body = "Heart size normal. Dr. Smith was called at 10.30 am. Small left effusion."
    for off, s in split_sentences(body):
        assert body[off: off + len(s)] == s
    assert [s for _, s in split_sentences(body)][1] == "Dr. Smith was called at 10.30 am."


def test_structured_sections_and_missing_fields() -> None:
    p = parse_sections("Clear lungs.", "", indication="Cough")
    assert p.sections == {"INDICATION": "Cough", "FINDINGS": "Clear lungs.", "IMPRESSION": ""}
    assert p.structured


# --- negation, uncertainty, laterality --------------------------------------------------------------


@pytest.mark.parametrize("sentence,name,polarity", [
    ("No pleural effusion or pneumothorax.", "Pneumothorax", "absent"),
    ("The lungs are clear without focal consolidation.", "Consolidation", "absent"),
    ("The lungs are clear.", "Lung Opacity", "absent"),
    ("Heart size is normal.", "Cardiomegaly", "absent"),
    ("The heart is not enlarged.", "Cardiomegaly", "absent"),
    ("Mild cardiomegaly.", "Cardiomegaly", "present"),
    ("Pneumothorax is not seen.", "Pneumothorax", "absent"),
    ("The left pneumothorax has resolved.", "Pneumothorax", "absent"),
    ("No interval change in the left pleural effusion.", "Pleural Effusion", "present"),
    ("Possible small right pleural effusion.", "Pleural Effusion", "uncertain"),
    ("Right basilar opacity may represent atelectasis.", "Atelectasis", "uncertain"),
    ("Pneumonia cannot be excluded.", "Pneumonia", "uncertain"),
    ("Atelectasis versus infiltrate at the left base.", "Atelectasis", "uncertain"),
    ("Heart size is at the upper limits of normal.", "Cardiomegaly", "uncertain"),
    ("Evaluation for pneumothorax is limited by technique.", "Pneumothorax", "uncertain"),
])
def test_polarity_own_sentences(sentence: str, name: str, polarity: str) -> None:
    assert obs(sentence, name).polarity == polarity


def test_negation_qualifier_limits_only_its_own_noun() -> None:
    effusion = obs("No large pleural effusion or pneumothorax.", "Pleural Effusion")
    ptx = obs("No large pleural effusion or pneumothorax.", "Pneumothorax")
    assert effusion.polarity == "absent" and effusion.qualified
    assert ptx.polarity == "absent" and not ptx.qualified


def test_otherwise_clear_lungs_negate_only_outside_the_exception() -> None:
    p = parse_sections("Left basilar atelectasis, otherwise clear lungs.", "")
    absent = [o for o in p.observations if o.polarity == "absent"]
    # kept, but marked: the checks set it aside where the named exception could be the finding
    assert absent and all(o.extra.get("otherwise") for o in absent)
    p = parse_sections("Mild apical scarring. The lungs are otherwise clear.", "")
    assert {o.name for o in p.observations if o.polarity == "absent" and o.extra.get("otherwise")} >= {"Consolidation"}


@pytest.mark.parametrize("sentence,name,laterality,zone", [
    ("Small left pleural effusion.", "Pleural Effusion", "left", None),
    ("There is minimal atelectasis in the right lung base.", "Atelectasis", "right", "lower"),
    ("Right lower lobe opacity may represent focal infiltrate versus atelectasis.", "Atelectasis", "right", "lower"),
    ("Bibasilar atelectasis.", "Atelectasis", "bilateral", "lower"),
    ("Probable right midlung and left basilar atelectasis.", "Atelectasis", "bilateral", None),
])
def test_laterality_own_sentences(sentence: str, name: str, laterality: str, zone: str | None) -> None:
    o = obs(sentence, name)
    assert o.laterality == laterality
    if zone:
        assert zone in {z for _, z in o.sites}


def test_sites_pair_each_side_with_its_zone() -> None:
    o = obs("Probable right midlung and left basilar atelectasis.", "Atelectasis")
    assert set(o.sites) == {("right", "mid"), ("left", "lower")}


def test_observation_text_is_the_verbatim_sentence() -> None:
    body = "Heart size normal.  Small LEFT pleural effusion, unchanged."
    p = parse_sections(body, "Effusion.")
    o = next(o for o in p.observations if o.name == "Pleural Effusion" and o.section == "FINDINGS")
    assert o.text == "Small LEFT pleural effusion, unchanged."
    assert body[o.start: o.start + len(o.text)] == o.text
    assert o.term == "pleural effusion" and o.severity == "small" and o.temporal == "chronic"


def test_observation_labels() -> None:
    assert observation_labels(parse_sections("Lungs are clear. No effusion.", "Normal chest.")) == ["No Finding"]
    labels = observation_labels(parse_sections("Right chest tube. Small right pneumothorax.", "Small pneumothorax."))
    assert labels == ["Chest Tube", "Pneumothorax", "Support Devices"]


# --- real IU sentences --------------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("uid,sentence,name,polarity,laterality", [
    ("CXR1", "There is no evidence of pneumothorax.", "Pneumothorax", "absent", None),
    ("CXR1", "The cardiac silhouette and mediastinum size are within normal limits.", "Cardiomegaly", "absent", None),
    ("CXR10", "Stable calcified granuloma within the right upper lung.", "Granuloma", "present", "right"),
    ("CXR1525", "There is a large hydropneumothorax within the left chest.", "Pneumothorax", "present", "left"),
    ("CXR2100", "Questionable thin-walled cavitary lesion in the right lower lobe, only seen on the AP view and may "
                "represent artifact.", "Lung Lesion", "uncertain", "right"),
    ("CXR465", "Near-complete resolution of right-sided pleural effusion", "Pleural Effusion", "present", "right"),
    ("CXR2715", "There is a 9 mm right lower lobe pulmonary nodule, not seen on prior exams.", "Nodule", "present",
     "right"),
    ("CXR1044", "There has been clearing of left base airspace opacities.", "Lung Opacity", "absent", "left"),
])
def test_real_iu_sentences(uid: str, sentence: str, name: str, polarity: str, laterality: str | None) -> None:
    o = obs(iu_sentence(uid, sentence), name)
    assert o.polarity == polarity
    assert o.laterality == laterality
    assert o.text == sentence


@pytest.mark.shared
def test_every_iu_report_parses_and_quotes_verbatim() -> None:
    require_shared(IU_TGZ)
    for fields in list(iu_reports().values())[:800]:
        p = parse_sections(fields.get("findings", ""), fields.get("impression", ""))
        for o in p.observations:
            assert o.text in p.sections[o.section]
            assert o.term in o.text


# --- held-out wording: sides, zone ranges, resolved and probable findings, normal statements ---------


@pytest.mark.parametrize("sentence,name,laterality,zones", [
    ("Right mid to lower lung zone opacity.", "Lung Opacity", "right", {"mid", "lower"}),
    ("Opacity in the left upper and middle lung zones.", "Lung Opacity", "left", {"upper", "mid"}),
    ("R lower lobe consolidation.", "Consolidation", "right", {"lower"}),
    ("L. upper lobe nodule.", "Nodule", "left", {"upper"}),
    ("RLL pneumonia.", "Pneumonia", "right", {"lower"}),
    ("LUL nodule.", "Nodule", "left", {"upper"}),
    ("Effusion on the left.", "Pleural Effusion", "left", set()),
    ("Small effusion in the left hemithorax.", "Pleural Effusion", "left", set()),
    ("Right perihilar opacity.", "Lung Opacity", "right", {"hilum"}),
    ("Mild right costophrenic XXXX blunting.", "Pleural Effusion", "right", {"lower"}),
])
def test_laterality_held_out_wording(sentence: str, name: str, laterality: str, zones: set[str]) -> None:
    o = obs(sentence, name)
    assert o.laterality == laterality
    assert zones <= {z for _, z in o.sites}


def test_l_and_r_alone_are_not_sides() -> None:
    assert obs("L1 compression fracture.", "Fracture").laterality is None
    assert obs("Pneumonia, r/o effusion.", "Pneumonia").laterality is None


@pytest.mark.parametrize("sentence,name", [
    ("Interval resolution of left effusion.", "Pleural Effusion"),
    ("The left pneumothorax has resolved.", "Pneumothorax"),
    ("Left effusion is no longer seen.", "Pleural Effusion"),
    ("Interval clearing of left basilar opacity.", "Lung Opacity"),
])
def test_resolved_findings_keep_their_side(sentence: str, name: str) -> None:
    o = obs(sentence, name)
    assert o.polarity == "absent" and o.resolved and o.laterality == "left"


def test_no_is_not_resolved() -> None:
    o = obs("No left effusion.", "Pleural Effusion")
    assert o.polarity == "absent" and not o.resolved


@pytest.mark.parametrize("sentence,name,probable", [
    ("Probable small left effusion.", "Pleural Effusion", True),
    ("Likely right lower lobe pneumonia.", "Pneumonia", True),
    ("Opacity suspicious for pneumonia.", "Pneumonia", True),
    ("Possible small left effusion.", "Pleural Effusion", False),
    ("Cannot exclude early pneumonia.", "Pneumonia", False),
    ("Opacity may represent pneumonia.", "Pneumonia", False),
])
def test_probable_versus_possible(sentence: str, name: str, probable: bool) -> None:
    o = obs(sentence, name)
    assert o.polarity == "uncertain" and o.probable is probable


@pytest.mark.parametrize("sentence,name,polarity", [
    ("The lungs are normal.", "Lung Opacity", "absent"),
    ("Normal lungs.", "Consolidation", "absent"),
    ("Lungs are unremarkable.", "Pneumonia", "absent"),
    ("Pleural spaces are clear.", "Pleural Effusion", "absent"),
    ("Left lung base is clear.", "Lung Opacity", "absent"),
    ("Lungs are well expanded and clear.", "Lung Opacity", "absent"),
    ("Lungs free of consolidation.", "Consolidation", "absent"),
    ("Absence of pleural effusion.", "Pleural Effusion", "absent"),
    ("Negative for pneumothorax.", "Pneumothorax", "absent"),
    ("Heart unremarkable.", "Cardiomegaly", "absent"),
    ("Stable blunting of costophrenic XXXX.", "Pleural Effusion", "present"),
])
def test_held_out_normal_and_negated_wording(sentence: str, name: str, polarity: str) -> None:
    assert obs(sentence, name).polarity == polarity


def test_normal_lung_volumes_is_not_clear_lungs() -> None:
    p = parse_sections("Normal lung volumes. Lungs are normal in volume.", "")
    # (read as lungs not hyperinflated, all a normal volume rules out; nothing implied of the lungs' clearness)
    assert not any(o.implied for o in p.observations)
    assert {(o.name, o.polarity) for o in p.observations} <= {("Emphysema", "absent")}


@pytest.mark.shared
def test_real_iu_zone_range() -> None:
    s = iu_sentence("CXR2914", "There is a small area scarring lateral right mid to lower lung zone.")
    assert {z for _, z in obs(s, "Fibrosis").sites} == {"mid", "lower"}


# --- sections from any common layout, and whether the checks can run (issue 13) -------------------

@pytest.mark.parametrize(("text", "findings", "impression"), [
    ("Findings There is a small left effusion.\nImpression Small left effusion.",
     "There is a small left effusion.", "Small left effusion."),
    ("Findings\nThe lungs are clear.\n\nConclusion\nNormal chest.", "The lungs are clear.", "Normal chest."),
    ("FINAL REPORT\nEXAMINATION:  CHEST (PA AND LAT)\n\nINDICATION: ___ year old woman with cough\n\n"
     "FINDINGS: The lungs are clear.\n\nIMPRESSION: No acute process.", "The lungs are clear.", "No acute process."),
    ("The heart is normal. The lungs are clear.\n\nIMPRESSION: Normal chest.",
     "The heart is normal. The lungs are clear.", "Normal chest."),
    ("INDICATION: Cough.\n\nThe heart is normal. The lungs are clear.\n\nIMPRESSION: Normal chest.",
     "The heart is normal. The lungs are clear.", "Normal chest."),
    ("Report: The lungs are clear.\nOpinion: Normal appearances.", "The lungs are clear.", "Normal appearances."),
    ("FINDINGS: Clear lungs.\nIMPRESSION:\n1) Normal chest.\n2) No effusion.", "Clear lungs.",
     "1) Normal chest.\n2) No effusion."),
    ("Description The lungs are clear.\n\nOpinion 1. No acute disease.", "The lungs are clear.",
     "1. No acute disease."),
    ("Report Clear lungs.\n\nImpression 1.5 cm nodule in the right lung.", "Clear lungs.",
     "1.5 cm nodule in the right lung."),
    ("Clinical Details XXXX-year-old with pain.\n\nComparison None.\n\nThe lungs are clear.\n\nConclusion Normal.",
     "The lungs are clear.", "Normal."),
])
def test_sections_from_any_layout(text: str, findings: str, impression: str) -> None:
    parsed = parse_report(text)
    assert (parsed.sections.get("FINDINGS"), parsed.sections.get("IMPRESSION")) == (findings, impression)
    assert parsed.status == "checked"
    for name, body in parsed.sections.items():
        assert text[parsed.offsets[name]: parsed.offsets[name] + len(body)] == body


@pytest.mark.parametrize(("text", "status"), [
    ("History of smoking. Lungs are clear.", "sections_not_found"),
    ("A 54-year-old man presented with fever and cough. He was admitted to hospital. RT-PCR was positive.",
     "not_a_report"),
    ("FINDINGS: Lungs clear.\nIMPRESSION: Normal.", "checked"),
    ("A middle-aged male with newly diagnosed HIV infection was initiated on treatment. Imaging Notes: bilateral "
     "opacities.\nThe patient was treated and recovered.", "not_a_report"),
])
def test_check_status(text: str, status: str) -> None:
    assert parse_report(text).status == status


def test_mentions_carry_span_side_zone_size_and_change() -> None:
    text = "FINDINGS: There is a new 9 mm nodule in the right upper lobe. Left effusion has increased.\nIMPRESSION: x"
    by_name = {o.name: o for o in parse_report(text).observations}
    nodule, effusion = by_name["Nodule"], by_name["Pleural Effusion"]
    assert text[slice(*nodule.span)] == "nodule" and text[slice(*effusion.span)] == "effusion"
    assert (nodule.side, nodule.zone, nodule.size_mm, nodule.change) == ("right", "upper", 9.0, "new")
    assert (effusion.side, effusion.change, effusion.polarity) == ("left", "increased", "present")
    assert text[slice(*nodule.sentence_span)] == "There is a new 9 mm nodule in the right upper lobe."
    assert parse_report("FINDINGS: A 2 x 3 cm mass.").observations[0].size_mm == 30.0


def test_strongest_polarity_is_the_one_reducer() -> None:
    assert strongest_polarity(["absent", "uncertain", "present"]) == "present"
    assert strongest_polarity(["absent", "uncertain"]) == "uncertain"
    assert strongest_polarity({"absent"}) == "absent"
    with pytest.raises(ValueError):
        strongest_polarity([])


@pytest.mark.parametrize(("sentence", "side", "size", "side_sizes"), [
    ("Small right pleural effusion.", "right", "small", ()),
    ("Minimal blunting of the left costophrenic angle.", "left", "trace", ()),
    ("Small to moderate right pleural effusion.", "right", "small to moderate", ()),
    ("Mild-to-moderate cardiomegaly.", None, "small to moderate", ()),
    ("The heart is moderately enlarged.", None, "moderate", ()),  # the degree inside the term
    ("The right effusion is large.", "right", "large", ()),  # after the term
    ("The right effusion is slightly larger.", "right", None, ()),  # "slightly" qualifies the change
    ("Moderate right and small left pleural effusions.", "bilateral", None, (("left", "small"), ("right", "moderate"))),
    ("Bilateral pleural effusions, moderate on the right and small on the left.", "bilateral", None,
     (("left", "small"), ("right", "moderate"))),
])
def test_mentions_carry_their_own_size(sentence: str, side: str | None, size: str | None,
                                       side_sizes: tuple[tuple[str, str], ...]) -> None:
    [o] = [o for o in extract_observations(sentence, "FINDINGS") if o.name in ("Pleural Effusion", "Cardiomegaly")]
    assert (o.side, o.size, o.side_sizes) == (side, size, side_sizes)


@pytest.mark.parametrize(("sentence", "changes"), [
    ("Increasing right pleural effusion.", ["increased"]),
    ("The left effusion has nearly resolved.", ["decreased"]),
    ("No increase in the size of the right pleural effusion.", ["stable"]),  # a negated change is none
    ("Stable small left pleural effusion.", ["stable"]),
    ("Persistent small left pleural effusion.", [None]),  # still there, nothing said of its size
    ("Right pleural effusion has decreased and left effusion increased.", ["decreased", "increased"]),
    ("Cardiomegaly and increased interstitial opacities.", [None, "increased"]),  # the opacities' increase
    ("Large right effusion and small left effusion, both new.", [None, "new"]),
])
def test_mentions_carry_their_own_change(sentence: str, changes: list[str | None]) -> None:
    assert [o.change for o in extract_observations(sentence, "FINDINGS")] == changes
