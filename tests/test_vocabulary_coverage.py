"""How radiologists name chest X-ray findings, read through ``check_report``: wordings taken as a checklist from
public lexicons (the CheXpert labeler's and NegBio's mention phrases, Fleischner Society and RadLex names, UK and
US report wording), each written here in our own sentences. Each wording is checked in context, as the checks use
it: affirmed in FINDINGS beside a normal impression (an omission, or none where the finding is minor or chronic),
affirmed in FINDINGS and ruled out in the IMPRESSION (a negation conflict), and on the other side in the
IMPRESSION (a laterality conflict)."""

from __future__ import annotations

import re

import pytest

from medrag_core.reports import check_report
from medrag_core.reports.mentions import extract_observations
from medrag_core.reports.vocabulary import GROUP


def _issues(text: str) -> set[tuple[str, str, str | None]]:
    return {(i.kind, i.severity, i.finding) for i in check_report(text)}


# --- two subjects of one predicate share its change -------------------------------------------------------------

@pytest.mark.parametrize(("sentence", "changes"), [
    ("Cardiomegaly and pulmonary edema have increased.", [("Cardiomegaly", "increased"), ("Edema", "increased")]),
    ("The right effusion and the left pneumothorax are smaller.",
     [("Pleural Effusion", "decreased"), ("Pneumothorax", "decreased")]),
    # a change word before the second finding is that finding's own
    ("Cardiomegaly and increased opacities.", [("Cardiomegaly", None), ("Lung Opacity", "increased")]),
    ("Right effusion has decreased and left effusion increased.",
     [("Pleural Effusion", "decreased"), ("Pleural Effusion", "increased")]),
])
def test_two_findings_before_one_plural_predicate_share_its_change(sentence: str, changes: list) -> None:
    assert [(o.name, o.change) for o in extract_observations(sentence, "FINDINGS")] == changes


def test_a_pneumothorax_fading_beside_another_finding_is_compared_by_side() -> None:
    text = ("FINDINGS: The right pneumothorax is no longer seen. There is a small left effusion.\n"
            "IMPRESSION: The left pneumothorax and the effusion are less apparent.")
    assert ("laterality_conflict", "error", "pneumothorax") in _issues(text)


# (sentence affirming the finding, group (or finding name where it has no group), what a normal impression leaving it
# out gives (the severity of impression_omits_finding, None: no warning or error), an impression ruling it out (a
# negation conflict expected) or None, whether the sentence puts it on the right (the IMPRESSION then says "left")
CHECKLIST = [
    # CheXpert mention phrases: atelectasis
    ('Right lower lobe atelectasis.', 'atelectasis', None, 'No atelectasis.', True),
    ('Atelectatic changes at the right base.', 'atelectasis', None, 'No atelectasis.', True),
    ('Collapse of the right lower lobe.', 'atelectasis', 'warning', 'No collapse.', True),
    ('Right lower lobe collapse.', 'atelectasis', 'warning', 'No collapse.', True),
    # cardiomegaly
    ('Cardiomegaly.', 'cardiomegaly', 'warning', 'No cardiomegaly.', False),
    ('The heart is enlarged.', 'cardiomegaly', 'warning', 'The heart is not enlarged.', False),
    ('Heart size is enlarged.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Cardiac enlargement.', 'cardiomegaly', 'warning', 'No cardiomegaly.', False),
    ('The cardiac size is increased.', 'cardiomegaly', 'warning', 'No cardiomegaly.', False),
    ('The cardiac shadow is enlarged.', 'cardiomegaly', 'warning', 'No cardiomegaly.', False),
    ('Enlarged cardiac contour.', 'cardiomegaly', 'warning', 'No cardiomegaly.', False),
    ('Enlarged cardiac silhouette.', 'cardiomegaly', 'warning', 'No cardiomegaly.', False),
    ('Enlarged heart.', 'cardiomegaly', 'warning', 'No cardiomegaly.', False),
    # consolidation
    ('Right lower lobe consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Consolidations in the right lung.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Consolidative opacity in the right lower lobe.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('The right lower lobe is consolidated.', 'airspace disease', 'warning', 'No consolidation.', True),
    # edema
    ('Pulmonary edema.', 'pulmonary edema', 'warning', 'No pulmonary edema.', False),
    ('Congestive heart failure.', 'pulmonary edema', 'warning', 'No pulmonary edema.', False),
    ('Findings of CHF.', 'pulmonary edema', 'warning', 'No CHF.', False),
    ('Pulmonary vascular congestion.', 'pulmonary edema', 'warning', 'No vascular congestion.', False),
    ('Pulmonary congestion.', 'pulmonary edema', 'warning', 'No pulmonary congestion.', False),
    ('Indistinctness of the pulmonary vasculature.', 'pulmonary edema', 'warning', 'No pulmonary edema.', False),
    # enlarged cardiomediastinum
    ('The mediastinum is widened.', 'widened mediastinum', 'warning', 'The mediastinum is not widened.', False),
    ('The cardiomediastinal silhouette is enlarged.',
     'widened mediastinum', 'warning', 'Normal cardiomediastinal silhouette.', False),
    ('Widened mediastinal silhouette.', 'widened mediastinum', 'warning', 'Normal mediastinum.', False),
    # fracture
    ('Fracture of the right 5th rib.', 'fracture', None, 'No fracture.', True),
    # lung lesion
    ('Right upper lobe mass.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Nodular density in the right upper lobe measuring 1.5 cm.', 'nodule or mass', 'warning', 'No nodule.', True),
    ('Nodular opacities in the right lung measuring up to 12 mm.', 'nodule or mass', 'warning', 'No nodules.', True),
    ('A 1 cm right upper lobe nodule.', 'nodule or mass', 'warning', 'No nodule.', True),
    ('Cavitary lesion in the right upper lobe.', 'nodule or mass', 'warning', 'No focal lung lesion.', True),
    ('Right upper lobe carcinoma.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Right lung neoplasm.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Right hilar tumor.', 'nodule or mass', 'warning', 'No mass.', True),
    # lung opacity
    ('Focal opacity in the right lower lobe.', 'airspace disease', 'warning', 'No focal opacity.', True),
    ('Decreased translucency of the right lower zone.', 'airspace disease', 'warning', 'No focal opacity.', True),
    ('Right lower lobe airspace disease.', 'airspace disease', 'warning', 'No airspace disease.', True),
    ('Air-space disease in the right lower lobe.', 'airspace disease', 'warning', 'No airspace disease.', True),
    ('Right lower lobe infiltrate.', 'airspace disease', 'warning', 'No infiltrate.', True),
    ('Infiltration of the right lower lobe.', 'airspace disease', 'warning', 'No infiltrate.', True),
    # pleural effusion
    ('Right pleural effusion.', 'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Fluid in the right pleural space.', 'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Moderate right effusion.', 'pleural effusion', 'warning', 'No effusion.', True),
    ('Right pleural fluid.', 'pleural effusion', 'warning', 'No pleural fluid.', True),
    # pleural other
    ('Right pleural thickening.', 'pleural thickening', None, None, True),
    ('Right fibrothorax.', 'pleural thickening', None, None, True),
    ('Right apical pleural scarring.', 'pleural thickening', None, None, True),
    # pneumonia
    ('Right lower lobe pneumonia.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Infection in the right lower lobe.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Infectious process in the right lower lobe.', 'airspace disease', 'warning', 'No pneumonia.', True),
    # pneumothorax
    ('Right pneumothorax.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Bilateral pneumothoraces.', 'pneumothorax', 'warning', 'No pneumothorax.', False),
    # unmention
    ('Small pericardial effusion.', 'pericardial effusion', 'warning', None, False),
    # the brief's checklist: spellings and abbreviations
    ('Mild pulmonary oedema.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Small right haemothorax.', 'pleural effusion', 'info', 'No haemothorax.', True),
    ('Right HTX.', 'pleural effusion', 'warning', 'No haemothorax.', True),
    ('Small right PTX.', 'pneumothorax', 'warning', 'No PTX.', True),
    ('RLL PNA.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Signs of CCF.', 'pulmonary edema', 'warning', 'No CCF.', False),
    ('Appearances in keeping with LVF.', 'pulmonary edema', 'warning', 'No LVF.', False),
    ('Congestive cardiac failure.', 'pulmonary edema', 'warning', 'No cardiac failure.', False),
    ('Left ventricular failure.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Mild CM.', 'cardiomegaly', 'info', 'No cardiomegaly.', False),
    ('RLL consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('RUL collapse.', 'atelectasis', 'warning', 'No collapse.', True),
    ('Blunting of the right CP angle.', 'pleural effusion', None, None, False),
    ('Right NGT in the stomach.', 'support devices', None, None, False),
    ('ETT 4 cm above the carina.', 'support devices', None, None, False),
    ('Right IJ line with tip in the SVC.', 'support devices', None, None, False),
    ('Right CVC with tip in the SVC.', 'support devices', None, None, False),
    ('Right subclavian CVC.', 'support devices', None, None, False),
    ('Right PICC line.', 'support devices', None, None, False),
    ('NG tube in the stomach.', 'support devices', None, None, False),
    # plural and adjectival forms
    ('Bilateral pleural effusions.', 'pleural effusion', 'warning', 'No pleural effusions.', False),
    ('Pneumonic consolidation in the right lower lobe.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right lower lobe pneumonic changes.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Multiple nodules in the right lung up to 1 cm.', 'nodule or mass', 'warning', 'No nodules.', True),
    ('Right upper lobe masses.', 'nodule or mass', 'warning', 'No mass.', True),
    # UK wordings
    ('Right basal airspace shadowing.', 'airspace disease', 'warning', 'No airspace shadowing.', True),
    ('Airspace change at the right base.', 'airspace disease', 'warning', 'No airspace change.', True),
    ('Air-space opacification in the right lower zone.',
     'airspace disease', 'warning', 'No airspace opacification.', True),
    ('Right lower zone infective change.', 'airspace disease', 'warning', 'No infective change.', True),
    ('Consolidative change in the right lower lobe.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Patchy shadowing in the right lower zone.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Infective consolidation at the right base.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right lower zone infection.', 'airspace disease', 'warning', 'No infection.', True),
    ('Changes of chest infection at the right base.', 'airspace disease', 'warning', 'No consolidation.', True),
    # oedema wordings
    ('Pulmonary venous hypertension.', 'pulmonary edema', 'warning', 'No pulmonary venous hypertension.', False),
    ('Upper lobe diversion.', 'pulmonary edema', 'warning', 'No upper lobe diversion.', False),
    ('Upper lobe blood diversion.', 'pulmonary edema', 'warning', 'No upper lobe diversion.', False),
    ('Septal lines at both bases.', 'pulmonary edema', 'warning', 'No septal lines.', False),
    ('Kerley B lines.', 'pulmonary edema', 'warning', 'No Kerley B lines.', False),
    ('Septal thickening at the lung bases.', 'pulmonary edema', 'warning', 'No septal thickening.', False),
    ('Bat-wing perihilar shadowing.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Batwing opacities.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Perihilar haze.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Perihilar haziness.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Fluid overload.', 'pulmonary edema', 'warning', 'No fluid overload.', False),
    ('Cephalization of the pulmonary vessels.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Cephalisation.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Peribronchial cuffing and septal lines.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Interstitial oedema.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Alveolar oedema.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Pulmonary venous congestion.', 'pulmonary edema', 'warning', 'No pulmonary venous congestion.', False),
    ('Features of cardiac failure.', 'pulmonary edema', 'warning', 'No cardiac failure.', False),
    ('Heart failure.', 'pulmonary edema', 'warning', 'No heart failure.', False),
    ('Vascular redistribution.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Pleural fluid tracking into the right horizontal fissure.',
     'pleural effusion', 'warning', 'No pleural fluid.', True),
    # effusion wordings
    ('Right pleural fluid collection.', 'pleural effusion', 'warning', 'No pleural fluid.', True),
    ('Blunting of the right costophrenic angle.', 'pleural effusion', None, None, False),
    ('Right costophrenic angle blunting.', 'pleural effusion', None, None, False),
    ('Meniscus at the right base in keeping with effusion.', 'pleural effusion', 'warning', 'No effusion.', True),
    ('Right-sided effusion.', 'pleural effusion', 'warning', 'No effusion.', True),
    ('Subpulmonic effusion on the right.', 'pleural effusion', 'warning', 'No effusion.', True),
    ('Right hydrothorax.', 'pleural effusion', 'warning', 'No effusion.', True),
    ('Loculated right pleural collection.', 'pleural effusion', 'warning', 'No effusion.', True),
    # pneumothorax wordings
    ('Visible right lung edge.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Visceral pleural line at the right apex.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('A right visceral pleural edge is seen.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Right tension pneumothorax.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Right apical pneumothoraces.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Right sided pneumothorax.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Right hydropneumothorax.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Right haemopneumothorax.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Right hemopneumothorax.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    # free air
    ('Pneumoperitoneum.', 'free air', 'warning', 'No pneumoperitoneum.', False),
    ('Free subdiaphragmatic gas.', 'free air', 'warning', 'No free gas.', False),
    ('Free gas under the right hemidiaphragm.', 'free air', 'warning', 'No free air.', False),
    ('Free intraperitoneal air.', 'free air', 'warning', 'No free air.', False),
    ('Air under the diaphragm.', 'free air', 'warning', 'No free air.', False),
    ('Subdiaphragmatic free air.', 'free air', 'warning', 'No free air.', False),
    # mediastinum
    ('Mediastinal widening.', 'widened mediastinum', 'warning', 'No mediastinal widening.', False),
    ('Broad mediastinum.', 'widened mediastinum', 'warning', 'No mediastinal widening.', False),
    ('Broadened mediastinum.', 'widened mediastinum', 'warning', 'No mediastinal widening.', False),
    ('Widening of the superior mediastinum.',
     'widened mediastinum', 'warning', 'The mediastinum is not widened.', False),
    ('The superior mediastinum is widened.', 'widened mediastinum', 'warning', 'Normal mediastinum.', False),
    ('Mediastinal enlargement.', 'widened mediastinum', 'warning', 'Normal mediastinum.', False),
    ('Enlarged mediastinum.', 'widened mediastinum', 'warning', 'Normal mediastinum.', False),
    ('Widened mediastinal silhouette.', 'widened mediastinum', 'warning', 'Normal mediastinal contours.', False),
    # heart
    ('Cardiac enlargement.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Enlarged cardiac silhouette.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('CTR > 0.5.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Cardiothoracic ratio of 0.6.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Increased cardiothoracic ratio.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Cardiothoracic ratio is increased.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('The heart is large.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Globular heart.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Enlarged heart shadow.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Cardiac silhouette is at the upper limit of normal.', 'cardiomegaly', None, None, False),
    ('Cardiomegaly.', 'cardiomegaly', 'warning', 'Heart size is normal.', False),
    ('Cardiomegaly.', 'cardiomegaly', 'warning', 'Heart not enlarged.', False),
    # collapse
    ('Collapsed right lower lobe.', 'atelectasis', 'warning', 'No collapse.', True),
    ('The right upper lobe is collapsed.', 'atelectasis', 'warning', 'No collapse.', True),
    ('Volume loss and opacification of the right lower lobe in keeping with collapse.',
     'atelectasis', 'warning', 'No collapse.', True),
    ('Sail sign behind the heart in keeping with left lower lobe collapse.',
     'atelectasis', 'warning', 'No collapse.', False),
    ('Left lower lobe collapse with a sail sign.', 'atelectasis', 'warning', 'No collapse.', False),
    ('Right lung collapse.', 'atelectasis', 'warning', 'No collapse.', True),
    ('Complete collapse of the right lung.', 'atelectasis', 'warning', 'No collapse.', True),
    ('Right upper lobe collapse-consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Collapse/consolidation in the right lower lobe.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right middle lobe collapse.', 'atelectasis', 'warning', 'No collapse.', True),
    ('Lingular collapse.', 'atelectasis', 'warning', 'No collapse.', False),
    ('Left upper lobe collapse.', 'atelectasis', 'warning', 'No collapse.', False),
    # lesion / opacity / density / shadow as nodules or masses
    ('A 2 cm lesion in the right upper lobe.', 'nodule or mass', 'warning', 'No focal lung lesion.', True),
    ('A 2 cm opacity in the right upper lobe.', 'nodule or mass', 'warning', None, True),
    ('A 15 mm rounded density in the right upper zone.', 'nodule or mass', 'warning', None, True),
    ('A 3 cm rounded shadow in the right mid zone.', 'nodule or mass', 'warning', None, True),
    ('Rounded opacity measuring 2 cm in the right upper lobe.', 'nodule or mass', 'warning', None, True),
    ('Cavitating lesion in the right upper lobe.', 'nodule or mass', 'warning', 'No focal lung lesion.', True),
    ('Cavitating mass in the right upper lobe.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Coin lesion in the right upper lobe.', 'nodule or mass', 'warning', 'No focal lung lesion.', True),
    ('Right apical Pancoast tumour.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Spiculated mass in the right upper lobe.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Right perihilar mass.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Soft tissue mass in the right upper zone.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Right lung cancer.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Multiple pulmonary metastases.', 'nodule or mass', 'warning', 'No metastases.', False),
    ('Cannonball metastases.', 'nodule or mass', 'warning', 'No metastases.', False),
    ('Right upper lobe bronchogenic carcinoma.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Right lung abscess.', 'nodule or mass', 'warning', None, True),
    # hilum
    ('Right hilar enlargement.', 'hilar enlargement', None, 'No hilar enlargement.', True),
    ('Right hilar prominence.', 'hilar enlargement', None, 'Normal hila.', True),
    ('Right hilar lymphadenopathy.', 'hilar enlargement', None, 'No hilar lymphadenopathy.', True),
    ('Bilateral hilar lymphadenopathy.', 'hilar enlargement', None, 'No hilar lymphadenopathy.', False),
    ('Bulky right hilum.', 'hilar enlargement', None, 'Normal hila.', True),
    ('Prominent right hilum.', 'hilar enlargement', None, 'Normal hila.', True),
    ('Enlarged right hilar lymph nodes.', 'hilar enlargement', None, 'Normal hila.', True),
    ('Right hilar adenopathy.', 'hilar enlargement', None, 'Normal hila.', True),
    # fractures
    ('Fracture of the right 5th rib.', 'fracture', None, 'No rib fracture.', True),
    ('Right 5th rib fracture.', 'fracture', None, 'No rib fracture.', True),
    ('Fractured right clavicle.', 'fracture', None, 'No fracture.', True),
    ('Right clavicular fracture.', 'fracture', None, 'No fracture.', True),
    ('Fractures of the right 4th to 6th ribs.', 'fracture', None, 'No fracture.', True),
    ('Healing right rib fractures.', 'fracture', None, None, True),
    ('Displaced fracture of the right clavicle.', 'fracture', None, 'No fracture.', True),
    ('Vertebral compression fracture.', 'fracture', None, 'No fracture.', False),
    ('Wedge compression deformity of T8.', 'fracture', None, 'No fracture.', False),
    ('Old right rib fractures.', 'fracture', None, None, True),
    # soft tissue, lung volume
    ('Hyperinflated lungs.', 'Emphysema', None, None, False),
    ('Hyperexpanded lungs.', 'Emphysema', None, None, False),
    ('Emphysematous changes.', 'Emphysema', None, None, False),
    ('Bullous emphysema.', 'Emphysema', None, None, False),
    # interstitium
    ('Honeycombing at both bases.', 'scarring', None, None, False),
    ('Pulmonary fibrosis.', 'scarring', None, None, False),
    ('Bibasal fibrotic change.', 'scarring', None, None, False),
    ('Right apical scarring.', 'scarring', None, None, True),
    ('Miliary nodules throughout both lungs.', 'nodule or mass', 'warning', None, False),
    # granuloma
    ('Calcified granuloma in the right upper lobe.', 'granuloma', None, None, True),
    ('Right upper lobe granulomas.', 'granuloma', None, None, True),
    # others
    ('Right ground-glass opacity.', 'airspace disease', 'warning', None, True),
    ('Air bronchograms in the right lower lobe.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right lower lobe opacity with air bronchograms.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Plate atelectasis at the right base.', 'atelectasis', None, 'No atelectasis.', True),
    ('Linear atelectasis at the right base.', 'atelectasis', None, 'No atelectasis.', True),
    ('Subsegmental atelectasis at the right base.', 'atelectasis', None, 'No atelectasis.', True),
    ('Discoid atelectasis at the right base.', 'atelectasis', None, 'No atelectasis.', True),
    ('Elevated right hemidiaphragm.', 'elevated hemidiaphragm', None, None, True),
    ('Small hiatus hernia.', 'Hiatal Hernia', None, None, False),
    ('Large hiatal hernia.', 'Hiatal Hernia', None, None, False),
    ('Right pleural plaques.', 'pleural thickening', None, None, True),
    ('Calcified pleural plaques.', 'pleural thickening', None, None, False),
    ('Right apical pleural cap.', 'pleural thickening', None, None, True),
    ('Small pericardial effusion.', 'pericardial effusion', 'warning', 'No pericardial effusion.', False),
    ('Pericardial effusion.', 'pericardial effusion', 'warning', 'No pericardial effusion.', False),
    # a second round: the same lexicons' other wordings, as reports phrase them
    ('The pericardial silhouette is enlarged.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Moderate cardiomegaly.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Mild enlargement of the cardiac silhouette.', 'cardiomegaly', 'info', 'Normal heart size.', False),
    ('Left ventricular enlargement.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Heart size is at the upper limits of normal.', 'cardiomegaly', None, None, False),
    ('The cardiomediastinal silhouette is prominent.',
     'widened mediastinum', 'warning', 'Normal cardiomediastinal silhouette.', False),
    ('Loculated right pleural effusion.', 'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Layering right pleural effusion.', 'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Moderate right effusion, larger than before.', 'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Tiny right apical PTX.', 'pneumothorax', 'warning', 'No PTX.', True),
    ('Right apical pneumothorax measuring 2 cm.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Dense retrocardiac opacity.', 'airspace disease', 'warning', None, False),
    ('Left retrocardiac consolidation.', 'airspace disease', 'warning', 'No consolidation.', False),
    ('Multifocal pneumonia.', 'airspace disease', 'warning', 'No pneumonia.', False),
    ('Aspiration pneumonia in the right lower lobe.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Right lower lobe aspiration.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Patchy opacities at the right base, likely aspiration.', 'airspace disease', 'warning', None, True),
    ('Right middle lobe pneumonia.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Right lower lobe bronchopneumonia.', 'airspace disease', 'warning', 'No pneumonia.', True),
    ('Alveolar infiltrates in the right lung.', 'airspace disease', 'warning', 'No infiltrate.', True),
    ('Diffuse bilateral airspace opacities.', 'airspace disease', 'warning', 'No airspace disease.', False),
    ('Right lower lobe mass-like consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right hilar mass.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Large right lung mass.', 'nodule or mass', 'warning', 'No mass.', True),
    ('Right upper lobe nodular opacity measuring 9 mm.', 'nodule or mass', 'warning', 'No nodule.', True),
    ('A 4 mm right upper lobe nodule.', 'nodule or mass', 'info', None, True),
    ('Right pulmonary nodules.', 'nodule or mass', 'warning', 'No pulmonary nodules.', True),
    ('Right upper lobe spiculated nodule.', 'nodule or mass', 'warning', 'No nodule.', True),
    ('Right upper lobe cavity.', 'nodule or mass', 'warning', 'No cavity.', True),
    ('Right apical cavitation.', 'nodule or mass', 'warning', 'No cavitation.', True),
    ('Right lower lobe atelectasis and consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Left lower lobe collapse.', 'atelectasis', 'warning', 'No collapse.', False),
    ('Right middle lobe collapse and consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right lower lobe volume loss.', None, None, None, False),
    ('Acute right 6th rib fracture.', 'fracture', None, 'No acute fracture.', True),
    ('Right rib fractures.', 'fracture', None, 'No rib fractures.', True),
    ('Fractured right 7th rib.', 'fracture', None, 'No rib fracture.', True),
    ('Right-sided rib fractures.', 'fracture', None, 'No rib fractures.', True),
    ('Bilateral rib fractures.', 'fracture', None, 'No rib fractures.', False),
    ('Right humeral fracture.', 'fracture', None, 'No fracture.', True),
    ('Right scapular fracture.', 'fracture', None, 'No fracture.', True),
    ('Free air beneath the right hemidiaphragm.', 'free air', 'warning', 'No free air.', False),
    ('Free gas under the diaphragm.', 'free air', 'warning', 'No free gas.', False),
    ('Pneumoperitoneum under both hemidiaphragms.', 'free air', 'warning', 'No pneumoperitoneum.', False),
    ('Right chest tube in place.', 'support devices', None, None, False),
    ('Right IJ central venous catheter tip in the SVC.', 'support devices', None, None, False),
    ('Tracheostomy tube in place.', 'support devices', None, None, False),
    ('Right pleural drain.', 'support devices', None, None, False),
    ('Right intercostal drain.', 'support devices', None, None, False),
    ('Dual-chamber pacemaker.', 'support devices', None, None, False),
    ('Enteric tube with tip in the stomach.', 'support devices', None, None, False),
    ('Swan-Ganz catheter in the right pulmonary artery.', 'support devices', None, None, False),
    ('Large hiatal hernia.', 'Hiatal Hernia', None, None, False),
    ('Elevated left hemidiaphragm.', 'elevated hemidiaphragm', None, None, False),
    ('Eventration of the right hemidiaphragm.', 'elevated hemidiaphragm', None, None, True),
    ('Right pleural thickening.', 'pleural thickening', None, None, True),
    ('Calcified right pleural plaques.', 'pleural thickening', None, None, True),
    ('Diffuse pulmonary edema.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Florid pulmonary oedema.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Mild interstitial pulmonary edema.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Pulmonary edema, worse.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Bilateral perihilar opacities consistent with edema.',
     'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Findings of fluid overload.', 'pulmonary edema', 'warning', 'No fluid overload.', False),
    ('Volume overload.', 'pulmonary edema', 'warning', 'No fluid overload.', False),
    # a third round: opacified, bare shadowing (read as a bare opacity), obliterated angles, air in the pleural space
    ('The right lower lobe is opacified.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Opacified right hemithorax.', 'airspace disease', 'warning', None, True),
    ('Right basal shadowing.', 'airspace disease', None, None, True),
    ('Shadowing at the right base.', 'airspace disease', None, None, True),
    ('Right lower zone shadowing.', 'airspace disease', None, None, True),
    ('The right costophrenic angle is obliterated.', 'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Obliteration of the right costophrenic angle.', 'pleural effusion', 'warning', 'No effusion.', True),
    ('Veiling opacity over the right hemithorax in keeping with a layering effusion.',
     'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Heart enlarged.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Cardiac silhouette enlarged.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Enlarged heart size.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Large heart.', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Cardiomegaly (CTR 0.6).', 'cardiomegaly', 'warning', 'Normal heart size.', False),
    ('Right upper lobe air-space consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right perihilar consolidation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right lower lobe lung abscess with an air-fluid level.', 'nodule or mass', 'warning', None, True),
    ('Right-sided pneumothorax with mediastinal shift to the left.',
     'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Tension pneumothorax on the right.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Large right PTX.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Air in the right pleural space.', 'pneumothorax', 'warning', 'No pneumothorax.', True),
    ('Mediastinal mass.', 'nodule or mass', 'warning', 'No mass.', False),
    ('Anterior mediastinal mass.', 'nodule or mass', 'warning', 'No mass.', False),
    ('Lymphadenopathy in the right hilum.', 'hilar enlargement', None, 'Normal hila.', True),
    ('Right upper lobe consolidation with cavitation.', 'airspace disease', 'warning', 'No consolidation.', True),
    ('Right pleural effusion and basal atelectasis.', 'pleural effusion', 'warning', 'No pleural effusion.', True),
    ('Right haemothorax with a fluid level.', 'pleural effusion', 'warning', 'No haemothorax.', True),
    ('Multiple right rib fractures with a flail segment.', 'fracture', None, 'No rib fractures.', True),
    ('Fracture of the right clavicle.', 'fracture', None, 'No fracture.', True),
    ('Pneumoperitoneum. Free gas beneath both hemidiaphragms.', 'free air', 'warning', 'No free gas.', False),
    ('Pulmonary oedema with bilateral effusions.', 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ("Alveolar oedema with a bat's wing distribution.", 'pulmonary edema', 'warning', 'No pulmonary oedema.', False),
    ('Kerley lines at both bases.', 'pulmonary edema', 'warning', 'No Kerley lines.', False),
    ('Interstitial pulmonary oedema.', 'pulmonary edema', 'warning', 'No interstitial oedema.', False),
    # findings the vocabulary now names (critical air outside the lung; gas in the soft tissues)
    ('Pneumomediastinum.', 'pneumomediastinum', 'warning', 'No pneumomediastinum.', False),
    ('Mediastinal emphysema tracking into the neck.', 'pneumomediastinum', 'warning', 'No pneumomediastinum.', False),
    ('Pneumopericardium.', 'pneumopericardium', 'warning', 'No pneumopericardium.', False),
    ('Right chest wall subcutaneous emphysema.', 'subcutaneous emphysema', None, 'No subcutaneous emphysema.', False),
    ('Surgical emphysema in the right chest wall.', 'subcutaneous emphysema', None, 'No surgical emphysema.', False),
    # (a bulla has a side of its own since the twentieth session: a diver's or a seafarer's fitness turns on it)
    ('Large right apical bulla.', 'bulla', None, None, True),
]


def _flip(sentence: str) -> str:
    """The sentence with its side changed: right -> left, RLL -> LLL."""
    flipped = re.sub(r"\b(?:right|Right|R(?=[UL]L\b))",
                     lambda m: {"right": "left", "Right": "Left", "R": "L"}[m.group(0)], sentence)
    assert flipped != sentence
    return flipped


def _read_as(sentence: str, group: str, side: str | None) -> list[str]:
    return [o.name for o in extract_observations(sentence, "FINDINGS")
            if o.polarity != "absent" and group in (GROUP.get(o.name), o.name) and (side is None or o.side == side)]


@pytest.mark.parametrize(("sentence", "group", "omission", "negation", "lateral"), CHECKLIST,
                         ids=[row[0] for row in CHECKLIST])
def test_checklist_wording_is_read_in_context(sentence: str, group: str | None, omission: str | None,
                                              negation: str | None, lateral: bool) -> None:
    if group:
        assert _read_as(sentence, group, "right" if lateral else None)
    issues = _issues(f"FINDINGS: {sentence}\nIMPRESSION: No acute cardiopulmonary process.")
    omitted = {(sev, finding) for kind, sev, finding in issues if kind == "impression_omits_finding"}
    if omission is None:
        assert {(k, s) for k, s, _ in issues if s != "info"} == set()
    else:
        assert (omission, group) in omitted
    if negation:
        assert "negation_conflict" in {k for k, _, _ in _issues(f"FINDINGS: {sentence}\nIMPRESSION: {negation}")}
    if lateral:
        flipped = _flip(sentence)
        assert "laterality_conflict" in {k for k, _, _ in _issues(f"FINDINGS: {sentence}\nIMPRESSION: {flipped}")}


@pytest.mark.parametrize("sentence", [
    # the reason for a resection is not a finding of this film
    "Status post right upper lobectomy for lung cancer. The lungs are clear.",
    "Status post left pneumonectomy for tumor.",
    # secondary deposits in bone are bone lesions, not lung masses
    "Sclerotic bone metastases in the thoracic spine. The lungs are clear.",
    "Known osseous metastatic disease. The lungs are clear.",
    # a past infection, residua of granulomatous disease
    "Scarring from prior infection at the left apex.",
    "Calcified granulomas from prior granulomatous infection.",
    # a cardiothoracic ratio under one half, a normal mediastinum
    "CTR 0.45.",
    "Cardiothoracic ratio is 0.48.",
    "Normal mediastinum. The lungs are clear.",
    # fluid in a fissure beside "no effusion" is not read as one; shadows of the nipples and breasts are no opacity
    "No pleural effusion. Small amount of fluid in the right minor fissure.",
    "Bilateral nipple shadows. Overlying breast shadows.",
    # a measured band of atelectasis, a measured tube position, a small opacity: no lesion
    "A 5 cm linear band of atelectasis at the left base.",
    "ETT 5 cm above the carina. Faint opacity at the right base is unchanged.",
    "An 8 mm opacity overlies the sixth anterior rib.",
    # a lobe said not to be collapsed
    "The right upper lobe is not collapsed.",
    # minor and chronic findings beside "no acute disease"
    "Subcutaneous emphysema in the right chest wall.",
    "Hyperexpanded lungs with bullae. Small hiatus hernia.",
    "Right apical pleural cap. Honeycombing at both bases.",
    "Mild chronic compression deformity of T8.",
])
def test_wordings_that_are_no_significant_finding_stay_quiet(sentence: str) -> None:
    issues = _issues(f"FINDINGS: {sentence}\nIMPRESSION: No acute cardiopulmonary process.")
    assert {(kind, finding) for kind, severity, finding in issues if severity != "info"} == set()


@pytest.mark.parametrize("sentence", ["Deep sulcus sign on the right.", "Cardiomegaly and mild vascular prominence.",
                                      "Prominent cardiac silhouette."])
def test_signs_that_suggest_a_finding_are_possible_not_affirmed(sentence: str) -> None:
    # a sign (the deep sulcus sign of a pneumothorax, prominent vessels of raised venous pressure, a prominent heart)
    # is a hedge: a whole impression of "no acute disease" must still carry the first two, a mixed one need not
    found = {(o.name, o.polarity) for o in extract_observations(sentence, "FINDINGS")}
    assert found & {("Pneumothorax", "uncertain"), ("Edema", "uncertain"), ("Cardiomegaly", "uncertain")}
    pure = _issues(f"FINDINGS: {sentence}\nIMPRESSION: No acute cardiopulmonary process.")
    if "Prominent cardiac" in sentence:
        # a prominent heart is read as a borderline one: stated as near normal, not left out
        assert {k for k, s, _ in pure if s != "info"} == set()
    else:
        assert {f for k, s, f in pure if k == "impression_omits_finding" and s == "warning"} & {"pneumothorax",
                                                                                               "pulmonary edema"}


def test_a_cardiothoracic_ratio_above_one_half_is_cardiomegaly() -> None:
    for sentence in ("CTR > 0.5.", "Cardiothoracic ratio of 0.6.", "The cardiothoracic ratio is 55%.",
                     "Increased CTR."):
        assert [(o.name, o.polarity) for o in extract_observations(sentence, "FINDINGS")] == [("Cardiomegaly",
                                                                                                "present")]
    assert [(o.name, o.polarity) for o in extract_observations("CTR 0.5.", "FINDINGS")] == []  # the limit itself


def test_a_lobectomy_for_a_mass_keeps_a_new_mass_elsewhere() -> None:
    issues = _issues("FINDINGS: Right upper lobectomy for a mass. New left upper lobe mass.\n"
                     "IMPRESSION: No acute cardiopulmonary process.")
    assert ("impression_omits_finding", "warning", "nodule or mass") in issues


@pytest.mark.parametrize(("sentence", "found"), [
    # "prominent" is the heart's only where it says so; a normal heart beside a prominent atrial contour stays normal
    ("Heart size within normal limits with prominent right atrial convexity.", [("Cardiomegaly", "absent")]),
    ("The heart appears prominent.", [("Cardiomegaly", "uncertain")]),
    # UK "shadowing" is an opacity; "shadows" are the nipples', breasts' or vessels'
    ("Right basal shadowing.", [("Lung Opacity", "present")]),
    ("Bilateral nipple shadows and overlying breast shadows.", []),
    ("This may represent vascular shadows.", []),
])
def test_words_read_only_where_they_name_the_finding(sentence: str, found: list) -> None:
    assert [(o.name, o.polarity) for o in extract_observations(sentence, "FINDINGS")] == found


@pytest.mark.parametrize("sentence", [
    "Stable cavity in the right apex related to prior tuberculosis infection.",
    "Right upper lobe cavity, consistent with prior tuberculous infection.",
    "Correlate clinically for symptoms of infection.",
])
def test_a_past_or_clinical_infection_is_no_pneumonia(sentence: str) -> None:
    assert "Pneumonia" not in {o.name for o in extract_observations(sentence, "FINDINGS")}
