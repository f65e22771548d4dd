"""Each offline report check, on our own reports and on real IU reports (when ../shared is present)."""

from __future__ import annotations

import pytest

from medrag_core.reports import KINDS, check_report, parse_sections, run_checks
from tests.shared_data import iu_report

FLAGGED = {"warning", "error"}


def kinds(findings: str | None, impression: str | None, **kw: str) -> set[str]:
    return {i.kind for i in run_checks(parse_sections(findings, impression, **kw)) if i.severity in FLAGGED}


CLEAN = [
    ("The heart is normal in size. The lungs are clear. No pleural effusion or pneumothorax.",
     "No acute cardiopulmonary abnormality."),
    ("There are no focal areas of consolidation. Heart size slightly enlarged. No pleural effusions.",
     "1. No acute cardiopulmonary abnormality. 2. Mild cardiomegaly, stable."),
    ("Left basilar atelectasis, otherwise clear lungs. Bibasilar atelectasis.", "Left basilar atelectasis."),
    ("No large pleural effusion. Small right pleural effusion.", "Small right pleural effusion."),
    ("Stable calcified granuloma in the right upper lobe.", "No active disease."),
    ("Heart size is at the upper limits of normal. Lungs are clear.", "No acute cardiopulmonary findings."),
    ("Right lower lobe infiltrate. Left lung clear.", "Right lower lobe pneumonia."),
]


@pytest.mark.parametrize("findings,impression", CLEAN)
def test_clean_reports_raise_no_flagged_issue(findings: str, impression: str) -> None:
    assert kinds(findings, impression) == set()


def test_missing_section() -> None:
    assert kinds("", "Normal chest.") == {"missing_section"}
    assert kinds("Clear lungs.", None) == {"missing_section"}
    headerless = check_report("No acute cardiopulmonary process.")
    assert [(i.kind, i.severity) for i in headerless] == [("missing_section", "info")]


@pytest.mark.parametrize("token", ["[***]", "___", "[ ]", "<insert>", "{size}", "XX cm"])
def test_placeholder_tokens(token: str) -> None:
    issues = run_checks(parse_sections(f"There is a {token} nodule in the right upper lobe.", "Nodule."))
    hit = [i for i in issues if i.kind == "placeholder"]
    assert hit and hit[0].severity == "error"
    assert hit[0].evidence == f"There is a {token} nodule in the right upper lobe."


@pytest.mark.parametrize("text", ["Dr. XXXX notified at XXXX.", "Heart size normal.<BR>Lungs clear.",
                                  "A 15 mm nodule.", "<b>No focal consolidation</b>"])
def test_not_placeholders(text: str) -> None:
    assert "placeholder" not in kinds(text, "Normal chest.")


@pytest.mark.parametrize("findings,impression", [
    ("Right lower lobe infiltrate.", "Left lower lobe pneumonia."),
    ("Patchy right lower lung opacification is noted.", "Left basilar airspace disease."),
    ("Large left pleural effusion with compressive atelectasis.", "Large right pleural effusion."),
    ("Left midlung airspace opacity and atelectasis. Left basilar atelectasis.",
     "Probable right midlung and left basilar atelectasis."),
])
def test_laterality_conflict(findings: str, impression: str) -> None:
    issues = [i for i in run_checks(parse_sections(findings, impression)) if i.kind == "laterality_conflict"]
    assert issues and issues[0].severity == "error"
    assert impression.split(".")[0] in issues[0].evidence


@pytest.mark.parametrize("findings,impression", [
    ("Right upper lobe atelectasis. Left basilar atelectasis.", "Left basilar atelectasis."),
    ("Right upper lobe nodule.", "Left hilar calcified granuloma. Right upper lobe nodule."),
])
def test_no_laterality_conflict_for_multifocal_findings(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("Heart size is normal. The lungs are clear.", "Cardiomegaly."),
    ("The cardiomediastinal silhouette is within normal limits.", "Enlarged cardiac silhouette."),
    ("The lungs are clear.", "Focal right lower lobe infiltrate."),
    ("No focal airspace disease.", "Left basilar airspace opacity."),
    ("No pneumothorax.", "There is a small left pneumothorax."),
    ("No pleural effusion.", "Blunting of the right costophrenic angle, small effusion."),
    ("No pulmonary edema.", "Interstitial edema."),
    ("Mild cardiomegaly.", "No evidence of cardiomegaly."),
])
def test_negation_conflict(findings: str, impression: str) -> None:
    issues = [i for i in run_checks(parse_sections(findings, impression)) if i.kind == "negation_conflict"]
    assert issues and issues[0].severity == "error"


@pytest.mark.parametrize("findings,impression", [
    ("No new infiltrate.", "Stable left lower lobe infiltrate."),
    ("No large pleural effusion.", "Small left pleural effusion."),
    ("No right pleural effusion.", "Small left pleural effusion."),
    ("The lungs are clear.", "Left basilar atelectasis."),
    ("There is no focal consolidation.", "Left basilar opacity, likely atelectasis."),
])
def test_no_negation_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize(("findings", "severity"), [
    ("Patchy airspace disease in the left lingula. Normal heart size.", "warning"),
    ("Moderate right pleural effusion.", "warning"),
    ("The cardiac silhouette is enlarged.", "warning"),
    ("Mild pulmonary edema.", "warning"),
    ("Small right apical pneumothorax.", "warning"),
    ("There is mild haziness in the right lung which could represent infiltrate.", "warning"),
    ("There is a 9 mm nodule in the right upper lobe.", "warning"),
    ("New small right pleural effusion.", "warning"),
    # calibrated on real reports: left out of "no acute disease", these are info
    ("Small right pleural effusion.", "info"),
    ("Stable cardiomegaly.", "info"),
    ("Mild cardiomegaly.", "info"),
    ("There is a 4 mm nodule in the right upper lobe.", "info"),
    ("The mediastinum is widened.", "warning"),
])
def test_impression_omits_finding(findings: str, severity: str) -> None:
    issues = [i for i in run_checks(parse_sections(findings, "No acute cardiopulmonary abnormality."))
              if i.kind == "impression_omits_finding"]
    assert [i.severity for i in issues] == [severity]
    assert "No acute cardiopulmonary abnormality." in issues[0].evidence
    assert issues[0].section == "impression"


@pytest.mark.parametrize("findings,impression", [
    ("Stable calcified granuloma. Degenerative changes of the spine.", "No acute disease."),
    ("Stable cardiomegaly.", "1. No acute disease. 2. Stable cardiomegaly."),
    ("Bony overlap in the lung apices could obscure a small pulmonary nodule.", "No acute disease."),
    ("Nodular density over the left base consistent with nipple shadow.", "No acute findings."),
    ("Mild bibasilar atelectasis.", "No acute cardiopulmonary process."),
])
def test_impression_omits_finding_not_for_chronic_or_incidental(findings: str, impression: str) -> None:
    assert "impression_omits_finding" not in kinds(findings, impression)


def test_info_checks() -> None:
    issues = run_checks(parse_sections("Moderate right pneumothorax. Unchanged since the prior study. "
                                       "Nodule measuring 2.5 in the left lung.", "Right pneumothorax.",
                                       comparison="None."))
    got = {i.kind: i.severity for i in issues}
    assert got["critical_not_communicated"] == "info"
    assert got["comparison_not_available"] == "info"
    assert got["measurement_without_unit"] == "info"
    told = run_checks(parse_sections("Moderate right pneumothorax.", "Right pneumothorax. Discussed with Dr. X."))
    assert "critical_not_communicated" not in {i.kind for i in told}


def test_every_issue_kind_is_declared_and_evidence_is_verbatim() -> None:
    text = ("FINDINGS: Right lower lobe infiltrate. No pneumothorax. Heart size [ ] normal.\n"
            "IMPRESSION: Left lower lobe pneumonia. Small pneumothorax.")
    issues = check_report(text)
    assert {i.kind for i in issues} >= {"laterality_conflict", "negation_conflict", "placeholder"}
    for i in issues:
        assert i.kind in KINDS
        for part in i.evidence.split(" ... "):
            assert part in text


# --- real IU reports ------------------------------------------------------------------------------


def _iu(uid: str) -> set[str]:
    f = iu_report(uid)
    return kinds(f.get("findings", ""), f.get("impression", ""), comparison=f.get("comparison", ""))


@pytest.mark.shared
def test_real_iu_laterality_conflict() -> None:
    # CXR2370: FINDINGS "consolidation and atelectasis have developed in the right lower lobe",
    # IMPRESSION "Left lower lobe airspace disease consistent with pneumonia."
    assert "laterality_conflict" in _iu("CXR2370")


@pytest.mark.shared
def test_real_iu_impression_omits_pneumothorax() -> None:
    # CXR3694: "Small residual left apical pneumothorax has increased slightly ..." / "No acute ... abnormality."
    assert "impression_omits_finding" in _iu("CXR3694")


@pytest.mark.shared
@pytest.mark.parametrize("uid", ["CXR1", "CXR10", "CXR1044", "CXR2715", "CXR465", "CXR1412", "CXR1722"])
def test_real_iu_clean_reports(uid: str) -> None:
    assert _iu(uid) == set()


@pytest.mark.shared
def test_real_iu_info_checks() -> None:
    f = iu_report("CXR1262")  # "There is pneumothorax." with no communication statement
    issues = run_checks(parse_sections(f.get("findings", ""), f.get("impression", "")))
    assert "critical_not_communicated" in {i.kind for i in issues}
    f = iu_report("CXR2231")  # "no significant interval change compared to prior study", COMPARISON: None.
    issues = run_checks(parse_sections(f.get("findings", ""), f.get("impression", ""), comparison=f["comparison"]))
    assert "comparison_not_available" in {i.kind for i in issues}


# --- held-out wording (bench/make_heldout.py) -------------------------------------------------------


@pytest.mark.parametrize("token", ["[DATE]", "[ INSERT ]", "<>", "< >", "<<>>", "{ }", "{{ }}", "**", "[...]",
                                   "x.x cm", "__ mm", "[x]", "?? cm"])
def test_other_placeholder_shapes(token: str) -> None:
    assert "placeholder" in kinds(f"There is a {token} opacity in the right lung base.", "Right basilar opacity.")


@pytest.mark.parametrize("text", ["**Findings**", "See reference [1].", "Heart size normal.<BR>Lungs clear."])
def test_other_not_placeholders(text: str) -> None:
    assert "placeholder" not in kinds(text, "Normal chest.")


@pytest.mark.parametrize("findings,impression", [
    # opacity in one section, atelectasis / scarring in the other (IU CXR1439, CXR3286, CXR2914 style)
    ("Streaky opacities are present in the right lung base.", "Left base focal atelectasis."),
    ("There is a small area of scarring in the right lower lung zone.", "Scarring in the left lower lung zone."),
    ("The left costophrenic sulcus is blunted.", "Right-sided small pleural effusion."),
    ("There is haziness in the right lung apex.", "Haziness in the left lung apex."),
])
def test_laterality_other_wording(findings: str, impression: str) -> None:
    assert "laterality_conflict" in kinds(findings, impression)


def test_laterality_chained_and_rib_sides_do_not_fire() -> None:
    assert "laterality_conflict" not in kinds(
        "There is scarring or subsegmental atelectasis at the right lung base.",
        "Left lower lobe pneumonia and minimal scarring or subsegmental atelectasis in the right lung base.")
    assert "laterality_conflict" not in kinds(
        "Biapical scarring, chronic appearing right 5th rib contour deformity.",
        "Densities in left base may be compatible with scarring.")


@pytest.mark.parametrize("findings,impression", [
    ("Pulmonary vascularity is within normal limits. No effusion.", "Mild pulmonary vascular congestion."),
    ("Both lungs are clear and expanded.", "Lingular pneumonia."),
    ("Mild apical scarring. The lungs are otherwise clear.", "Left lower lobe consolidation."),
    ("Small bilateral pleural effusions.", "No evidence of effusion."),
    ("Cardiomegaly.", "Normal cardiac silhouette."),
])
def test_negation_other_wording(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("Right basilar atelectasis. The lungs are otherwise clear.", "Right lower lobe pneumonia."),
    ("No infiltrates in the left lower lobe or in the right lung.", "Previous tuberculosis pneumonia."),
    ("Left basilar airspace opacity secondary to epicardial fat and overlying soft tissues.", "Clear lungs."),
])
def test_negation_other_wording_clean(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("impression", ["No active disease.", "Normal chest.", "No acute findings.",
                                        "Negative chest x-ray.",
                                        "No radiographic evidence of acute cardiopulmonary disease."])
def test_other_normal_impressions_omit(impression: str) -> None:
    assert "impression_omits_finding" in kinds("Moderate right pleural effusion.", impression)


def test_minimal_costophrenic_blunting_is_not_an_omission() -> None:
    assert "impression_omits_finding" not in kinds("Minimal blunting of the left costophrenic XXXX.",
                                                   "No acute pulmonary abnormalities.")


# --- held-out wording ---------------------------------------------------------------------------------


@pytest.mark.parametrize("findings,impression", [
    ("Right-sided pleural effusion.", "Small left effusion."),
    ("Small effusion on the left.", "Right pleural effusion."),
    ("R lower lobe consolidation.", "Left lower lobe pneumonia."),
    ("RLL infiltrate.", "Left lower lobe pneumonia."),
    ("Right perihilar opacity.", "Left perihilar infiltrate."),
    ("Opacity in the right mid and lower lung zones.", "Left lower lobe pneumonia."),
    ("There is a small area scarring lateral right mid to lower lung zone.",
     "Small area scarring in the left lower lung zone."),
    ("Pneumothorax on the right.", "Left apical pneumothorax."),
    ("Mild right costophrenic XXXX blunting.", "Small left pleural effusion versus pleural thickening."),
    # a zone-less bilateral pattern does not hide a flipped basal finding (IU CXR235 style)
    ("Mild diffuse bilateral interstitial opacities. Opacities overlying the right lung base.",
     "Opacities overlying the left lung base, possibly atelectasis."),
    # both sections say it has gone, on different sides (IU CXR1113 style)
    ("Interval resolution of previously described left midlung opacity.",
     "Resolution of prior right midlung infiltrate."),
])
def test_laterality_held_out_wording(findings: str, impression: str) -> None:
    assert "laterality_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("Bibasilar atelectasis, greater on the right.", "Right basilar atelectasis."),
    ("Right lower lobe pneumonia. Mild left basilar atelectasis.", "Right lower lobe pneumonia."),
    ("Left effusion has resolved. Small right effusion.", "Small right effusion."),
    ("No left effusion.", "No right effusion."),
])
def test_laterality_held_out_wording_clean(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("Lungs are well expanded and clear.", "There is a left lower lobe infiltrate."),
    ("The lungs are free of focal consolidation.", "Findings consistent with right lower lobe pneumonia."),
    ("Lungs are clear of infiltrate.", "Compatible with pneumonia in the left lower lobe."),
    ("Absence of pleural effusion.", "There is a small right effusion."),
    ("Negative for pneumothorax.", "Small left pneumothorax."),
    ("Pneumothorax is not identified.", "Small right apical pneumothorax."),
    ("Heart unremarkable.", "Cardiomegaly."),
    ("The heart is enlarged.", "Heart unremarkable."),
    ("Small left pleural effusion.", "Pleural spaces are clear."),
    ("Left lower lobe pneumonia.", "Lungs are normal."),
    ("No focal airspace disease.", "Likely right lower lobe pneumonia."),
    ("No pleural effusion.", "Probable small left effusion."),
    ("Right lower lobe opacity suspicious for pneumonia.", "Clear lungs."),
    ("Findings demonstrate a right pleural effusion.", "No effusion."),
    # a knee effusion the study "limits evaluation for" is no pleural effusion (IU CXR3966 style)
    ("There is no focal airspace opacity, pleural effusion, or pneumothorax. The lateral view limits evaluation "
     "for an effusion.", "Layering pleural fluid at the left base."),
])
def test_negation_held_out_wording(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # a possible finding beside a negation is hedging, not a contradiction
    ("No pleural effusion.", "Possible small left effusion."),
    ("No focal consolidation.", "Cannot exclude early pneumonia."),
    ("No focal consolidation.", "Opacity may represent pneumonia."),
    ("Interval resolution of left effusion.", "No pleural effusion."),
    ("Normal lung volumes. No consolidation.", "No acute disease."),
    ("No pneumothorax.", "Evaluation for pneumothorax is limited."),
    # the negating section names the opacity in plainer words (IU CXR1125)
    ("Bilateral streaky opacities. No focal airspace disease.", "Bibasilar streaky airspace opacities."),
])
def test_negation_held_out_wording_clean(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.shared
def test_real_iu_flipped_resolved_pneumothorax() -> None:
    f = iu_report("CXR649")  # "The left apical pneumothorax has resolved." / "... left hemithorax with resolution ..."
    assert "laterality_conflict" not in kinds(f["findings"], f["impression"])
    flipped = f["findings"].replace("The left apical pneumothorax", "The right apical pneumothorax")
    assert flipped != f["findings"]
    assert "laterality_conflict" in kinds(flipped, f["impression"])


@pytest.mark.shared
def test_real_iu_bare_opacity_named_in_findings_is_no_negation_conflict() -> None:
    f = iu_report("CXR1125")
    assert "negation_conflict" not in kinds(f["findings"], f["impression"])


# --- within one section; structured issues (issue 13) ----------------------------------------------

@pytest.mark.parametrize(("findings", "fires"), [
    ("Small right apical pneumothorax. Heart size normal. No pneumothorax.", True),
    ("The heart is enlarged. Heart size is normal.", True),
    ("Small right apical pneumothorax cannot be excluded. No pneumothorax.", False),
    ("No large effusion. Small left effusion.", False),
    ("Resolved left effusion. Small right effusion.", False),
    ("No right effusion. Small left effusion.", False),
])
def test_section_contradiction(findings: str, fires: bool) -> None:
    issues = [i for i in run_checks(parse_sections(findings, "See findings.")) if i.kind == "section_contradiction"]
    assert bool(issues) is fires
    if fires:
        assert issues[0].severity == "warning" and issues[0].section == "findings"


def test_issues_carry_section_finding_and_spans_into_the_report() -> None:
    report = "FINDINGS: Small left pleural effusion.\n\nIMPRESSION: Small right pleural effusion."
    [issue] = check_report(report)
    assert (issue.kind, issue.section, issue.finding) == ("laterality_conflict", "findings+impression",
                                                          "pleural effusion")
    assert [report[s:e] for s, e in issue.spans] == ["Small left pleural effusion.", "Small right pleural effusion."]


def test_findings_missing_is_info_when_the_impression_describes_the_image() -> None:
    described = run_checks(parse_sections("", "Heart size is normal and the lungs are clear."))
    assert [(i.kind, i.severity) for i in described] == [("missing_section", "info")]
    bare = run_checks(parse_sections("", "No acute cardiopulmonary abnormality."))
    assert [(i.kind, i.severity) for i in bare] == [("missing_section", "warning")]


def test_case_notes_get_no_missing_section_noise() -> None:
    notes = ("A 67-year-old woman was admitted with fever and dyspnea. She received 5 mg prednisolone. "
             "RT-PCR was positive.")
    parsed = parse_sections(notes, "")
    assert parsed.status == "not_a_report" and run_checks(parsed) == []


# --- scope (issue 13) --------------------------------------------------------------------------------

def test_a_calcified_aorta_does_not_explain_cardiomegaly_away() -> None:
    issues = run_checks(parse_sections("Cardiomegaly and tortuous calcified aorta are unchanged.", "Normal chest."))
    assert [(i.kind, i.finding) for i in issues] == [("impression_omits_finding", "cardiomegaly")]
    portable = run_checks(parse_sections("Cardiomegaly, accentuated by the AP portable technique.", "Normal chest."))
    assert portable == []


@pytest.mark.parametrize(("sentence", "name", "polarity"), [
    ("Interstitial markings may be secondary to edema.", "Edema", "uncertain"),
    ("Peripheral opacity reflects scar or a small amount of loculated pleural fluid.", "Pleural Effusion",
     "uncertain"),
    ("No effusion, secondary to the diuresis.", "Pleural Effusion", "absent"),
])
def test_hedges_and_alternatives_keep_their_scope(sentence: str, name: str, polarity: str) -> None:
    found = [o.polarity for o in parse_sections(sentence, "x").observations if o.name == name]
    assert found[:1] == [polarity]


@pytest.mark.parametrize("impression", ["Normal appearances.", "Nothing acute.",
                                        "Chest radiograph within normal limits."])
def test_other_normal_impressions(impression: str) -> None:
    issues = run_checks(parse_sections("Moderate right pleural effusion.", impression))
    assert [(i.kind, i.severity) for i in issues] == [("impression_omits_finding", "warning")]


# --- calibrated on the IU sample (docs/report_checks.md) ---------------------------------------------

@pytest.mark.parametrize(("findings", "impression"), [
    ("The heart is mildly enlarged.", "No acute cardiopulmonary findings."),  # the degree inside the term
    ("The heart size is persistently enlarged.", "No acute cardiopulmonary findings."),
    ("Slightly widened mediastinum, accentuated by AP portable technique.", "No acute abnormality."),
    ("Minimal airspace opacity in the right middle lobe.", "No acute cardiopulmonary findings."),
])
def test_iu_omissions_that_are_info(findings: str, impression: str) -> None:
    issues = run_checks(parse_sections(findings, impression))
    assert {i.severity for i in issues if i.kind == "impression_omits_finding"} <= {"info"}


def test_opacity_explained_as_the_atelectasis_the_impression_names_is_not_omitted() -> None:
    findings = "Streaky left basilar airspace opacities, compatible with atelectasis."
    impression = "Left basilar atelectasis. No acute cardiopulmonary abnormalities."
    assert run_checks(parse_sections(findings, impression)) == []


def test_improving_finding_against_its_near_complete_clearing_is_no_conflict() -> None:
    findings = "There has been improvement in the right midlung zone airspace disease."
    assert run_checks(parse_sections(findings, "Near complete clearing of right midlung airspace disease.")) == []


# --- pairing by finding, side, zone, size and change (issue 13, item 4) ------------------------------------


def issues_of(findings: str, impression: str) -> list[tuple[str, str, str]]:
    return [(i.kind, i.severity, i.message) for i in run_checks(parse_sections(findings, impression))
            if i.severity in FLAGGED]


@pytest.mark.parametrize(("findings", "impression", "message"), [
    ("Large right pleural effusion.", "Small right pleural effusion.",
     "FINDINGS describe the right pleural effusion as large, the IMPRESSION as small."),
    ("Moderate cardiomegaly.", "Mild cardiomegaly.",
     "FINDINGS describe the cardiomegaly as moderate, the IMPRESSION as mild."),
    ("A 9 mm nodule in the right upper lobe.", "2 cm right upper lobe nodule.",
     "FINDINGS describe the right nodule or mass as 9 mm, the IMPRESSION as 2 cm."),
    # two effusions: each side paired with its own, so the left one's size differs (and the sides look swapped)
    ("Moderate right pleural effusion. Small left pleural effusion.", "Moderate left pleural effusion.",
     "FINDINGS describe the left pleural effusion as small, the IMPRESSION as moderate. "
     "(FINDINGS call the right one moderate: are the sides swapped?)"),
    # a catheter "overlying the left upper lung" does not make the pneumothorax an artifact
    ("Redemonstration of moderate left pneumothorax.",
     "No change in small left pneumothorax with a pleural catheter overlying the left upper lung.",
     "FINDINGS describe the left pneumothorax as moderate, the IMPRESSION as small."),
])
def test_size_mismatch_between_sections(findings: str, impression: str, message: str) -> None:
    assert issues_of(findings, impression) == [("size_mismatch", "warning", message)]


def test_size_mismatch_of_a_bilateral_finding_narrowed_to_one_side() -> None:
    # since the v3 look, a bilateral finding stated on one side only in the impression is a laterality warning too
    assert issues_of("Small bilateral pleural effusions.", "Large left pleural effusion.") == [
        ("laterality_conflict", "warning",
         "FINDINGS place the pleural effusion on both sides, the IMPRESSION only on the left."),
        ("size_mismatch", "warning", "FINDINGS describe the left pleural effusion as small, the IMPRESSION as large."),
    ]


@pytest.mark.parametrize(("findings", "impression", "message"), [
    ("Increasing right pleural effusion.", "Decreasing right pleural effusion.",
     "FINDINGS describe the right pleural effusion as new or increasing, the IMPRESSION as decreasing."),
    ("The left pleural effusion has nearly resolved.", "Stable left pleural effusion.",
     "FINDINGS describe the left pleural effusion as decreasing, the IMPRESSION as unchanged."),
    ("Stable small right pleural effusion.", "New small right pleural effusion.",
     "FINDINGS describe the right pleural effusion as unchanged, the IMPRESSION as new or increasing."),
    ("Worsening right lower lobe consolidation.", "Improving right lower lobe pneumonia.",
     "FINDINGS describe the right airspace disease as new or increasing, the IMPRESSION as decreasing."),
    # "compared to the prior study" is a comparison, not a finding of the past; a plain opacity pairs too
    ("As compared to the prior study, there are increased perihilar opacities bilaterally.",
     "Low lung volumes with slightly decreased perihilar opacities bilaterally.",
     "FINDINGS describe the bilateral airspace disease as new or increasing, the IMPRESSION as decreasing."),
])
def test_change_mismatch_between_sections(findings: str, impression: str, message: str) -> None:
    assert issues_of(findings, impression) == [("change_mismatch", "warning", message)]


@pytest.mark.parametrize(("findings", "impression"), [
    # each side paired with its own statement
    ("Moderate right pleural effusion. Small left pleural effusion.",
     "Bilateral pleural effusions, moderate on the right and small on the left."),
    ("Moderate right and small left pleural effusions.", "Small left pleural effusion. Moderate right effusion."),
    ("Right pleural effusion has increased. Left effusion has decreased.",
     "Increasing right and decreasing left pleural effusions."),
    # not two different statements: a range, "trace" against "small", a size only one section gives
    ("Small to moderate right pleural effusion.", "Moderate right pleural effusion."),
    ("Minimal right pleural effusion.", "Small right pleural effusion."),
    ("Right pleural effusion.", "Large right pleural effusion."),
    # ambiguous: the findings give the right side two sizes (two findings, or a description over time)
    ("Small right apical pneumothorax. Large right basilar pneumothorax.", "Moderate right pneumothorax."),
    # sizes in different zones are different findings
    ("Small right upper lobe consolidation.", "Large right lower lobe consolidation."),
    # "slightly larger" is a change, not a size; "persistent" says nothing of the size
    ("The right effusion is slightly larger.", "Large right pleural effusion, increased."),
    ("Persistent small right pleural effusion.", "Decreasing right pleural effusion."),
    # "no increase" is unchanged, as the impression says
    ("No increase in the size of the right pleural effusion.", "Stable right pleural effusion."),
    # the increase belongs to the opacities, not to the heart
    ("Cardiomegaly and increased interstitial opacities.", "Stable cardiomegaly."),
    # two sizes over time in one statement; "stable to slightly decreased" has no one direction
    ("Moderate right pleural effusion has decreased, now small.", "Decreasing right effusion, now small."),
    ("Small right pleural effusion, previously large.", "Large right pleural effusion on the prior study."),
    ("Stable to slightly decreased right pleural effusion.", "Stable right pleural effusion."),
    # a shadow explained as superimposed structures is not the nodule; blunting is a sign, not the effusion
    ("Small nodular opacity in the left upper lobe.", "Large nodular opacity in the left upper lung, superimposed "
     "structures."),
    ("Minimal blunting of the right costophrenic angle.", "Large right pleural effusion."),
    # a size of the past is not today's
    ("Small right pleural effusion.", "Decreased right pleural effusion, large on the prior study."),
])
def test_paired_statements_that_agree_raise_nothing(findings: str, impression: str) -> None:
    assert issues_of(findings, impression) == []


@pytest.mark.parametrize(("findings", "impression", "expected"), [
    # opposite sides, each stated once: a laterality conflict
    ("Moderate right pleural effusion.", "Moderate left pleural effusion.", {"laterality_conflict"}),
    # both sides stated separately in the findings: the impression's side is one of them, so no side conflict
    ("Moderate right pleural effusion. Small left pleural effusion.", "Small left pleural effusion.", set()),
    ("Right pleural effusion. Left pleural effusion.", "Left pleural effusion.", set()),
])
def test_laterality_conflict_only_when_the_other_side_is_not_stated(findings: str, impression: str,
                                                                    expected: set[str]) -> None:
    assert kinds(findings, impression) == expected


@pytest.mark.shared
@pytest.mark.parametrize("uid", ["CXR2271", "CXR353", "CXR1628", "CXR1383", "CXR2454", "CXR699", "CXR715"])
def test_real_iu_reports_whose_sizes_or_changes_differ_only_in_wording(uid: str) -> None:
    # CXR2271 / CXR353 "minimal" vs "small" effusion, CXR1628 "mild" blunting vs "small" effusions; CXR1383
    # "persistent small" vs "decreasing" effusion; CXR2454 "stable blunting ... improved aeration" vs "stable
    # blunting"; CXR699 "stable enlargement of the cardiac silhouette" vs "cardiomegaly and increased
    # interstitial opacities"; CXR715 "mildly increased streaky airspace disease" vs "chronic ... mildly increased"
    assert not _iu(uid) & {"size_mismatch", "change_mismatch"}


# --- alternatives written with a slash or "or" (issue 13) ------------------------------------------

@pytest.mark.parametrize(("findings", "impression"), [
    # every alternative is a finding of one group: whichever it is, the group is affirmed
    ("No pleural effusion. No pneumothorax.", "Small left pleural effusion/hemothorax."),
    ("No focal consolidation.", "Right lower lobe pneumonia or consolidation."),
    ("Moderate right effusion or haemothorax.", "No pleural effusion."),
    # and against lungs called clear: pneumonia or consolidation, either is not clear lungs
    ("The lungs are clear.", "Right lower lobe pneumonia/consolidation."),
])
def test_alternatives_of_one_group_affirm_it_against_a_plain_negation(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize(("findings", "impression"), [
    # alternatives across groups stay a hedge: "scar or pleural fluid" is not affirmed fluid
    ("No pleural effusion.", "Blunting of the left costophrenic angle may represent scar or pleural fluid."),
    ("No pleural effusion.", "Scar or pleural fluid at the left base."),
    ("No focal consolidation.", "Atelectasis/infiltrate at the left base."),
    ("No pleural effusion.", "Pleural effusion and/or pleural thickening on the right."),
    # a hedged run stays hedged
    ("No pleural effusion.", "Possible effusion or hemothorax."),
    # a normal statement ("lungs are clear") is weighed only against alternatives of one group
    ("The lungs are clear.", "Right lower lobe atelectasis/infiltrate."),
])
def test_alternatives_across_groups_or_hedged_stay_silent(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize(("sentence", "alternatives"), [
    ("Right effusion/hemothorax.", {"Pleural Effusion": ("Hemothorax",), "Hemothorax": ("Pleural Effusion",)}),
    ("Scar or pleural fluid at the left base.", {"Fibrosis": ("Pleural Effusion",), "Pleural Effusion": ("Fibrosis",)}),
    ("Possible effusion or hemothorax.", {"Pleural Effusion": (), "Hemothorax": ()}),
    ("No effusion or pneumothorax.", {"Pleural Effusion": (), "Pneumothorax": ()}),
    # every part of a combined finding is one of the alternatives, and uncertain
    ("Hemopneumothorax or effusion.", {"Pneumothorax": ("Pleural Effusion",), "Hemothorax": ("Pleural Effusion",),
                                       "Pleural Effusion": ("Pneumothorax", "Hemothorax")}),
])
def test_mentions_name_their_alternatives(sentence: str, alternatives: dict[str, tuple[str, ...]]) -> None:
    obs = [o for o in parse_sections(sentence, "x").observations if o.section == "FINDINGS"]
    assert {o.name: o.alternatives for o in obs} == alternatives
    if any(alternatives.values()):
        assert {o.polarity for o in obs} == {"uncertain"}


def test_alternatives_of_one_group_contradict_a_negation_in_the_same_section() -> None:
    issues = run_checks(parse_sections("Small left pleural effusion/hemothorax. Heart normal. No pleural effusion.",
                                       "See findings."))
    assert [i.kind for i in issues if i.kind == "section_contradiction"] == ["section_contradiction"]


@pytest.mark.shared
def test_real_iu_effusion_or_hemothorax_is_affirmed_fluid() -> None:
    f = iu_report("CXR3945")  # "There is a small left pleural effusion/hemothorax." in both sections
    assert "negation_conflict" not in kinds(f["findings"], f["impression"])
    injected = f["findings"] + " No pleural effusion."
    assert "negation_conflict" in kinds(injected.replace("There is a small left pleural effusion/hemothorax.", ""),
                                        f["impression"])


# --- a bilateral finding narrowed to one side in a hedged impression ------------------------------

@pytest.mark.parametrize(("findings", "impression"), [
    # probable: the impression leans to the finding, on one side
    ("Bibasilar atelectasis. No effusion.", "Probably left basilar atelectasis."),
    # hedged only between opacities of one family at one side: which opacity is in doubt, not where
    ("Bibasilar atelectasis.", "Left basilar atelectasis versus scarring."),
    ("Small bilateral pleural effusions.", "Small left pleural effusion/hemothorax."),
])
def test_bilateral_finding_narrowed_in_a_hedged_impression_warns(findings: str, impression: str) -> None:
    issues = [i for i in run_checks(parse_sections(findings, impression)) if i.kind == "laterality_conflict"]
    assert [i.severity for i in issues] == ["warning"]


@pytest.mark.parametrize(("findings", "impression"), [
    # merely possible: no statement of the side
    ("Bibasilar atelectasis.", "Cannot exclude left basilar atelectasis."),
    ("Bibasilar atelectasis.", "Possible left basilar atelectasis."),
    # weighed against another kind of finding (IU CXR277's shape): the side is the nodule's question
    ("Mild biapical scarring.", "Vague right upper lung nodular densities versus scarring."),
    # alternatives on both sides, or one side said to be the worse in FINDINGS
    ("Bibasilar atelectasis.", "Left basilar atelectasis versus right basilar scarring."),
    ("Bibasilar atelectasis, right greater than left.", "Probably right basilar atelectasis."),
])
def test_bilateral_finding_in_a_hedged_impression_that_states_no_side_is_silent(findings: str,
                                                                                impression: str) -> None:
    assert "laterality_conflict" not in kinds(findings, impression)


@pytest.mark.shared
def test_real_iu_nodular_densities_versus_scarring_is_no_narrowed_side() -> None:
    f = iu_report("CXR277")  # "Mild biapical scarring" / "right upper/mid lung nodular densities versus scarring"
    assert "laterality_conflict" not in kinds(f["findings"], f["impression"])


# --- "in keeping with": UK wording of "consistent with" --------------------------------------------

def test_a_finding_in_keeping_with_after_a_negated_sign_is_affirmed() -> None:
    issues = run_checks(parse_sections(
        "Pleural edge at the right apex with no lung markings lateral to it, in keeping with a small pneumothorax.",
        "No acute abnormality."))
    assert ("impression_omits_finding", "warning") in {(i.kind, i.severity) for i in issues}


@pytest.mark.parametrize("findings", ["No features in keeping with pneumonia. Heart normal.",
                                      "There are no findings consistent with pneumothorax."])
def test_no_features_in_keeping_with_rules_the_finding_out(findings: str) -> None:
    assert kinds(findings, "Normal chest.") == set()


# --- a nodule placed over a rib, or measured, is a nodule -------------------------------------------

@pytest.mark.parametrize("findings", [
    # "superimposed on a rib" says where it lies, not what explains it
    "A 9 mm nodule in the left upper lobe, partly superimposed on the anterior left third rib. Heart normal.",
    # a "nodular" opacity measured as a lesion is a nodule, not a pattern
    "A 1.4 cm nodular opacity in the right midlung. Heart normal.",
])
def test_a_placed_or_measured_nodule_left_out_of_a_normal_impression_warns(findings: str) -> None:
    issues = run_checks(parse_sections(findings, "No acute disease."))
    assert [(i.kind, i.severity, i.finding) for i in issues if i.kind == "impression_omits_finding"] == [
        ("impression_omits_finding", "warning", "nodule or mass")]


@pytest.mark.parametrize("findings", [
    "Nodular opacity at the left base, likely superimposition of vessels.",
    "Nodular density in the right midlung due to superimposed structures.",
    "Coarse nodular interstitial markings in both lungs.",
])
def test_an_explained_or_unmeasured_nodular_pattern_is_not_an_omission(findings: str) -> None:
    issues = run_checks(parse_sections(findings, "No acute disease."))
    assert [i for i in issues if i.kind == "impression_omits_finding" and i.severity == "warning"] == []


# --- three wrong IU content flags, as general rules ---------------------------------------------------

def test_an_alternative_is_placed_where_the_other_section_states_its_partner() -> None:
    # "left base atelectasis/infiltrate" against FINDINGS' right atelectasis and left airspace opacity (IU CXR175)
    findings = "Minimal right basilar atelectasis. Minimal left basilar airspace opacity."
    assert "laterality_conflict" not in kinds(findings, "Minimal left base atelectasis/infiltrate.")
    # with no left opacity in FINDINGS the sides do conflict
    assert "laterality_conflict" in kinds("Minimal right basilar atelectasis.", "Minimal left base atelectasis.")


@pytest.mark.parametrize(("findings", "impression", "fires"), [
    # what persists after "with" is not ruled out by the "cleared" before it (IU CXR1909)
    ("Patchy infiltrate persists in the right middle lobe.",
     "Cleared left lower lobe airspace disease with persistent right middle lobe airspace disease.", False),
    ("Patchy infiltrate persists in the right middle lobe.", "Cleared right middle lobe airspace disease.", True),
    # "without comparisons" rules nothing out (IU CXR3327)
    ("Focal opacity in the right upper lobe.", "Without comparisons, this may represent a focal pneumonia.", False),
    ("Focal opacity in the right upper lobe.", "Without focal pneumonia.", True),
])
def test_scope_of_cleared_with_persistent_and_without_comparison(findings: str, impression: str,
                                                                 fires: bool) -> None:
    assert ("negation_conflict" in kinds(findings, impression)) is fires


@pytest.mark.shared
@pytest.mark.parametrize("uid", ["CXR175", "CXR1909", "CXR3327"])
def test_real_iu_content_flags_judged_wrong_are_gone(uid: str) -> None:
    assert _iu(uid) & {"laterality_conflict", "negation_conflict"} == set()


@pytest.mark.parametrize(("impression", "severity"), [
    ("No acute findings, see above.", "info"),  # the impression points to the findings (IU CXR3159)
    ("No acute cardiopulmonary process; see findings.", "info"),
    ("No acute findings.", "warning"),
])
def test_an_impression_that_refers_to_the_findings_omits_at_info(impression: str, severity: str) -> None:
    issues = run_checks(parse_sections("Moderate cardiomegaly. Mild central vascular congestion.", impression))
    assert {i.severity for i in issues if i.kind == "impression_omits_finding"} == {severity}


@pytest.mark.parametrize(("sentence", "resolved"), [
    ("The right pneumothorax is not appreciated.", True),  # a known finding, named as such, no longer seen
    ("The left effusion is not seen.", True),
    ("A pneumothorax is not seen.", False),
    ("Pleural effusion is not identified.", False),
    ("No pneumothorax.", False),
])
def test_a_definite_finding_not_seen_has_resolved(sentence: str, resolved: bool) -> None:
    (obs,) = [o for o in parse_sections(sentence, "x").observations if o.section == "FINDINGS"]
    assert (obs.polarity, obs.resolved) == ("absent", resolved)


@pytest.mark.parametrize(("findings", "fires"), [
    # one story in two sections: improving in one, no longer seen in the other (IU CXR895)
    ("The right apical pneumothorax is not appreciated.", False),
    ("A right pneumothorax is not seen.", True),
])
def test_a_finding_less_apparent_against_its_known_one_not_seen(findings: str, fires: bool) -> None:
    impression = "The right apical pneumothorax is less apparent."
    assert [o.change for o in parse_sections("x", impression).observations if o.name == "Pneumothorax"] == [
        "decreased"]
    assert ("negation_conflict" in kinds(findings, impression)) is fires


# --- after the v4/v5 looks (hand-written examples) ---

@pytest.mark.parametrize("findings", [
    "An 11 mm uncalcified nodule projects over the left mid zone.",
    "There is a 2 cm non-calcified mass in the right upper lobe.",
    "Noncalcified 9 mm nodule at the left base.",
])
def test_an_uncalcified_nodule_is_not_explained_away(findings: str) -> None:
    assert "impression_omits_finding" in kinds(findings, "No acute cardiopulmonary disease.")


def test_a_calcified_nodule_still_is() -> None:
    assert kinds("A 9 mm calcified nodule in the right lower zone, likely a granuloma.",
                 "No acute cardiopulmonary disease.") == set()


@pytest.mark.parametrize("impression", [
    "No acute cardiorespiratory process.",
    "No active cardio-respiratory disease.",
    "The chest is within normal limits.",
    "Chest appears within normal limits for the patient's age.",
])
def test_more_wordings_of_a_normal_impression(impression: str) -> None:
    assert "impression_omits_finding" in kinds("Moderate left pleural effusion with basal collapse.", impression)
    assert kinds("The lungs are clear. Heart size normal.", impression) == set()


def test_a_normal_part_within_normal_limits_is_no_normal_study() -> None:
    # only the chest (or the study) within normal limits calls the study normal, not one part of it
    assert kinds("Moderate left pleural effusion.", "Moderate left effusion. Heart size within normal limits.") == set()


@pytest.mark.parametrize("findings,impression,conflict", [
    ("No pneumothorax or large pleural effusion.", "Large left pleural effusion.", True),
    ("No large pleural effusions are seen.", "Massive right-sided pleural effusion.", True),  # massive is large
    ("There is no large effusion.", "Moderate right effusion.", False),
    ("No large pleural effusion. Small left effusion.", "Small left effusion.", False),
])
def test_a_negation_limited_to_a_large_finding(findings: str, impression: str, conflict: bool) -> None:
    assert ("negation_conflict" in kinds(findings, impression)) is conflict


def test_an_organ_template_answer_none_rules_the_finding_out() -> None:
    findings = "Heart: normal size.\nPleura: no effusion.\nPneumothorax: none."
    assert kinds(findings, "No acute cardiopulmonary process.") == set()
    assert "negation_conflict" in kinds(findings, "Small right apical pneumothorax.")


def test_a_plain_negation_beside_a_finding_on_the_other_side() -> None:
    # the impression's own right-sided atelectasis says nothing of the left: its "no airspace opacity" still
    # contradicts a left lower lobe consolidation
    findings = "Patchy consolidation in the left lower lobe. Linear atelectasis at the right base."
    assert "negation_conflict" in kinds(findings, "No airspace opacity. Right basal atelectasis.")
    # at the same side it is a mixed picture, as before
    assert "negation_conflict" not in kinds("Patchy consolidation at the right base.",
                                            "No focal consolidation. Patchy right basal airspace opacity.")


@pytest.mark.parametrize("findings,impression,conflict", [
    ("The right hemidiaphragm is elevated, unchanged.", "Stable elevation of the left hemidiaphragm.", True),
    ("Raised left hemi-diaphragm.", "Elevated right hemidiaphragm, likely eventration.", True),
    ("The right hemidiaphragm remains elevated.", "Elevated right hemidiaphragm.", False),
    # a hemidiaphragm named only as a landmark has no finding of its own
    ("Opacity seen behind the left hemidiaphragm.", "Right hemidiaphragm is clear.", False),
])
def test_an_elevated_hemidiaphragm_has_a_side(findings: str, impression: str, conflict: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is conflict


def test_items_of_a_semicolon_list_do_not_explain_each_other_away() -> None:
    findings = ("Dense airspace opacity in the left lower lobe; no pneumothorax; the soft tissues are "
                "unremarkable; mild atelectasis at the right base.")
    assert "impression_omits_finding" in kinds(findings, "Normal chest.")
    assert "negation_conflict" in kinds(findings, "No airspace opacity.")
    # within one item the explanation still holds
    assert "negation_conflict" not in kinds("Left basal opacity, likely atelectasis; no effusion.",
                                            "No airspace opacity.")


@pytest.mark.parametrize("findings,impression", [
    ("A right-sided PICC ends at the cavoatrial junction.", "Left PICC, tip in good position."),
    ("Right chest wall dual-lead pacemaker.", "Stable left-sided pacer."),
    ("Right subclavian catheter, tip over the SVC.", "Left subclavian central line in place."),
    ("Small apical pneumothorax despite a left chest tube.", "Right chest tube; tiny pneumothorax persists."),
    ("Left internal jugular catheter terminates in the SVC.", "Right IJ line unchanged."),
])
def test_a_device_on_opposite_sides_is_a_laterality_warning(findings: str, impression: str) -> None:
    issues = [i for i in run_checks(parse_sections(findings, impression)) if i.kind == "laterality_conflict"]
    devices = {"Pacemaker", "Chest Tube", "Central Venous Catheter"}
    assert [i.severity for i in issues if i.finding in devices] == ["warning"]


@pytest.mark.parametrize("findings,impression", [
    # on both sides in one section
    ("Chest tubes on both sides, no residual pneumothorax.", "Left chest tube remains."),
    ("Right and left chest tubes are in place.", "Right chest tube."),
    # the tip lies across the midline from where the line enters
    ("Left subclavian line whose tip reaches the right atrium.",
     "Tip of the left subclavian line in the right atrium."),
    ("PICC line with its tip in the right atrium.", "Left arm PICC."),
    # a device taken out, against another still there
    ("The right chest tube has been removed. Left PICC is unchanged.", "Right chest tube removed."),
    ("Interval removal of the left PICC; new right IJ catheter.", "Right internal jugular line, tip in the SVC."),
    # different devices on different sides
    ("Left-sided pacemaker.", "Right chest tube, no pneumothorax."),
    ("Right IJ central venous catheter.", "Left PICC."),
    # no side in one section
    ("Pacemaker leads in the right ventricle.", "Left chest wall pacemaker."),
    ("Right PICC terminates in the SVC.", "PICC in satisfactory position."),
])
def test_no_device_laterality_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("Left hemidiaphragm elevation, chronic.", "Raised right hemidiaphragm."),
    ("Mild right hemidiaphragmatic elevation.", "Elevation of the left hemidiaphragm is stable."),
])
def test_hemidiaphragm_elevation_as_a_noun_phrase_has_a_side(findings: str, impression: str) -> None:
    assert "laterality_conflict" in kinds(findings, impression)
    assert "laterality_conflict" not in kinds(findings, findings)


# --- reports8: after the v4-v6 looks (no longer blind); hand-written sentences, none from a generator ---

@pytest.mark.parametrize("impression", [
    "No cardiopulmonary abnormality seen.",
    "No evidence of intrathoracic disease.",
    "No cardiothoracic abnormality.",
    "The heart and lungs are unremarkable.",
    "Normal heart and lungs.",
])
def test_a_normal_statement_of_the_whole_chest_omits(impression: str) -> None:
    assert "impression_omits_finding" in kinds("Moderate right pleural effusion tracking into the fissure.", impression)
    assert kinds("Lungs are clear. Heart size is normal.", impression) == set()


@pytest.mark.parametrize("impression", ["No bony abnormality.", "No rib abnormality is seen."])
def test_a_normal_part_is_not_a_normal_chest(impression: str) -> None:
    # not read as calling the study normal; a moderate effusion left out of it is still an omission (listing check)
    issues = [i for i in run_checks(parse_sections("Moderate right pleural effusion.", impression))
              if i.kind == "impression_omits_finding"]
    assert [i.severity for i in issues] == ["warning"]
    assert "calls the study normal" not in issues[0].message


def test_a_pericardial_effusion_left_out_of_a_normal_impression() -> None:
    issues = run_checks(parse_sections("Globular enlargement of the cardiac silhouette in keeping with a pericardial "
                                       "effusion. Lungs clear.", "No acute cardiopulmonary process."))
    assert ("impression_omits_finding", "warning", "pericardial effusion") in {
        (i.kind, i.severity, i.finding) for i in issues}


@pytest.mark.parametrize("findings", [
    "Heart size normal; a small pericardial effusion was shown on the recent echocardiogram.",
    "Lungs clear. The 8 mm left upper lobe nodule seen on the prior chest CT is not visible.",
    "The right lower lobe consolidation described on CT of the abdomen is not seen on this film.",
])
def test_a_finding_of_another_kind_of_study_is_not_omitted(findings: str) -> None:
    assert "impression_omits_finding" not in kinds(findings, "No acute cardiopulmonary disease.")


@pytest.mark.parametrize("findings", [
    "Effusion and pneumothorax are both absent.",
    "Pneumothorax and pleural effusion were both absent on this film.",
])
def test_two_findings_both_absent_are_ruled_out_and_sideless(findings: str) -> None:
    issues = run_checks(parse_sections(findings, "Small left apical pneumothorax."))
    assert {i.kind for i in issues if i.severity in FLAGGED} == {"negation_conflict"}  # no "both sides" laterality


def test_both_before_a_place_is_still_bilateral() -> None:
    obs = parse_sections("Effusions at both bases.", "Effusions.").observations
    assert obs[0].laterality == "bilateral"


@pytest.mark.parametrize("findings,impression,conflict", [
    ("The left pleural effusion has resolved.", "Decreasing right pleural effusion.", True),
    ("Smaller right apical pneumothorax.", "Resolution of the left pneumothorax.", True),
    # the same side, or a finding stated on both sides: no conflict
    ("The left pleural effusion has resolved.", "Decreasing left pleural effusion.", False),
    ("The left effusion has resolved. Smaller right effusion.", "Decreasing right pleural effusion.", False),
])
def test_a_finding_gone_in_one_section_and_going_on_the_other_side(findings: str, impression: str,
                                                                  conflict: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is conflict


@pytest.mark.parametrize("findings,impression,conflict", [
    ("Interval removal of the right chest tube. No pneumothorax.",
     "No pneumothorax after removal of the left chest tube.", True),
    ("The left chest tube has been removed.", "Left chest tube removed, no pneumothorax.", False),
])
def test_sides_of_removed_devices_are_compared(findings: str, impression: str, conflict: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is conflict


@pytest.mark.parametrize("findings,impression,conflict", [
    ("Right chest port with catheter tip in the lower SVC.", "Left chest port in good position.", True),
    ("Right chest wall port, tip at the cavoatrial junction.", "Right chest port unchanged.", False),
    ("Endotracheal tube with tip 4 cm above the carina. Left PICC.", "Left PICC in the SVC.", False),
])
def test_a_chest_port_is_a_central_line_with_a_side(findings: str, impression: str, conflict: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is conflict


def test_a_paralysed_hemidiaphragm_is_a_raised_one_with_its_side() -> None:
    assert "laterality_conflict" in kinds("The left hemidiaphragm is elevated.", "Right diaphragmatic paralysis.")
    assert "laterality_conflict" not in kinds("Eventration of the right hemidiaphragm.",
                                              "Stable elevation of the right hemidiaphragm.")


@pytest.mark.parametrize("findings,impression,narrowed", [
    ("Bibasilar predominantly reticular opacities.", "Right basilar opacity.", True),
    ("Bibasilar opacities, worse on the right than the left.", "Right basilar opacity.", False),
    ("Left-predominant bibasilar opacities.", "Left basilar opacity.", False),
    ("Bibasilar opacity, atelectasis and/or infiltrate.", "Left lower lobe atelectasis.", True),
    # a one-sided finding of the family in FINDINGS counts only on the impression's own side
    ("Bibasilar airspace disease. Scarring at the right base.", "Left basilar airspace disease.", True),
    ("Bibasilar airspace disease. Scarring at the right base.", "Right basilar airspace disease.", False),
])
def test_a_bilateral_finding_narrowed_to_one_side(findings: str, impression: str, narrowed: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is narrowed


@pytest.mark.parametrize("findings,impression,narrowed", [
    ("Bilateral pleural effusions, right larger than left.", "Left pleural effusion.", True),
    ("Bilateral pleural effusions, right larger than left.", "Right pleural effusion.", False),
    ("Bilateral effusions, more on the left.", "Small right pleural effusion.", True),
    ("Bilateral effusions, larger on one side.", "Small right pleural effusion.", False),
    ("Unchanged cardiomegaly and bibasilar atelectasis/infiltrate.", "Left basilar atelectasis.", True),
])
def test_a_bilateral_finding_narrowed_to_its_lesser_side(findings: str, impression: str, narrowed: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is narrowed


def test_a_follow_up_to_confirm_clearing_does_not_say_the_finding_has_gone() -> None:
    impression = "Right middle lobe pneumonia. Follow-up film after treatment to confirm clearing of the opacity."
    assert "negation_conflict" in kinds("The lungs are clear. No pleural effusion.", impression)


@pytest.mark.parametrize("findings,impression,conflict", [
    ("Widening of the left paratracheal soft tissues.", "Right paratracheal soft tissue fullness, ?nodes.", True),
    ("Right paratracheal opacity, likely nodal.", "Left paratracheal adenopathy.", True),
    ("Right paratracheal opacity, likely nodal.", "Right paratracheal lymphadenopathy.", False),
    # the stripe alone is a landmark, and a paratracheal mass stays a mass
    ("The right paratracheal stripe is normal.", "Left upper lobe collapse.", False),
])
def test_a_paratracheal_density_has_a_side(findings: str, impression: str, conflict: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is conflict


def test_a_finding_not_seen_on_one_view_is_still_present() -> None:
    findings = "A 1 cm nodule over the right lower zone on the frontal view, not seen on the lateral projection."
    assert "laterality_conflict" in kinds(findings, "Left lower zone 1 cm nodule; CT advised.")
    assert [o.polarity for o in parse_sections(findings, "Nodule.").observations if o.section == "FINDINGS"] == [
        "present"]


def test_a_nodular_opacity_measured_later_in_its_clause_is_omitted_from_a_normal_chest() -> None:
    findings = "Nodular opacity in the left upper zone measuring 14 mm. Heart size normal."
    assert "impression_omits_finding" in kinds(findings, "Normal chest.")
    # unmeasured, a nodular pattern stays no nodule
    assert "impression_omits_finding" not in kinds("Faint nodular opacities at both bases.",
                                                   "No acute cardiopulmonary disease.")


@pytest.mark.parametrize("impression", [
    "Normal.", "Within normal limits.", "Appearances are unremarkable.", "The chest x-ray is normal.",
    "Normal cardiopulmonary appearances.", "Nil acute.", "No gross abnormality.",
    "No acute bony or cardiopulmonary abnormality.", "No pathology identified.",
])
def test_short_and_plain_normal_impressions(impression: str) -> None:
    assert "impression_omits_finding" in kinds("Large left pleural effusion with basal collapse.", impression)


@pytest.mark.parametrize("impression", ["Clear lungs. No pneumothorax.", "No evidence of pneumonia.",
                                        "Normal heart size and clear lungs."])
def test_an_impression_that_only_rules_things_out_omits_what_findings_affirm(impression: str) -> None:
    assert "impression_omits_finding" in kinds("Moderate left pleural effusion. Heart normal.", impression)
    # chronic findings may stand beside it, as beside "no acute disease"
    assert kinds("Stable calcified granuloma in the right upper lobe. Old healed left rib fractures.",
                 impression) == set()


@pytest.mark.parametrize("impression", ["No acute fracture.", "No destructive bone lesion.",
                                        "No fracture or destructive bone lesion."])
def test_an_impression_that_rules_out_only_bone_findings_says_nothing_of_the_chest(impression: str) -> None:
    # any finding the vocabulary marks as of the bones, not only a fracture: the chest is not called normal (the
    # effusion is still one a listing impression must summarise)
    def omission_messages(impression: str) -> list[str]:
        parsed = parse_sections("Moderate left pleural effusion. Heart normal.", impression)
        return [i.message for i in run_checks(parsed) if i.kind == "impression_omits_finding"]

    assert [("calls the study normal" in m) for m in omission_messages(impression)] == [False]
    assert [("calls the study normal" in m) for m in omission_messages(impression + " Clear lungs.")] == [True]


@pytest.mark.parametrize("findings", [
    "A pneumothorax has not been identified.", "Pneumothorax is excluded.", "Pneumothorax cannot be seen.",
    "Pneumothorax none. Heart normal.",
])
def test_more_ways_to_rule_a_finding_out(findings: str) -> None:
    assert "negation_conflict" in kinds(findings, "Small left apical pneumothorax.")


def test_not_excluded_is_a_hedge_not_a_negation() -> None:
    assert "negation_conflict" not in kinds("A small pneumothorax is not excluded.", "Small left apical pneumothorax.")


@pytest.mark.parametrize("findings", [
    "Free subdiaphragmatic gas.", "Air beneath the right hemidiaphragm.", "Patchy airspace shadowing at the left base.",
    "Dense right lower zone opacification.", "Ground-glass opacity in the right lower lobe.",
    "Loculated right pleural collection, moderate in size.", "Upper lobe venous diversion and septal lines.",
])
def test_more_wordings_of_significant_findings_left_out_of_a_normal_impression(findings: str) -> None:
    issues = run_checks(parse_sections(findings, "No acute cardiopulmonary process."))
    assert ("impression_omits_finding", "warning") in {(i.kind, i.severity) for i in issues}


@pytest.mark.parametrize("findings,impression", [
    ("Right intercostal drain in situ.", "Left chest drain, no pneumothorax."),
    ("Left pleural drain with its tip at the apex.", "Right-sided chest tube."),
])
def test_a_chest_drain_is_a_chest_tube_with_a_side(findings: str, impression: str) -> None:
    assert "laterality_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("token", ["(size)", "(right/left)", "%SIZE%", "$SIDE$", "@SIZE@", "@LATERALITY@", "FILL IN",
                                   "NN mm", "#.# cm"])
def test_more_template_fields_are_placeholders(token: str) -> None:
    issues = run_checks(parse_sections(f"There is a {token} nodule in the right upper lobe.", "Nodule."))
    assert [i.severity for i in issues if i.kind == "placeholder"] == ["error"]


@pytest.mark.parametrize("text", ["Small effusion (left).", "Nodule (8 mm) in the right upper lobe.",
                                  "Heart size normal (CTR 0.45).", "A 5% pneumothorax.",
                                  "Results sent to radiology@hospital.org and @oncall team."])
def test_prose_in_brackets_is_no_placeholder(text: str) -> None:
    assert "placeholder" not in kinds(text, "Normal chest.")


# --- after the v7 look: a section that contradicts itself still contradicts the other one -------------------


@pytest.mark.parametrize("findings,impression", [
    # the impression affirms and rules out the finding; FINDINGS affirm it: its negation contradicts FINDINGS too
    ("The heart is enlarged. Lungs clear.", "Enlarged heart with clear lungs. No cardiomegaly."),
    ("Marked cardiomegaly, unchanged.", "1. Heart size is normal. 2. Stable marked cardiomegaly."),
    ("Large right pleural effusion.", "No pleural effusion. Large right pleural effusion, increased."),
    ("Dense consolidation in the left lower lobe.",
     "No consolidation. Left lower lobe consolidation, likely infective."),
    # FINDINGS contradict themselves and the impression affirms
    ("Pneumothorax at the right apex. No pneumothorax.", "Right apical pneumothorax."),
    # the impression hedges the very finding it rules out
    ("Confluent left basal airspace opacity.", "No pneumonia. This could be early pneumonia."),
])
def test_a_self_contradicting_section_still_contradicts_the_other(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # a narrowed negation beside the finding is a mixed picture, not a contradiction
    ("No right pleural effusion. Small left pleural effusion.", "Small left pleural effusion. No right effusion."),
    ("No focal consolidation. Patchy bibasilar airspace disease.", "Patchy bibasilar airspace disease."),
    ("No masses in the lungs. Enlarging anterior mediastinal mass.", "Anterior mediastinal mass, larger."),
    ("Moderate cardiomegaly. Heart and mediastinum otherwise unremarkable.", "Moderate cardiomegaly."),
    # a hedge weighing two findings is no hedge of the one ruled out
    ("Right basal opacity.", "No pneumonia. Right basal opacity, atelectasis versus pneumonia."),
])
def test_a_mixed_picture_is_no_negation_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("HEART SIZE IS NORMAL. 3.1 CM MASS AT THE RIGHT APEX.", "3.1 CM RIGHT APICAL MASS."),
    ("THE HEART IS NOT ENLARGED. ENDOTRACHEAL TUBE 1 CM ABOVE THE CARINA.", "ETT LOW; PULL BACK 2-3 CM."),
])
def test_cm_after_a_number_is_the_unit_not_cardiomegaly(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)
    assert "negation_conflict" in kinds("Normal heart size.", "Stable CM.")


@pytest.mark.parametrize("findings,impression", [
    ("Both hila are bulky.", "Normal hila."),
    ("The right hilum is prominent and lobulated.", "Hilar contours are within normal limits."),
    ("Hila unremarkable. Lungs clear.", "Enlarged left hilum, lymphadenopathy likely; CT advised."),
])
def test_a_normal_hilum_against_an_enlarged_one_is_a_negation_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("No acute bony injury. Lungs clear.", "Acute fractures of the right fourth and fifth ribs."),
    ("No fracture is seen.", "Fresh left clavicle fracture."),
])
def test_a_ruled_out_fracture_against_an_acute_one_is_a_negation_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # a negation limited to acute injury leaves an old or undated fracture standing
    ("No acute bony injury.", "Old healed right rib fractures."),
    ("No acute fracture.", "Right sixth rib fracture, age indeterminate."),
    ("No displaced rib fracture.", "Subtle nondisplaced left rib fracture."),
])
def test_an_old_or_undated_fracture_beside_no_acute_injury_is_no_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("The lungs are clear. No effusion.", "Right upper lobe mass, 4 cm, suspicious for carcinoma."),
    ("A 2.2 cm spiculated nodule in the left upper lobe.", "Clear lungs. No acute process."),
])
def test_clear_lungs_against_a_lung_mass_is_a_negation_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # a small nodule, a mass outside the lung, a benign one, or "otherwise" naming it: the lungs may still be clear
    ("Lungs are clear. 4 mm nodule in the right upper lobe.", "4 mm right upper lobe nodule, follow-up advised."),
    ("The lungs are clear.", "Anterior mediastinal mass, likely thymic."),
    ("Clear lungs.", "Calcified 12 mm granuloma in the left lower lobe."),
    ("Lungs otherwise clear. Right upper lobe mass.", "Right upper lobe mass."),
])
def test_clear_lungs_beside_a_small_or_extrapulmonary_lesion_is_no_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings", [
    "Obscuration of the right heart border, suggesting right middle lobe consolidation.",
    "The left hemidiaphragm is obscured, in keeping with left lower lobe consolidation.",
])
def test_a_silhouette_sign_is_a_finding_not_a_limited_view(findings: str) -> None:
    issues = run_checks(parse_sections(findings, "No acute cardiopulmonary process."))
    assert ("impression_omits_finding", "warning") in {(i.kind, i.severity) for i in issues}


def test_a_view_obscured_by_soft_tissue_still_limits_the_reading() -> None:
    issues = run_checks(parse_sections("Overlying breast tissue obscures the bases; consolidation cannot be assessed.",
                                       "No acute cardiopulmonary process."))
    assert "impression_omits_finding" not in {i.kind for i in issues}


@pytest.mark.parametrize("findings", [
    "Small left pleural effusion with overlying basal atelectasis, new since yesterday.",
    "Right pleural effusion with adjacent lower lobe collapse, increased from the prior film.",
])
def test_a_change_after_an_attached_finding_is_the_head_findings_too(findings: str) -> None:
    issues = run_checks(parse_sections(findings, "No acute cardiopulmonary process."))
    assert [(i.finding, i.severity) for i in issues if i.kind == "impression_omits_finding"] == [
        ("pleural effusion", "warning")]


def test_a_change_in_a_sentence_of_its_own_is_not_the_attached_findings() -> None:
    issues = run_checks(parse_sections("Small left pleural effusion with basal atelectasis. Heart size is stable.",
                                       "No acute cardiopulmonary process."))
    assert [(i.finding, i.severity) for i in issues if i.kind == "impression_omits_finding"] == [
        ("pleural effusion", "info")]


@pytest.mark.parametrize("findings,impression", [
    # a second side later in the sentence: the place put first is still the finding's
    ("In the left upper lobe there is a dense consolidation, and a small right pleural effusion.",
     "Right upper lobe consolidation. Small right effusion."),
    ("Within the right base there are patchy airspace opacities with blunting of both costophrenic angles.",
     "Left basilar airspace disease."),
])
def test_a_place_put_first_is_the_findings_side_across_there_is(findings: str, impression: str) -> None:
    assert "laterality_conflict" in kinds(findings, impression)


def test_a_place_put_first_does_not_pass_to_a_finding_after_a_negation() -> None:
    # the place opens the sentence and holds the negated finding; the effusion names its own side
    assert "laterality_conflict" not in kinds("In the left base there is no consolidation but there is a small "
                                              "effusion on the right.", "Small right effusion.")


@pytest.mark.parametrize("findings,impression", [
    ("Left hydropneumothorax. Small right pleural effusion.", "Left hydropneumothorax. Small left pleural effusion."),
    ("Right haemopneumothorax with a fluid level. Large left effusion.",
     "Right haemopneumothorax and large right effusion."),
])
def test_an_effusion_named_beside_a_combined_finding_keeps_its_own_side(findings: str, impression: str) -> None:
    assert "laterality_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # the effusion may be the combined finding's fluid when it is not named apart from it
    ("Right hydropneumothorax with an air-fluid level.", "Right pneumothorax and right pleural effusion."),
    ("Left hemopneumothorax.", "Left pleural effusion, likely blood."),
])
def test_an_effusion_that_may_be_a_combined_findings_fluid_is_no_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # bibasilar opacities on both sides hide the side of the one that changes, unless changes are paired
    ("Bibasilar streaky opacities. Improving left basal consolidation.",
     "Improving right basal consolidation. Bibasilar streaky opacities persist."),
    ("Patchy opacities at both bases. New consolidation at the right base.",
     "New left basal consolidation beside chronic bibasilar opacities."),
])
def test_a_changing_finding_on_opposite_sides_beside_bilateral_ones_is_a_laterality_conflict(
        findings: str, impression: str) -> None:
    assert "laterality_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # the change is said on both sides in one section, or the two sections give different courses
    ("Bibasilar opacities. Improving right basal consolidation, improving left basal consolidation.",
     "Improving left basal consolidation. Bibasilar opacities."),
    ("Bibasilar opacities. Improving right basal consolidation.",
     "New left basal consolidation. Bibasilar opacities."),
])
def test_a_changing_finding_on_one_side_of_two_is_no_laterality_conflict(findings: str, impression: str) -> None:
    assert "laterality_conflict" not in kinds(findings, impression)


def _omission_severities(findings: str, impression: str) -> set[str]:
    issues = run_checks(parse_sections(findings, impression))
    return {i.severity for i in issues if i.kind == "impression_omits_finding"}


@pytest.mark.parametrize("findings", [
    "Collapse of the left lower lobe with a sail-shaped density behind the heart. No effusion.",
    "Right middle lobe collapse obscuring the right heart border.",
    "Loss of volume in the right upper lobe, in keeping with collapse, with the horizontal fissure raised.",
])
def test_a_collapsed_lobe_left_out_of_a_normal_impression_warns(findings: str) -> None:
    assert _omission_severities(findings, "No acute cardiopulmonary abnormality.") == {"warning"}


@pytest.mark.parametrize("findings,severity", [
    ("The known right middle lobe collapse has partially re-expanded.", "info"),
    ("Left lower lobe collapse is improving since the prior film.", "info"),
    # plate-like or basal atelectasis is minor: no omission at all
    ("Plate-like atelectasis at the left base.", None),
    ("Mild bibasilar atelectasis.", None),
    # real reports' "left lower lobe atelectasis" is mostly a streak at a base (IU calibration)
    ("Left lower lobe atelectasis.", None),
])
def test_clearing_collapse_is_info_and_minor_atelectasis_no_omission(findings: str, severity: str | None) -> None:
    assert _omission_severities(findings, "No acute disease.") == ({severity} if severity else set())


@pytest.mark.parametrize("impression", ["Clear chest.", "The chest is clear.", "Chest appears clear.",
                                        "No acute active disease."])
def test_clear_chest_is_a_normal_impression(impression: str) -> None:
    assert _omission_severities("Moderate right pleural effusion. Heart size normal.", impression) == {"warning"}
    assert _omission_severities("Mild cardiomegaly. Lungs clear.", impression) == {"info"}


@pytest.mark.parametrize("findings", [
    "An 8 mm solid nodule in the left upper zone, without calcification.",
    "A 1.4 cm nodule in the right mid zone, not calcified.",
    "New 9 mm nodular opacity at the right apex with no calcification.",
])
def test_a_nodule_said_not_to_be_calcified_is_no_benign_nodule(findings: str) -> None:
    assert _omission_severities(findings, "Normal chest radiograph.") == {"warning"}


def test_a_calcified_nodule_left_out_stays_benign() -> None:
    assert _omission_severities("A 6 mm calcified nodule in the left upper zone.", "Normal chest radiograph.") == set()


def test_collapse_attached_to_an_effusion_is_the_effusions() -> None:
    issues = run_checks(parse_sections("Large left pleural effusion with adjacent compressive lower lobe collapse.",
                                       "No acute cardiopulmonary process."))
    assert [i.finding for i in issues if i.kind == "impression_omits_finding"] == ["pleural effusion"]


@pytest.mark.parametrize("findings,impression", [
    ("Small left apical pneumothorax.", "Pneumothorax excluded. No acute bony injury."),
    ("Moderate right pleural effusion.", "Effusion ruled out."),
    ("Septal lines and upper lobe venous diversion in keeping with interstitial oedema.", "No evidence of failure."),
    ("Pulmonary oedema.", "No signs of cardiac failure."),
    ("Right upper lobe collapse with the horizontal fissure raised.", "Lungs clear, no collapse."),
    ("A 2 cm nodule in the left mid zone.", "No focal lung lesion."),
])
def test_negations_said_in_few_words_conflict(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    ("Small left apical pneumothorax.", "Pneumothorax not excluded."),
    ("Right costophrenic angle excluded from the film. Small right effusion.", "Small right effusion."),
    ("Interstitial oedema.", "Respiratory failure, interstitial oedema."),  # respiratory failure is no finding
    ("Old collapse of the T8 vertebral body.", "No acute disease."),
    ("A 6 mm calcified nodule in the left mid zone.", "No focal lung lesion."),  # benign, not a lesion of note
])
def test_what_few_words_do_not_rule_out(findings: str, impression: str) -> None:
    assert "negation_conflict" not in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression,fires", [
    ("Status post right upper lobectomy with volume loss.", "Post-surgical changes of left upper lobectomy.", True),
    ("Left pneumonectomy with the mediastinum shifted to the left.", "Right pneumonectomy. No acute disease.", True),
    ("Right lower lobe wedge resection staples.", "Stable appearance after right wedge resection.", False),
    ("Post left lower lobectomy.", "No acute disease.", False),  # side stated once
])
def test_the_side_of_a_lung_resection_is_compared(findings: str, impression: str, fires: bool) -> None:
    assert ("laterality_conflict" in kinds(findings, impression)) is fires


def test_lungs_clear_bilaterally_of_findings_rules_them_out() -> None:
    assert kinds("The lungs are clear bilaterally of focal airspace disease, pneumothorax, or pleural effusion.",
                 "No acute cardiopulmonary findings.") == set()


# --- wordings the v11/v12 look showed unread (not blind; written here) ---------------------------------------

@pytest.mark.parametrize("findings,impression", [
    ("Free costophrenic angles. Heart normal.", "New small left pleural effusion."),
    ("The pleural sinuses are free. Heart normal.", "Small right pleural effusion."),
    ("Cardiothoracic index within normal limits. Lungs clear.", "Moderate cardiomegaly."),
    ("Regular heart size. Lungs clear.", "Mild cardiomegaly."),
    ("No abnormal shadow in bilateral lung fields. Heart normal.", "Right middle lobe pneumonia."),
    ("Pulmonary vascular congestion with perihilar haziness.", "No signs of congestion."),
    ("The lungs are clear. Heart normal.", "Findings consistent with respiratory distress syndrome."),
    ("Hyperinflation with peribronchial cuffing. No focal consolidation.", "Lungs are clear."),
])
def test_more_ways_to_state_and_rule_out_a_finding(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


@pytest.mark.parametrize("findings,impression", [
    # a viral or airway infection is the airways' pattern, not an airspace one
    ("Hyperinflation with peribronchial thickening. No focal consolidation.",
     "Peribronchial cuffing, compatible with viral lower respiratory tract infection or reactive airway disease."),
    # congestion alone affirmed is too loose to count; "no vascular congestion or edema" negates both
    ("Mild congestion without edema. Lungs clear.", "No acute cardiopulmonary abnormality."),
    ("There is no vascular congestion or edema. Right basal scarring.", "Stable right basal scarring."),
    # the neonate's granular opacity named by its cause in the impression is not left out of it
    ("Diffuse bilateral granular opacities with air bronchograms. ETT 1 cm above the carina.",
     "ETT in position. Findings consistent with surfactant deficiency."),
])
def test_wordings_that_are_no_conflict_or_omission(findings: str, impression: str) -> None:
    flagged = {i.kind for i in run_checks(parse_sections(findings, impression)) if i.severity in ("warning", "error")}
    assert flagged == set()


@pytest.mark.parametrize("findings,impression", [
    ("No pnuemothorax. Heart normal.", "Small right pneumothorax."),
    ("Heart size normal. Lungs clear.", "Mild cardiomegally."),
    ("No plural effusion. Heart normal.", "Small left effusion."),
    ("No focal consolodation. Heart normal.", "Right lower lobe consolidation."),
])
def test_common_misspellings_are_read(findings: str, impression: str) -> None:
    assert "negation_conflict" in kinds(findings, impression)


def test_a_misspelt_finding_in_the_impression_is_not_left_out() -> None:
    assert "impression_omits_finding" not in kinds("Large left pleural effusion. Heart normal.",
                                                   "Large left pleural effussion.")
