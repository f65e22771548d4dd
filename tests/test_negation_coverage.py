"""Negation and hedging coverage checked against public lexicons used as a checklist (medspaCy's default ConText
rules, pyConTextNLP's lexical KB, NegBio's and the CheXpert labeler's patterns): for each way of writing a negation,
a hedge or an affirmation that looks like a negation, one chest X-ray sentence of our own and the polarity a reader
gives the finding; and negation conflicts across sections in both directions for varied findings and wordings."""

from __future__ import annotations

import pytest

from medrag_core.reports import check_report, parse_report

P, A, U = "present", "absent", "uncertain"

# (sentence, finding, polarity): the checklist item is in the comment above each group
SENTENCES = [
    # medspaCy: "lack of", "fails to reveal", "unremarkable for", "free of", "now resolved", ": no", "unlikely",
    # "concerned about", "might be", "should be ruled out"
    ("Lack of focal consolidation in either lung.", "Consolidation", A),
    ("The expiratory view fails to reveal a pneumothorax.", "Pneumothorax", A),
    ("The chest is unremarkable for a pneumothorax.", "Pneumothorax", A),
    ("The pleural spaces are free of effusion.", "Pleural Effusion", A),
    ("The right apical pneumothorax is now resolved.", "Pneumothorax", A),
    ("Pneumothorax: no.", "Pneumothorax", A),
    ("Pneumonia is unlikely.", "Pneumonia", U),
    ("Concerned about early pneumonia at the right base.", "Pneumonia", U),
    ("Pneumonia might be present at the left base.", "Pneumonia", U),
    ("A pneumothorax should be ruled out with an expiratory film.", "Pneumothorax", U),
    # pyConTextNLP: "can be ruled out", "cannot totally be excluded", "in the differential", "less likely",
    # "should be considered", "nothing", "simulating", "mimicking", "low probability", "not likely", "favor"
    ("A pneumothorax can be ruled out.", "Pneumothorax", A),
    ("A small pneumothorax cannot totally be excluded.", "Pneumothorax", U),
    ("Pneumonia is in the differential.", "Pneumonia", U),
    ("Pneumonia is less likely.", "Pneumonia", U),
    ("Aspiration pneumonia should be considered.", "Pneumonia", U),
    ("Nothing to suggest a rib fracture.", "Fracture", A),
    ("A skin fold simulating a left pneumothorax.", "Pneumothorax", A),
    ("Nipple shadow mimicking a nodule at the right base.", "Nodule", A),
    ("Low probability of pneumonia.", "Pneumonia", U),
    ("Pneumonia is not likely.", "Pneumonia", U),
    ("Favor left basal atelectasis.", "Atelectasis", U),
    ("No consolidation, yet a small left effusion remains.", "Pleural Effusion", P),
    # NegBio: "disappearance of", "not visualized", "not detected", "suggestion of", "suspicion of", "maybe",
    # "question", "XXX suspected"
    ("Interval disappearance of the left pleural effusion.", "Pleural Effusion", A),
    ("Pneumothorax not visualised.", "Pneumothorax", A),
    ("Pneumothorax not detected.", "Pneumothorax", A),
    ("There is a suggestion of early interstitial oedema.", "Edema", U),
    ("Suspicion of a small left apical pneumothorax.", "Pneumothorax", U),
    ("Opacity at the left base, maybe due to pneumonia.", "Pneumonia", U),
    ("Question right lower lobe pneumonia.", "Pneumonia", U),
    ("Right middle lobe pneumonia suspected.", "Pneumonia", U),
    # CheXpert: "with interval resolution", "could be present", "may be present", "not well visualized",
    # "correlate clinically for", "and/or"
    ("Left lower lobe consolidation with interval resolution.", "Consolidation", A),
    ("Pneumonia could be present at the left base.", "Pneumonia", U),
    ("A small effusion may be present.", "Pleural Effusion", U),
    ("A pneumothorax is not well visualized on this supine film.", "Pneumothorax", U),
    ("Correlate clinically for pneumonia.", "Pneumonia", U),
    ("Atelectasis and/or pneumonia at the left base.", "Pneumonia", U),
    # affirmations that look like negations: no improvement / resolution / clearing / worsening / progression of,
    # has not resolved, no further increase, no definite change
    ("No improvement in the right lower lobe consolidation.", "Consolidation", P),
    ("No resolution of the right lower lobe consolidation.", "Consolidation", P),
    ("No clearing of the left basal consolidation.", "Consolidation", P),
    ("The left pleural effusion has not resolved.", "Pleural Effusion", P),
    ("The left effusion has not cleared.", "Pleural Effusion", P),
    ("No further increase in the right pneumothorax.", "Pneumothorax", P),
    ("No worsening of the left pleural effusion.", "Pleural Effusion", P),
    ("No progression of the right upper lobe mass.", "Mass", P),
    ("No definite change in the right pneumothorax.", "Pneumothorax", P),
    ("No change in the large left effusion.", "Pleural Effusion", P),
    ("Left effusion without change.", "Pleural Effusion", P),
    ("There is not only a left effusion but also consolidation.", "Pleural Effusion", P),
    # a hedge inside a term that spans several words
    ("The heart may be mildly enlarged.", "Cardiomegaly", U),
    ("The heart is enlarged.", "Cardiomegaly", P),
    # scope: a negated clause closed by its verb, "while", a comma before a size grade
    ("No pneumothorax, while a small left effusion is present.", "Pleural Effusion", P),
    ("No pneumothorax is identified and the heart is enlarged.", "Cardiomegaly", P),
    ("No pneumothorax is seen, and a small left effusion is present.", "Pleural Effusion", P),
    ("No pneumothorax, small left effusion.", "Pleural Effusion", P),
    ("Resolution of the pneumothorax, small residual effusion.", "Pleural Effusion", P),
    ("No focal consolidation, large pleural effusion or pneumothorax is identified.", "Pneumothorax", A),
    ("No focal airspace consolidation, pleural effusion, pneumothorax, or pulmonary oedema.", "Edema", A),
    # a backward trigger after a second finding and a comma is that finding's, not a list's
    ("Small left effusion present, pneumothorax absent.", "Pleural Effusion", P),
    ("Small left effusion present, pneumothorax absent.", "Pneumothorax", A),
    ("Mild cardiomegaly, pneumonia unlikely.", "Cardiomegaly", P),
    ("Effusion, consolidation and pneumothorax are absent.", "Pleural Effusion", A),
    ("Pneumothorax (none).", "Pneumothorax", A),
    ("Pleural effusions absent.", "Pleural Effusion", A),
    # hedges: "?", "query", "possibility of", "a consideration", "favoured", "cannot be certain", "doubtful"
    ("? small left pneumothorax.", "Pneumothorax", U),
    ("Right basal opacity ?consolidation.", "Consolidation", U),
    ("Query right basal consolidation.", "Consolidation", U),
    ("The possibility of early pneumonia is raised.", "Pneumonia", U),
    ("Pneumonia would be a consideration.", "Pneumonia", U),
    ("Pneumonia is favoured.", "Pneumonia", U),
    ("Cannot be certain about a small pneumothorax.", "Pneumothorax", U),
    ("Doubtful small left apical pneumothorax.", "Pneumothorax", U),
    # what the lexicons read as negation and we keep as it was: a finding seen on one view, not on the prior
    ("Left mid zone opacity, not visualised on the previous film.", "Lung Opacity", P),
]


def _polarity(text: str, finding: str) -> str | None:
    parsed = parse_report(f"FINDINGS: {text}\nIMPRESSION: See above.")
    found = [o.polarity for o in parsed.observations if o.section == "FINDINGS" and o.name == finding]
    return found[0] if found else None


@pytest.mark.parametrize(("text", "finding", "polarity"), SENTENCES, ids=[s[0] for s in SENTENCES])
def test_checklist_sentence(text: str, finding: str, polarity: str) -> None:
    assert _polarity(text, finding) == polarity


# (affirmed, ruled out): each pair is a negation conflict whichever section holds which
CONFLICTS = [
    ("Moderate left pleural effusion.", "There is a lack of pleural fluid."),
    ("A small right effusion is present.", "Nothing to suggest a pleural effusion."),
    ("Small right apical pneumothorax.", "Pneumothorax not visualised."),
    ("There is a left pneumothorax.", "Pneumothorax: no."),
    ("A right pneumothorax is present.", "A pneumothorax can be excluded."),
    ("Right lower lobe consolidation.", "Lack of focal consolidation."),
    ("Left lower lobe pneumonia.", "The lungs are free from consolidation."),
    ("Pulmonary oedema.", "The appearances are not in keeping with pulmonary oedema."),
    ("The heart is enlarged.", "No cardiomegaly is seen and the lungs are clear."),
    ("Free air under the right hemidiaphragm.", "No free air is seen beneath the diaphragm."),
    ("Widened mediastinum.", "No mediastinal widening."),
    ("Bilateral hilar enlargement.", "No hilar enlargement."),
    ("A 12 mm nodule in the right upper lobe.", "No pulmonary nodule is identified."),
    ("Right middle lobe collapse.", "No lobar collapse."),
    ("Acute fracture of the right 6th rib.", "No acute rib fracture."),
    ("Small left pleural effusion, pneumothorax absent.", "No pleural effusion."),
    ("Moderate right pleural effusion.", "Pleural effusion: excluded."),
    # "no residual X", "no obvious X" rule X out (CheXpert's "No obvious XXX" is a negation); "no large X" does not
    ("Small right apical pneumothorax.", "No residual pneumothorax."),
    ("Small left apical pneumothorax.", "No obvious pneumothorax."),
]


def _conflicts(findings: str, impression: str) -> bool:
    return any(i.kind == "negation_conflict" for i in check_report(f"FINDINGS: {findings}\nIMPRESSION: {impression}"))


@pytest.mark.parametrize(("affirmed", "ruled_out"), CONFLICTS, ids=[c[1] for c in CONFLICTS])
def test_negation_conflict_in_both_directions(affirmed: str, ruled_out: str) -> None:
    assert _conflicts(affirmed, ruled_out)
    assert _conflicts(ruled_out, affirmed)


# (hedged or still-present, ruled out): no negation conflict either way
NOT_CONFLICTS = [
    ("Pneumonia is unlikely.", "No focal consolidation."),
    ("The heart may be mildly enlarged.", "Heart size is normal."),
    ("A small left effusion may be present.", "No pleural effusion."),
    ("Query small left apical pneumothorax.", "No pneumothorax."),
    ("Correlate clinically for pneumonia.", "No consolidation."),
    ("Small left pleural effusion.", "No large pleural effusion."),
    ("Mild interstitial pulmonary oedema.", "No overt pulmonary oedema."),
    # a kind of the finding ruled out, not the finding: "no tension pneumothorax", "no loculated effusion"
    ("Small right apical pneumothorax.", "No tension pneumothorax."),
    ("Small left pleural effusion.", "No loculated pleural effusion."),
]


@pytest.mark.parametrize(("hedged", "ruled_out"), NOT_CONFLICTS, ids=[c[0] for c in NOT_CONFLICTS])
def test_a_hedge_against_a_negation_is_no_conflict(hedged: str, ruled_out: str) -> None:
    assert not _conflicts(hedged, ruled_out)
    assert not _conflicts(ruled_out, hedged)


def test_a_finding_still_there_contradicts_its_negation() -> None:
    # "has not resolved" affirms: against "no effusion" it is a conflict, against "small effusion" none
    assert _conflicts("The left pleural effusion has not resolved.", "No pleural effusion.")
    assert not _conflicts("The left pleural effusion has not resolved.", "Persistent small left pleural effusion.")


@pytest.mark.parametrize(("fracture", "bones"), [
    ("Acute fracture of the right 5th rib.", "No acute bony abnormality."),
    ("New fracture of the left clavicle.", "No acute osseous abnormality."),
    ("Fracture of the right 7th rib.", "The visualised bones are intact."),
    ("Left 4th rib fracture.", "Osseous structures are intact."),
])
def test_the_bones_called_normal_rule_out_a_fracture(fracture: str, bones: str) -> None:
    # "no acute bony abnormality" limits itself to an acute fracture, as "no acute fracture" does
    assert _conflicts(fracture, bones) and _conflicts(bones, fracture)


@pytest.mark.parametrize(("fracture", "bones"), [
    ("Old healed right rib fractures.", "The bones are intact. No acute disease."),
    ("Right 6th rib fracture.", "No acute osseous abnormality."),  # undated: "acute" rules out only an acute one
])
def test_an_old_or_undated_fracture_beside_no_acute_bony_abnormality_is_no_conflict(fracture: str,
                                                                                   bones: str) -> None:
    assert not _conflicts(fracture, bones)


@pytest.mark.parametrize(("findings", "impression"), [
    ("A 15 mm rounded nodule in the left upper zone.", "No lung mass."),
    ("No focal pulmonary mass. The heart is normal.", "Right lower lobe nodule, 2 cm."),
    ("Displaced fracture of the right 8th rib.", "No acute fracture."),
    ("No acute rib fracture. Lungs clear.", "Left 6th rib fracture."),
    ("Normal mediastinal width. Clear lungs.", "Mediastinal widening; CT advised."),
])
def test_after_the_v9_v10_look_these_conflict(findings: str, impression: str) -> None:
    assert _conflicts(findings, impression)


@pytest.mark.parametrize(("findings", "impression"), [
    ("A 5 mm nodule in the left upper zone.", "No lung mass."),
    ("No acute fracture. Healed right rib fractures.", "Right rib fractures."),
    ("No lung mass. Right hilar mass, 3 cm.", "Right hilar mass."),
])
def test_after_the_v9_v10_look_these_do_not(findings: str, impression: str) -> None:
    assert not _conflicts(findings, impression)


@pytest.mark.parametrize(("findings", "impression"), [
    # speech recognition without full stops: the negation ends where the next capitalised sentence starts
    ("No consolidation is demonstrated Both costophrenic angles are clear. No pneumothorax Cardiac size is within "
     "normal limits Hila are normal Acute fractures of the left 6th to 8th ribs laterally.",
     "Acute left 6th-8th rib fractures."),
    ("Pulmonary vascular congestion with bilateral interstitial edema Both costophrenic angles are clear No "
     "pneumothorax The heart is enlarged, CTR 0.62 Both hila are normal.", "Pulmonary edema. Enlarged heart."),
])
def test_a_run_on_dictation_does_not_negate_the_next_sentence(findings: str, impression: str) -> None:
    assert not _conflicts(findings, impression)


def test_a_run_on_split_keeps_eponyms_and_side_abbreviations() -> None:
    # "no Kerley B lines" stays one negation; "a calcified Rt lower lobe nodule" stays calcified
    assert _conflicts("The lungs are clear with no Kerley B lines or other sign of pulmonary oedema at all today.",
                      "Kerley B lines in keeping with interstitial oedema.")
    issues = check_report("FINDINGS: There are calcified mediastinal nodes, with a calcified Rt lower lobe pulmonary "
                          "nodule.\nIMPRESSION: No acute cardiopulmonary process.")
    assert not [i for i in issues if i.kind == "impression_omits_finding" and i.severity == "warning"]


@pytest.mark.parametrize("atelectasis,minor", [
    ("Patchy atelectasis in the right upper lobe.", False),
    ("Patchy right basilar atelectasis.", True),  # at a base, mostly a streak in real reports
    ("Collapse of the left lower lobe.", False),
    ("Mild plate-like atelectasis at the left base.", True),
    ("Linear atelectasis in the lingula.", True),
    ("Small area of dependent atelectasis at the right base.", True),
])
def test_clear_lungs_deny_atelectasis_that_is_not_minor(atelectasis: str, minor: bool) -> None:
    # an IMPRESSION that calls the lungs clear denies any atelectasis the FINDINGS name (twentieth session: of the IU
    # archive one report says both, CXR1552; blind writers label it a conflict); FINDINGS that call the lungs clear
    # beside minor atelectasis the IMPRESSION names is a mixed picture, as real reports write it, and a collapse or an
    # upper lobe's patch is not
    assert _conflicts(f"Heart size normal. {atelectasis}", "The lungs are clear.")
    assert _conflicts("Heart size normal. The lungs are clear.", atelectasis) != minor


@pytest.mark.parametrize("opacity,conflicts", [
    ("Streaky bibasilar opacities.", True),
    ("Hazy opacity in the right lower zone.", True),
    ("Streaky bibasilar opacities, likely atelectasis.", False),  # explained in its own sentence
    ("Left costophrenic opacity may represent pericardial fat.", False),
    ("Opacities.", False),  # neither placed nor described: a bare opacity says nothing
])
def test_an_impression_calling_the_lungs_clear_answers_for_the_opacities_the_findings_place(
        opacity: str, conflicts: bool) -> None:
    assert _conflicts(f"Heart size normal. {opacity}", "The lungs are clear.") == conflicts
    # the other way round, findings that call the lungs clear beside such an opacity in the impression: as before
    assert not _conflicts(f"The lungs are clear. {opacity}", "No acute disease.")
