"""Held-out report-error set no. 27: the less common vocabulary of a chest film.

Written BLIND: without reading the report checker, its tests, its docs or any other
generator; only the scorer's format, the shared eval README, the IU archive and the dev
set's `uid` field (to exclude those reports) were used.

Theme: findings outside the lungs and pleura (aorta, right-sided arch, pulmonary arteries,
ribs, lytic/sclerotic bone, vertebral height loss, shoulders, mastectomy, implants,
axillary clips, surgical emphysema, free subdiaphragmatic gas, hiatus hernia, Chilaiditi,
gallstones, dilated bowel), significant findings in rarer words (hydropneumothorax, air-fluid
level, cavitating lesion, pneumoperitoneum, lobar collapse/volume loss, pulmonary venous
hypertension, upper lobe diversion, bat-wing shadowing, loculated fluid, empyema,
spiculated/lobulated lesions), mixed with many incidental and chronic items (granulomas,
pleural plaques, bullae, old fractures, sternotomy wires) so that what is significant is
decided by the finding's own words.

Layouts (both halves): "classic" (EXAMINATION / CLINICAL INDICATION / COMPARISON, one
findings paragraph), "regional" (findings in region paragraphs, dash-bulleted impression),
"compact" (History:/Findings:/Impression: run-in headers) and "signed" (classic plus a
referrer / reporter footer with `___` de-identification masks, which are not errors).

usage: python -m bench.make_heldout27 OUT.jsonl --seed S [--show N]
"""
import argparse
import hashlib
import io
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN, N_KIND = 200, 40
OPP = {"right": "left", "left": "right"}
PH_RE = re.compile(r"\[\*+\]|\[(?:LEFT/RIGHT|RIGHT/LEFT|side|SIDE|size|mild/moderate/large|mild/moderate/severe)\]"
                   r"|<insert[^>]*>|\bXX ?(?:mm|cm)\b|_{2,} ?(?:mm|cm)\b|\*\* ?(?:mm|cm)\b|\[finding\]")


def shared_dir():
    d = os.environ.get("MEDRAG_SHARED_DIR")
    p = Path(d) if d else Path(__file__).resolve().parents[1] / ".." / "shared"
    if not (p / "data" / "iu_reports" / "NLMCXR_reports.tgz").is_file():
        print(f"shared data not found at {p}: set MEDRAG_SHARED_DIR to the shared folder", file=sys.stderr)
        sys.exit(2)
    return p


# ---------------------------------------------------------------- phrase bank
# cls: "sig" significant (impression must carry it), "amb" always carried in clean impressions
# but never injected as an omission, "inc" incidental (may be left out of the impression).
# tags block the matching normal sentence.  pairs: (findings sentence, impression line or None).
ITEMS = [
    dict(key="hydropneumothorax", cls="sig", lat=True, tags={"ptx", "eff"}, lung=False,
         pairs=[("There is a {side} hydropneumothorax, with a horizontal air-fluid level at the level of the {rib} "
                 "posterior rib and a visceral pleural line visible at the apex.", "{Side} hydropneumothorax."),
                ("{Side} hydropneumothorax: a straight air-fluid level lies across the lower hemithorax and the lung "
                 "edge is displaced {cm} cm from the lateral chest wall.",
                 "{Side} hydropneumothorax with a pleural air-fluid level; chest drain advised.")],
         neg_f="No pneumothorax or pleural fluid level is seen.",
         neg_i=["No pneumothorax.", "No pleural air or fluid."],
         terms=r"pneumothora|air[- ]fluid|fluid level|pleural air|drain"),
    dict(key="pneumothorax", cls="sig", lat=True, tags={"ptx"}, lung=False,
         pairs=[("A {side} apical pneumothorax is present, measuring {cm} cm from the apex to the cupola, with no "
                 "mediastinal shift.", "{Side} apical pneumothorax ({cm} cm), no tension features."),
                ("A visceral pleural edge is seen in the {side} upper zone with absent lung markings peripheral to it, "
                 "in keeping with a {side} pneumothorax.", "{Side} pneumothorax.")],
         neg_f="No pneumothorax.", neg_i=["No pneumothorax."], terms=r"pneumothora|pleural (?:air|edge)"),
    dict(key="pneumoperitoneum", cls="sig", lat=False, tags={"gas"}, lung=False,
         pairs=[("Crescentic lucency beneath both hemidiaphragms, in keeping with free subdiaphragmatic gas.",
                 "Pneumoperitoneum. Surgical team informed by telephone."),
                ("Free gas under the right hemidiaphragm separates the dome of the liver from the diaphragm.",
                 "Free intraperitoneal gas - ? perforated viscus.")],
         neg_f="No free gas under the diaphragm.", neg_i=["No free subdiaphragmatic gas."],
         terms=r"pneumoperitoneum|free (?:intraperitoneal |subdiaphragmatic )?(?:gas|air)|perforat|subdiaphragm"
               r"|viscus|surgical team"),
    dict(key="widened_mediastinum", cls="sig", lat=False, tags={"med"}, lung=False,
         pairs=[("The superior mediastinum is widened, measuring {mw} cm at the level of the aortic knuckle, with loss "
                 "of the aortopulmonary window.", "Widened mediastinum; in this clinical context CT aortography is "
                 "recommended."),
                ("Mediastinal widening with an indistinct aortic knuckle and depression of the left main bronchus.",
                 "Mediastinal widening - aortic injury cannot be excluded, CT advised.")],
         neg_f="The mediastinum is not widened.", neg_i=["Normal mediastinal contour.", "Mediastinum not widened."],
         terms=r"mediastin|aort|CT"),
    dict(key="cavity", cls="sig", lat=True, tags={"lungs"}, lung=True,
         pairs=[("A {cm} cm thick-walled cavitating lesion is seen in the {side} upper lobe, with an internal "
                 "air-fluid level.",
                 "Cavitating {side} upper lobe lesion - abscess, tuberculosis or squamous carcinoma; "
                 "CT and sputum for AFB suggested."),
                ("There is a cavitating opacity in the apical segment of the {side} lower lobe, wall thickness up to "
                 "{mm} mm.", "Cavitating lesion in the {side} lower lobe - ? abscess.")],
         neg_f="The lungs are clear.", neg_i=["The lungs are clear."],
         terms=r"cavit|abscess|lesion|mass|tubercul|\bTB\b|AFB|carcinoma|malignan|opacit"),
    dict(key="spiculated", cls="sig", lat=True, tags={"lungs"}, lung=True,
         pairs=[("A spiculated {cm} cm mass projects over the {side} upper zone.",
                 "Spiculated {side} upper zone mass, suspicious for a primary lung malignancy. CT chest recommended."),
                ("There is a {cm} cm lobulated soft-tissue mass at the {side} hilum.",
                 "Lobulated {side} hilar mass; CT staging recommended.")],
         neg_f="The lungs and hila are clear.", neg_i=["Clear lungs."],
         terms=r"spicul|lobulat|mass|lesion|malignan|neoplas|carcinoma|hil|CT"),
    dict(key="nodule", cls="sig", lat=True, tags={"lungs"}, lung=True,
         pairs=[("A lobulated {nmm} mm nodule is present in the {side} mid zone.",
                 "{nmm} mm lobulated nodule in the {side} mid zone; CT recommended."),
                ("A {nmm} mm non-calcified nodule with a spiculated margin projects over the {side} anterior "
                 "{rib} rib.", "{nmm} mm spiculated {side} pulmonary nodule - CT thorax advised.")],
         neg_f="The lungs are clear.", neg_i=["The lungs are clear."],
         terms=r"nodul|lesion|mass|opacit|spicul|lobulat"),
    dict(key="collapse", cls="sig", lat=True, tags={"lungs"}, lung=True,
         pairs=[("Volume loss in the {side} lower lobe: the {side} hemidiaphragm is elevated, the {side} hilum is "
                 "depressed and a triangular opacity at the {side} base obscures the medial hemidiaphragm.",
                 "{Side} lower lobe collapse."),
                ("The {side} upper lobe is collapsed, with elevation of the {side} hilum and tracheal deviation to the "
                 "{side}.", "Collapse of the {side} upper lobe; bronchoscopy suggested to exclude an obstructing "
                 "lesion.")],
         neg_f="Lung volumes are normal and the lungs are clear.", neg_i=["The lungs are clear."],
         terms=r"collapse|atelecta|volume loss|lobe"),
    dict(key="pvh", cls="sig", lat=False, tags={"lungs", "heart"}, lung=True,
         pairs=[("There is upper lobe blood diversion with septal lines at both costophrenic angles, in keeping with "
                 "pulmonary venous hypertension. The heart is enlarged.",
                 "Pulmonary venous hypertension with interstitial oedema and cardiomegaly."),
                ("Upper lobe venous distension, peribronchial cuffing and Kerley B lines; cardiothoracic ratio "
                 "0.{ctr}.", "Features of left ventricular failure: upper lobe diversion and interstitial oedema, "
                 "cardiomegaly.")],
         neg_f="The pulmonary vasculature is normal.", neg_i=["No pulmonary oedema.", "Normal pulmonary vasculature."],
         terms=r"venous|diversion|oedema|edema|congest|failure|interstitial|kerley|septal|vascul"),
    dict(key="batwing", cls="sig", lat=False, tags={"lungs"}, lung=True,
         pairs=[("Bilateral perihilar airspace shadowing in a bat-wing distribution, sparing the periphery.",
                 "Alveolar pulmonary oedema."),
                ("Confluent perihilar shadowing of both lungs in a bat's wing pattern with air bronchograms.",
                 "Bat-wing pulmonary oedema; an inhalational or ARDS picture is the alternative.")],
         neg_f="The lungs are clear.", neg_i=["No pulmonary oedema.", "The lungs are clear."],
         terms=r"oedema|edema|bat|airspace|alveolar|failure|congest|ARDS|shadowing"),
    dict(key="empyema", cls="sig", lat=True, tags={"eff"}, lung=False,
         pairs=[("A lentiform, loculated {side} pleural collection lies along the lateral chest wall and contains a "
                 "small locule of gas.", "Loculated {side} pleural collection; with this history, empyema is likely."),
                ("Loculated fluid in the {side} posterior costophrenic recess, with a convex upper border that does "
                 "not form a meniscus.", "Loculated {side} pleural fluid - ? empyema. Ultrasound suggested.")],
         neg_f="The costophrenic angles are clear.", neg_i=["No pleural effusion.", "Costophrenic angles are clear."],
         terms=r"locul|empyema|collection|pleural|effusion|fluid|ultrasound"),
    dict(key="effusion", cls="sig", lat=True, tags={"eff"}, lung=False,
         pairs=[("A {size} {side} pleural effusion with a meniscus reaching the {level}.", "{Size} {side} pleural "
                 "effusion."),
                ("Homogeneous opacity of the {side} lower hemithorax with a meniscus, in keeping with a {size} "
                 "effusion.", "{Size} {side} pleural effusion; ? underlying collapse.")],
         neg_f="No pleural effusion.", neg_i=["No pleural effusion.", "Costophrenic angles are clear."],
         terms=r"effusion|pleural|fluid|collapse"),
    dict(key="consolidation", cls="sig", lat=True, tags={"lungs"}, lung=True,
         pairs=[("Consolidation in the {side} lower lobe with air bronchograms; the {side} hemidiaphragm silhouette "
                 "is lost.", "{Side} lower lobe consolidation, likely pneumonia."),
                ("Patchy airspace opacification in the {side} mid and lower zones.",
                 "{Side} mid and lower zone airspace shadowing - infection.")],
         neg_f="The lungs are clear.", neg_i=["The lungs are clear."],
         terms=r"consolid|airspace|pneumon|infect|opacit|shadowing"),
    dict(key="acute_ribs", cls="sig", lat=True, tags={"bone"}, lung=False,
         pairs=[("Acute, displaced fractures of the {side} {r1} and {r2} ribs posterolaterally.",
                 "Acute displaced {side} {r1} and {r2} rib fractures."),
                ("New fractures of the {side} {r1} to {r3} ribs anterolaterally, the {r3} with a step deformity.",
                 "New {side} rib fractures ({r1}-{r3}).")],
         neg_f="No rib fracture is seen.", neg_i=["No rib fracture.", "Bones intact."], terms=r"fractur|rib"),
    # ambiguous: always in the impression of a clean report, never omitted on purpose
    dict(key="right_arch", cls="amb", lat=False, tags={"med"}, lung=False,
         pairs=[("Right-sided aortic arch, indenting the right wall of the trachea.", "Right-sided aortic arch."),
                ("The aortic arch descends on the right, with no left-sided aortic knuckle.",
                 "Right-sided aortic arch (congenital variant).")], terms=r"arch"),
    dict(key="dilated_pa", cls="amb", lat=False, tags={"med"}, lung=False,
         pairs=[("The central pulmonary arteries are enlarged, the right descending pulmonary artery measuring "
                 "{pa} mm, with peripheral pruning.", "Enlarged central pulmonary arteries - ? pulmonary arterial "
                 "hypertension; echocardiography suggested."),
                ("Prominent main pulmonary artery segment and bulky hila.",
                 "Dilated pulmonary arteries; consider pulmonary hypertension.")],
         terms=r"pulmonary arter|hypertens|hila"),
    dict(key="surg_emph", cls="amb", lat=True, tags=set(), lung=False,
         pairs=[("Surgical emphysema in the {side} chest wall, tracking into the {side} side of the neck.",
                 "{Side} chest wall surgical emphysema."),
                ("Streaky gas lucencies in the soft tissues of the {side} lateral chest wall, in keeping with "
                 "surgical emphysema.", "Surgical emphysema, {side} chest wall.")],
         neg_f="No surgical emphysema.", neg_i=["No surgical emphysema."], terms=r"emphysema|soft tissue gas"),
    dict(key="lytic", cls="amb", lat=True, tags={"bone"}, lung=False,
         pairs=[("An expansile lytic lesion involves the posterior {side} {rib} rib.",
                 "Lytic {side} {rib} rib lesion - ? metastasis or myeloma."),
                ("There is a lytic lesion in the {side} scapula with a soft-tissue component.",
                 "Lytic {side} scapular lesion; further imaging suggested.")], terms=r"lytic|lesion|metasta|myeloma"),
    dict(key="bowel", cls="amb", lat=False, tags=set(), lung=False,
         pairs=[("A dilated loop of large bowel, 8 cm across, is seen in the left upper quadrant below the diaphragm.",
                 "Dilated bowel loop in the left upper quadrant - abdominal radiograph suggested."),
                ("Distended gas-filled small bowel loops are seen in the upper abdomen.",
                 "Dilated upper abdominal small bowel loops - ? obstruction.")], terms=r"bowel|obstruct"),
    dict(key="height_loss", cls="amb", lat=False, tags=set(), lung=False,
         pairs=[("Loss of height of the T{tv} vertebral body, age indeterminate; no prior for comparison.",
                 "T{tv} vertebral body height loss, age indeterminate.")], terms=r"vertebra|height|T\d"),
    # incidental / chronic
    dict(key="small_eff", cls="inc", lat=True, tags={"eff"}, lung=False,
         pairs=[("A small {side} pleural effusion blunts the costophrenic angle.", "Small {side} pleural effusion."),
                ("Trace {side} pleural fluid.", None)], terms=r"effusion|pleural|fluid"),
    dict(key="plate_atel", cls="inc", lat=True, tags=set(), lung=True,
         pairs=[("Linear plate atelectasis at the {side} base.", "Minor {side} basal atelectasis."),
                ("A band of discoid atelectasis in the {side} lower zone.", None)], terms=r"atelecta"),
    dict(key="small_nodule", cls="inc", lat=True, tags=set(), lung=True,
         pairs=[("A {smm} mm nodular opacity in the {side} lower zone, likely a nipple shadow.", None),
                ("A {smm} mm nodule projects over the {side} lower zone, unchanged for two years.", None)],
         terms=r"nodul|nipple"),
    dict(key="granuloma", cls="inc", lat=True, tags=set(), lung=True,
         pairs=[("A {smm} mm calcified granuloma in the {side} upper zone.", "Old granulomatous disease."),
                ("Scattered calcified granulomata in the {side} lung and calcified hilar nodes.", None)],
         terms=r"granulom"),
    dict(key="plaques", cls="inc", lat=False, tags=set(), lung=False,
         pairs=[("Bilateral calcified pleural plaques along the diaphragmatic pleura.",
                 "Calcified pleural plaques, in keeping with previous asbestos exposure."),
                ("Holly-leaf calcified pleural plaques over both mid zones.", None)], terms=r"plaque|asbestos"),
    dict(key="bullae", cls="inc", lat=True, tags=set(), lung=True,
         pairs=[("Bullae in both upper zones, the largest on the {side} measuring {cm} cm.",
                 "Emphysema with apical bullae."),
                ("Hyperinflated lungs with bullous change at the {side} apex.", None)], terms=r"bull|emphysema"),
    dict(key="old_ribs", cls="inc", lat=True, tags=set(), lung=False,
         pairs=[("Old healed fractures of the {side} {r1} to {r3} ribs laterally.", "Old {side} rib fractures."),
                ("Callus around old {side} {r1} and {r2} rib fractures.", None)], terms=r"fractur|rib|callus"),
    dict(key="sternotomy", cls="inc", lat=False, tags=set(), lung=False,
         pairs=[("Median sternotomy wires are intact, with mediastinal clips from previous CABG.", "Post-CABG."),
                ("Sternotomy wires and a prosthetic aortic valve.", None)], terms=r"sternotomy|CABG|valve"),
    dict(key="mastectomy", cls="inc", lat=True, tags=set(), lung=False,
         pairs=[("{Side} mastectomy, with surgical clips in the {side} axilla.",
                 "Previous {side} mastectomy and axillary clearance."),
                ("Absent {side} breast shadow and {side} axillary clips, in keeping with previous mastectomy.", None)],
         terms=r"mastectomy|axill|breast"),
    dict(key="implants", cls="inc", lat=False, tags=set(), lung=False,
         pairs=[("Bilateral breast implant shadows overlie the lower zones.", None),
                ("Rounded soft-tissue densities over both lower zones are breast prostheses.",
                 "Breast prostheses noted.")], terms=r"breast|implant|prosthes"),
    dict(key="shoulder", cls="inc", lat=True, tags=set(), lung=False,
         pairs=[("Degenerative change at the {side} glenohumeral joint with a high-riding humeral head, in keeping "
                 "with rotator cuff arthropathy.", "{Side} shoulder arthropathy."),
                ("Osteoarthritis of the {side} acromioclavicular joint.", None)], terms=r"shoulder|glenohumeral|arthr"),
    dict(key="bone_island", cls="inc", lat=True, tags=set(), lung=False,
         pairs=[("A {smm} mm sclerotic focus in the {side} humeral head, likely a bone island.", None),
                ("A small sclerotic focus in the {side} {rib} rib, probably a bone island.",
                 "Incidental bone island.")],
         terms=r"sclero|bone island"),
    dict(key="aorta", cls="inc", lat=False, tags=set(), lung=False,
         pairs=[("The thoracic aorta is unfolded, with calcification of the aortic knuckle.",
                 "Unfolded, calcified aorta."),
                ("Ectatic descending thoracic aorta with mural calcification.", None)], terms=r"aort"),
    dict(key="hiatus", cls="inc", lat=False, tags=set(), lung=False,
         pairs=[("A hiatus hernia with an air-fluid level projects behind the heart.", "Hiatus hernia."),
                ("Retrocardiac gas-containing hiatus hernia.", None)], terms=r"hiatus|hernia"),
    dict(key="chilaiditi", cls="inc", lat=False, tags={"gas"}, lung=False,
         pairs=[("Colon interposed between the liver and the right hemidiaphragm, with haustral folds visible within "
                 "the lucency (Chilaiditi sign) - not free gas.", "Chilaiditi sign; no pneumoperitoneum."),
                ("Gas-filled bowel with haustral markings lies between the liver and the right hemidiaphragm "
                 "(Chilaiditi).", None)], terms=r"chilaiditi|colon|haustra|interpos"),
    dict(key="gallstones", cls="inc", lat=False, tags=set(), lung=False,
         pairs=[("Several calcified gallstones project over the right upper quadrant.", "Incidental cholelithiasis."),
                ("Faceted calcified gallstones are seen in the right upper quadrant.", None)],
         terms=r"gallstone|cholelith"),
    dict(key="old_wedge", cls="inc", lat=False, tags=set(), lung=False,
         pairs=[("Old anterior wedge compression of T{tv}, unchanged from the previous film.", None),
                ("Stable mild wedging of T{tv}.", None)], terms=r"wedg|T\d"),
    dict(key="mild_cm", cls="inc", lat=False, tags={"heart"}, lung=False,
         pairs=[("The heart is mildly enlarged, unchanged from the previous film.", None),
                ("Borderline cardiac size.", "Stable borderline cardiomegaly.")], terms=r"cardiomegal|heart|cardiac"),
]
BY_KEY = {it["key"]: it for it in ITEMS}
EXCLUSIVE = [{"hydropneumothorax", "pneumothorax"}, {"hydropneumothorax", "empyema", "effusion", "small_eff"},
             {"pneumoperitoneum", "chilaiditi"}, {"widened_mediastinum", "aorta", "right_arch"},
             {"pvh", "batwing", "mild_cm"}, {"acute_ribs", "old_ribs"}, {"collapse", "plate_atel"},
             {"lytic", "bone_island"}, {"mastectomy", "implants"}, {"height_loss", "old_wedge"},
             {"spiculated", "nodule", "cavity"}]

NORMALS = [  # (region, blocked by tag, sentences)
    ("lungs", "lungs", ["The lungs are clear.", "Both lungs are clear.", "No focal consolidation."]),
    ("pleura", "eff", ["No pleural effusion.", "The costophrenic angles are sharp."]),
    ("pleura", "ptx", ["No pneumothorax."]),
    ("heart", "heart", ["Heart size is normal.", "The cardiac silhouette is not enlarged."]),
    ("heart", "med", ["The mediastinal contours are normal.", "Normal hilar and mediastinal contours."]),
    ("abdomen", "gas", ["No free gas under the diaphragm.", "No free subdiaphragmatic gas."]),
    ("bones", "bone", ["No acute bony abnormality.", "The visualised bones are intact."]),
]
REGION_OF = {"ptx": "pleura", "eff": "pleura", "lungs": "lungs", "med": "heart", "heart": "heart", "gas": "abdomen",
             "bone": "bones"}
INC_REGION = {"mastectomy": "soft", "implants": "soft", "surg_emph": "soft", "shoulder": "bones",
              "bone_island": "bones",
              "old_ribs": "bones", "old_wedge": "bones", "height_loss": "bones", "sternotomy": "heart",
              "aorta": "heart", "right_arch": "heart", "dilated_pa": "heart", "hiatus": "abdomen",
              "chilaiditi": "abdomen", "gallstones": "abdomen", "bowel": "abdomen", "plaques": "pleura",
              "granuloma": "lungs", "bullae": "lungs", "small_nodule": "lungs", "plate_atel": "lungs",
              "small_eff": "pleura", "mild_cm": "heart"}
REGION_ORDER = ["lungs", "pleura", "heart", "abdomen", "bones", "soft"]
NORMAL_IMPS = ["No acute cardiopulmonary abnormality.", "No active disease in the chest.",
               "No acute intrathoracic process.", "No acute abnormality."]
INDICATIONS = ["Shortness of breath.", "Fall, left-sided chest pain.", "Fever and productive cough.", "Pre-operative.",
               "Chest pain, ? dissection.", "Haemoptysis, ex-smoker.", "Abdominal pain, tender upper abdomen.",
               "Known breast cancer, restaging.", "Road traffic collision.", "Weight loss.", "Follow-up.",
               "___ with increasing breathlessness.", "Post-op day 2, desaturating.", "Routine visa medical."]
COMPARISONS = ["None.", "___.", "Previous film of ___.", "Chest radiograph ___.", "No prior imaging available."]
EXAMS = ["XR CHEST PA AND LATERAL", "CHEST RADIOGRAPH, PA", "CHEST X-RAY AP ERECT (PORTABLE)",
         "XR CHEST 1 VIEW AP SUPINE"]
EXAMS_LC = {"XR CHEST PA AND LATERAL": "Chest X-ray, PA and lateral", "CHEST RADIOGRAPH, PA": "Chest radiograph, PA",
            "CHEST X-RAY AP ERECT (PORTABLE)": "Portable chest X-ray, AP erect",
            "XR CHEST 1 VIEW AP SUPINE": "Chest X-ray, single AP supine view"}
# per-case checks set by the branch that made the case: (section, "has"|"not", regex)
CHECKS = []
ORD = ["3rd", "4th", "5th", "6th", "7th", "8th", "9th"]


def fill(text, v):
    return text.format(**v) if text else text


def item_vars(rng, side):
    r = rng.randrange(len(ORD) - 2)
    size = rng.choice(["moderate", "large"])
    return dict(side=side, Side=side.capitalize(), rib=rng.choice(ORD), r1=ORD[r], r2=ORD[r + 1], r3=ORD[r + 2],
                cm=rng.choice(["2", "2.5", "3", "3.5", "4", "4.5"]), mm=rng.choice(["4", "6", "8"]),
                mw=rng.choice(["9", "9.5", "10"]), nmm=str(rng.randrange(8, 19)), smm=str(rng.randrange(2, 5)),
                ctr=str(rng.randrange(58, 66)), pa=str(rng.randrange(19, 26)), tv=str(rng.randrange(6, 12)),
                size=size, Size=size.capitalize(),
                level=rng.choice(["mid zone", "level of the hilum", "6th posterior rib"]))


def compatible(keys, k):
    return all(not (k in g and keys & g) for g in EXCLUSIVE) and k not in keys


def compose(rng, need=None, n_sig=(0, 2), n_inc=(1, 4), only_need=False):
    """Return a composed report structure: list of item dicts with rendered text."""
    keys = set()
    chosen = []
    if need:
        keys.add(need)
        chosen.append(need)
    sig_keys = [i["key"] for i in ITEMS if i["cls"] in ("sig", "amb")]
    inc_keys = [i["key"] for i in ITEMS if i["cls"] == "inc"]
    if not only_need:
        for _ in range(rng.randint(*n_sig)):
            k = rng.choice(sig_keys)
            if compatible(keys, k):
                keys.add(k)
                chosen.append(k)
    for _ in range(rng.randint(*n_inc)):
        k = rng.choice(inc_keys)
        if compatible(keys, k):
            keys.add(k)
            chosen.append(k)
    out = []
    for k in chosen:
        it = BY_KEY[k]
        v = item_vars(rng, rng.choice(["right", "left"]))
        f, i = rng.choice(it["pairs"])
        show = i is not None and (it["cls"] != "inc" or rng.random() < 0.5)
        out.append(dict(key=k, it=it, v=v, f=fill(f, v), i=fill(i, v) if show else None))
    return out


def normal_lines(rng, items):
    tags = set().union(*[x["it"]["tags"] for x in items]) if items else set()
    lung_inc = any(x["it"]["lung"] for x in items)
    out = []
    for region, tag, sents in NORMALS:
        if tag in tags:
            continue
        s = rng.choice(sents)
        if region == "lungs" and lung_inc:
            s = "The lungs are otherwise clear."
        if region == "abdomen" and rng.random() < 0.4:
            continue
        out.append((region, s))
    return out


def findings_of(rng, items):
    sents = normal_lines(rng, items)
    for x in items:
        tag = next(iter(sorted(x["it"]["tags"])), None)
        region = REGION_OF.get(tag) or INC_REGION.get(x["key"], "lungs")
        sents.append((region, x["f"]))
    normal = {s for _, s in sents[: len(sents) - len(items)]}
    rng.shuffle(sents)
    sents.sort(key=lambda s: (REGION_ORDER.index(s[0]), s[1] in normal and "otherwise" in s[1]))
    return sents


def impression_of(rng, items):
    lines = [x["i"] for x in items if x["i"] and x["it"]["cls"] in ("sig", "amb")]
    extra = [x["i"] for x in items if x["i"] and x["it"]["cls"] == "inc"]
    if not lines:
        lines = [rng.choice(NORMAL_IMPS)]
    return lines + extra


# ---------------------------------------------------------------- layouts
def render(rng, style, find, imp, missing=None, meta=None):
    """find: list of (region, sentence); imp: list of lines. missing: None|drop_imp|empty_imp|empty_find|drop_find"""
    meta = meta or {}
    ind = meta.get("ind") or rng.choice(INDICATIONS)
    cmp_ = meta.get("cmp") or rng.choice(COMPARISONS)
    exam = rng.choice(EXAMS)
    if style == "regional":
        paras, cur, last = [], [], None
        for reg, s in find:
            if last is not None and reg != last and reg != "all":
                paras.append(" ".join(cur))
                cur = []
            cur.append(s)
            last = reg
        if cur:
            paras.append(" ".join(cur))
        ftxt = "\n\n".join(paras)
        itxt = "\n".join("- " + x for x in imp) if len(imp) > 1 else imp[0] if imp else ""
    else:
        ftxt = " ".join(s for _, s in find)
        if style == "classic" and len(imp) > 1 and rng.random() < 0.5:
            itxt = "\n".join(f"{n}. {x}" for n, x in enumerate(imp, 1))
        else:
            itxt = " ".join(imp)
    if missing in ("empty_find", "drop_find"):
        ftxt = ""
    if missing == "empty_imp":
        itxt = ""
    if style == "compact":
        exam = EXAMS_LC[exam]
        head = f"{exam}\nHistory: {ind}\nComparison: {cmp_}\n"
        fsec = "" if missing == "drop_find" else f"Findings: {ftxt}".rstrip() + "\n"
        isec = "" if missing == "drop_imp" else f"Impression: {itxt}".rstrip() + "\n"
        return (head + fsec + isec).strip()
    fh, ih = ("Findings:", "Impression:") if style == "regional" else ("FINDINGS:", "IMPRESSION:")
    parts = [f"EXAMINATION: {exam}\nCLINICAL INDICATION: {ind}\nCOMPARISON: {cmp_}"]
    if style == "regional":
        parts = [f"{exam}\nClinical details: {ind}\nComparison: {cmp_}"]
    if missing != "drop_find":
        parts.append(f"{fh}\n{ftxt}".rstrip())
    if missing != "drop_imp":
        parts.append(f"{ih}\n{itxt}".rstrip())
    if style == "signed":
        parts.append(rng.choice(["Referring clinician: Dr ___\nReported by: Dr ___, Consultant Radiologist",
                                 "Dictated by Dr. ___ on ___ at ___. Verified electronically.",
                                 "Reporting radiologist: ___ (GMC ___)"]))
    return "\n\n".join(parts)


STYLES = ["classic", "regional", "compact", "signed"]


# ---------------------------------------------------------------- composed cases
def terms_in(rx, text):
    return re.search(rx, text, re.I) is not None


def composed_case(rng, kind, variant=0):
    style = rng.choice(STYLES)
    for _ in range(200):
        r = _composed_try(rng, kind, style, variant)
        if r:
            return r
    raise RuntimeError(f"could not compose {kind}")


def _composed_try(rng, kind, style, variant):
    sig = [i["key"] for i in ITEMS if i["cls"] == "sig"]
    if kind is None:
        items = compose(rng, n_sig=rng.choice([(0, 0), (1, 2), (1, 3)]))
        find, imp = findings_of(rng, items), impression_of(rng, items)
        return render(rng, style, find, imp), ""
    if kind == "missing_section":
        items = compose(rng, n_sig=(0, 2))
        find, imp = findings_of(rng, items), impression_of(rng, items)
        opts = ["drop_imp", "empty_imp", "empty_find"]
        if not any(x["it"]["cls"] != "inc" for x in items):
            opts.append("drop_find")
        mode = rng.choice(opts)
        if mode == "drop_find":
            imp = [rng.choice(NORMAL_IMPS)]
        rep = render(rng, style, find, imp, missing=mode)
        ok = {"drop_imp": not re.search(r"impression", rep, re.I),
              "empty_imp": re.search(r"impression:\s*$", rep, re.I | re.S) is not None
              or re.search(r"impression:\s*\n\s*\n", rep, re.I) is not None,
              "empty_find": re.search(r"findings:\s*\n\s*(\n|impression)", rep, re.I) is not None,
              "drop_find": not re.search(r"findings", rep, re.I)}[mode]
        if not ok:
            return None
        sec = "IMPRESSION" if "imp" in mode else "FINDINGS"
        return rep, f"{sec} {'removed' if 'drop' in mode else 'header left empty'}" + (
            " (impression is a bare normal statement)" if mode == "drop_find" else "")
    if kind == "impression_omits_finding":
        x_key = rng.choice(sig)
        normal = variant == 0
        items = compose(rng, need=x_key, n_sig=(0, 0) if normal else (1, 2), n_inc=(1, 3))
        x = items[0]
        find = findings_of(rng, items)
        if normal:
            rest = [y for y in items[1:] if y["it"]["cls"] == "inc" and y["i"]]
            imp = [rng.choice(NORMAL_IMPS)] + [y["i"] for y in rest][:1]
        else:
            imp = [y["i"] for y in items[1:] if y["i"]]
            if not imp:
                return None
        if terms_in(x["it"]["terms"], " ".join(imp)):
            return None
        # no other significant item may be left out either
        if any(y["it"]["cls"] in ("sig", "amb") and y["i"] not in imp for y in items[1:]):
            return None
        CHECKS[:] = [("FINDINGS", "has", re.escape(x["f"])), ("IMPRESSION", "not", x["it"]["terms"])]
        return render(rng, style, find, imp), f"omitted from IMPRESSION: {x['f']}" + (
            " (impression is a normal macro)" if normal else " (impression lists other findings)")
    if kind == "laterality_conflict":
        lat = [i["key"] for i in ITEMS if i["lat"] and i["cls"] in ("sig", "amb")]
        items = compose(rng, need=rng.choice(lat), n_sig=(0, 1))
        x = items[0]
        if not x["i"] or x["v"]["side"] not in x["i"].lower():
            return None
        side, opp = x["v"]["side"], OPP[x["v"]["side"]]
        v2 = dict(x["v"], side=opp, Side=opp.capitalize())
        pair = next(p for p in x["it"]["pairs"] if fill(p[0], x["v"]) == x["f"])
        where = rng.choice(["IMPRESSION", "FINDINGS"])
        old = x["f"] if where == "FINDINGS" else x["i"]
        if where == "FINDINGS":
            x["f"] = fill(pair[0], v2)
        else:
            x["i"] = fill(pair[1], v2)
        find, imp = findings_of(rng, items), impression_of(rng, items)
        fs, is_ = x["f"].lower(), x["i"].lower()
        if not (re.search(rf"\b{side}\b", fs if where == "IMPRESSION" else is_)
                and re.search(rf"\b{opp}\b", is_ if where == "IMPRESSION" else fs)):
            return None
        CHECKS[:] = [("FINDINGS", "has", re.escape(x["f"])), ("IMPRESSION", "has", re.escape(x["i"])),
                     ("FINDINGS" if where == "FINDINGS" else "IMPRESSION", "has", rf"\b{opp}\b"),
                     ("IMPRESSION" if where == "FINDINGS" else "FINDINGS", "has", rf"\b{side}\b")]
        new = x["f"] if where == "FINDINGS" else x["i"]
        return render(rng, style, find, imp), f"side flipped in {where}: '{old}' -> '{new}'"
    if kind == "negation_conflict":
        neg = [i["key"] for i in ITEMS if i.get("neg_i")]
        items = compose(rng, need=rng.choice(neg), n_sig=(0, 1))
        x = items[0]
        if not x["i"]:
            return None
        mode = rng.choice(["imp", "find"])
        if mode == "imp":
            negl = rng.choice(x["it"]["neg_i"])
            find = findings_of(rng, items)
            others = [y["i"] for y in items[1:] if y["i"] and y["it"]["cls"] != "inc"]
            imp = others + [negl] if others else [negl, rng.choice(NORMAL_IMPS)]
            if rng.random() < 0.5:
                imp = imp[::-1]
            if any(s == negl for _, s in find):
                return None
            det = f"IMPRESSION says '{negl}' but FINDINGS: {x['f']}"
            CHECKS[:] = [("IMPRESSION", "has", re.escape(negl)), ("FINDINGS", "has", re.escape(x["f"]))]
        else:
            negf = x["it"]["neg_f"]
            keep = [y for y in items[1:]]
            find = [s for s in findings_of(rng, keep)]
            # drop normal sentences that would duplicate or be covered by the negation
            tag_block = x["it"]["tags"]
            find = [(r, s) for r, s in find if not any(s in n[2] for n in NORMALS if n[1] in tag_block)]
            region = REGION_OF.get(next(iter(sorted(tag_block)), ""), INC_REGION.get(x["key"], "lungs"))
            if "lungs are clear" in negf and any(y["it"]["lung"] for y in keep):
                return None
            find = [(r, s) for r, s in find if not (r == "lungs" and "clear" in s and "lungs are clear" in negf)]
            find.append((region, negf))
            find.sort(key=lambda s: REGION_ORDER.index(s[0]) if s[0] in REGION_ORDER else 0)
            imp = impression_of(rng, items)
            det = f"FINDINGS say '{negf}' but IMPRESSION: {x['i']}"
            CHECKS[:] = [("FINDINGS", "has", re.escape(negf)), ("IMPRESSION", "has", re.escape(x["i"])),
                         ("FINDINGS", "not", re.escape(x["f"]))]
        rep = render(rng, style, find, imp)
        return rep, det
    if kind == "placeholder":
        items = compose(rng, n_sig=(1, 2))
        find, imp = findings_of(rng, items), impression_of(rng, items)
        for _ in range(10):
            mode = rng.choice(["num", "side", "grade", "word"])
            idx = rng.randrange(len(find))
            reg, s = find[idx]
            if mode == "num" and re.search(r"\b\d+(?:\.\d+)? ?(?:mm|cm)\b", s):
                tok = rng.choice(["___ ", "XX ", "** "])
                s2 = re.sub(r"\b\d+(?:\.\d+)? ?(mm|cm)\b", rf"{tok}\1", s, count=1)
            elif mode == "side" and re.search(r"\b(right|left)\b", s, re.I) and "ventricular" not in s:
                tok = rng.choice(["[LEFT/RIGHT]", "[side]", "[RIGHT/LEFT]"])
                s2 = re.sub(r"\b(right|left)\b", tok, s, count=1, flags=re.I)
            elif mode == "grade" and re.search(r"\b(moderate|large|mildly)\b", s):
                s2 = re.sub(r"\b(moderate|large|mildly)\b", rng.choice(["[mild/moderate/large]", "[size]"]), s, count=1)
            elif mode == "word" and len(s.split()) > 4:
                w = re.findall(r"\b(consolidation|effusion|pneumothorax|hydropneumothorax|mass|nodule|collapse|"
                               r"atelectasis|fractures?|granuloma|gallstones|mastectomy|emphysema|lesion)\b", s)
                if not w:
                    continue
                s2 = s.replace(w[0], rng.choice(["[***]", "<insert finding>", "[finding]"]), 1)
            else:
                continue
            find[idx] = (reg, s2)
            rep = render(rng, style, find, imp)
            if PH_RE.search(rep):
                return rep, f"template blank left in FINDINGS: '{s2}'"
        return None
    raise ValueError(kind)


# ---------------------------------------------------------------- IU reports
NEG = re.compile(r"\b(no|not|without|negative|free of|resolved|resolution|removed|clear|normal|exclude|no evidence)\b",
                 re.I)
FAM = {"effusion": r"effusion", "pneumothorax": r"pneumothora",
       "airspace": r"airspace|air space|consolidat|infiltrat|pneumonia", "edema": r"edema|oedema|congest",
       "atelectasis": r"atelecta", "opacity": r"opacit", "nodule": r"nodul|granuloma", "fracture": r"fractur",
       "mass": r"\bmass\b"}
SIG_FAM = ["effusion", "pneumothorax", "airspace", "edema"]
NEG_LINE = {"effusion": "No pleural effusion.", "pneumothorax": "No pneumothorax.",
            "airspace": "No focal consolidation.", "edema": "No pulmonary edema.", "mass": "The lungs are clear."}
NORMAL_IU = re.compile(r"^(no acute|normal chest|no active|negative|no evidence of acute|no acute cardiopulmonary)"
                       r"[^.]{0,40}\.?$", re.I)


def sentences(text):
    text = re.sub(r"(?:^|(?<=\s))\d{1,2}\.\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text.strip()) if s.strip()]


def load_iu(shared):
    dev = set()
    with open(shared / "eval" / "report_errors_dev.jsonl") as fh:
        for line in fh:
            dev.add(json.loads(line).get("uid"))
    out = []
    with tarfile.open(shared / "data" / "iu_reports" / "NLMCXR_reports.tgz") as tf:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.parse(io.BytesIO(tf.extractfile(m).read())).getroot()
            uid = root.find("uId").get("id")
            d = {a.get("Label"): (a.text or "").strip() for a in root.iter("AbstractText")}
            if uid in dev or not d.get("FINDINGS") or not d.get("IMPRESSION"):
                continue
            if PH_RE.search(d["FINDINGS"] + d["IMPRESSION"]) or "___" in d["FINDINGS"] + d["IMPRESSION"]:
                continue
            out.append(dict(uid=uid, f=sentences(d["FINDINGS"]), i=sentences(d["IMPRESSION"]),
                            ind=d.get("INDICATION") or "", cmp=d.get("COMPARISON") or ""))
    return out, dev


def affirms(s, fam):
    return re.search(FAM[fam], s, re.I) and not NEG.search(s)


HEDGE = re.compile(r"\b(may|might|could|suspect\w*|concern\w*|probabl\w*|possibl\w*|question\w*|suggest\w*|and/or|or|"
                   r"versus|cannot|likely)\b|\?", re.I)


def affirms_strong(s, fam):
    return affirms(s, fam) and not HEDGE.search(s)


def side_of(s):
    sides = {m.lower() for m in re.findall(r"\b(right|left)\b", s, re.I)}
    return next(iter(sides)) if len(sides) == 1 and not re.search(r"bilateral|both", s, re.I) else None


def sig_affirmed(s, fam):
    if not affirms_strong(s, fam):
        return False
    if re.search(r"small|trace|tiny|minimal|blunting|stable|unchanged|chronic|old|healed|scar|improv|decreas|"
                 r"may|possibl|questionable|\?", s, re.I):
        return False
    return True


def iu_issues(r):
    """Heuristics: does a real report already look inconsistent?"""
    ftxt, itxt = " ".join(r["f"]), " ".join(r["i"])
    for fam in SIG_FAM:
        if any(sig_affirmed(s, fam) for s in r["f"]) and not re.search(FAM[fam] + "|opacit|pneumon", itxt, re.I):
            return True
    for fam in FAM:
        fs = {side_of(s) for s in r["f"] if re.search(FAM[fam], s, re.I)} - {None}
        is_ = {side_of(s) for s in r["i"] if re.search(FAM[fam], s, re.I)} - {None}
        if fs and is_ and fs != is_:
            return True
    return bool(re.search(r"\[|\]|<|>", ftxt + itxt))


REWORD = [(r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"), (r"\bis within normal limits\b", "is normal"),
          (r"\bare within normal limits\b", "are normal"), (r"\bcardiomediastinal silhouette\b",
                                                            "cardiomediastinal contour"),
          (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary process"),
          (r"\bosseous structures\b", "bones")]


def reword(rng, sents):
    out = []
    for s in sents:
        for a, b in REWORD:
            if rng.random() < 0.6:
                s = re.sub(a, b, s)
        out.append(s[0].upper() + s[1:] if s else s)
    return out


def iu_render(rng, r, f, i, missing=None):
    style = rng.choice(STYLES)
    ind = re.sub(r"^(INDICATION|HISTORY|CLINICAL HISTORY)\s*:\s*", "", r["ind"], flags=re.I)
    meta = dict(ind=(ind or "Not given.").rstrip(".") + ".", cmp=(r["cmp"] or "None.").rstrip(".") + ".")
    find = [("all", s) for s in f]
    if style == "regional" and len(find) > 3:
        k = len(find) // 2
        find = [("lungs", s) for s in f[:k]] + [("heart", s) for s in f[k:]]
    return render(rng, style, find, i, missing=missing, meta=meta)


def iu_case(rng, pool, kind, used, variant=0):
    order = list(range(len(pool)))
    rng.shuffle(order)
    for j in order:
        r = pool[j]
        if r["uid"] in used or iu_issues(r):
            continue
        res = _iu_try(rng, r, kind, variant)
        if res:
            used.add(r["uid"])
            return res + (r["uid"],)
    if variant:
        return iu_case(rng, pool, kind, used, 0)
    raise RuntimeError(f"no IU report for {kind}")


def _iu_try(rng, r, kind, variant):
    f, i = reword(rng, r["f"]), reword(rng, r["i"])
    if kind is None:
        return iu_render(rng, r, f, i), ""
    if kind == "missing_section":
        itxt = " ".join(i)
        opts = ["drop_imp", "empty_imp", "empty_find"] + (["drop_find"] if NORMAL_IU.match(itxt) else [])
        mode = rng.choice(opts)
        rep = iu_render(rng, r, f, i, missing=mode)
        return rep, {"drop_imp": "IMPRESSION removed", "empty_imp": "IMPRESSION header left empty",
                     "empty_find": "FINDINGS header left empty",
                     "drop_find": "FINDINGS removed (impression is a bare normal statement)"}[mode]
    if kind == "laterality_conflict":
        for fam in ["effusion", "pneumothorax", "airspace", "atelectasis", "opacity", "nodule", "fracture"]:
            fi = [n for n, s in enumerate(f) if re.search(FAM[fam], s, re.I) and side_of(s) and not NEG.search(s)]
            ii = [n for n, s in enumerate(i) if re.search(FAM[fam], s, re.I) and side_of(s) and not NEG.search(s)]
            if len(fi) == 1 and len(ii) == 1 and side_of(f[fi[0]]) == side_of(i[ii[0]]):
                side = side_of(f[fi[0]])
                pair = (f[fi[0]], i[ii[0]])
                if any(HEDGE.search(x) or sum(bool(re.search(rx, x, re.I)) for rx in FAM.values()) != 1 for x in pair):
                    continue
                if any(re.search(FAM[fam], x, re.I) and re.search(rf"\b{OPP[side]}\b", x, re.I) for x in f + i):
                    continue
                sect, lst, n = rng.choice([("IMPRESSION", i, ii[0]), ("FINDINGS", f, fi[0])])
                old = lst[n]
                lst[n] = re.sub(rf"\b{side}\b", lambda m, o=OPP[side]: o.capitalize() if m.group(0)[0].isupper()
                                else o, old, flags=re.I)
                if lst[n] == old:
                    return None
                CHECKS[:] = [(sect, "has", re.escape(lst[n])), (sect, "not", re.escape(old))]
                return iu_render(rng, r, f, i), f"side flipped in {sect}: '{old}' -> '{lst[n]}'"
        return None
    if kind == "negation_conflict":
        for fam in ["effusion", "pneumothorax", "airspace", "edema"]:
            fi = [s for s in f if affirms_strong(s, fam)]
            ii = [n for n, s in enumerate(i) if affirms(s, fam)]
            if fi and len(ii) == 1 and variant == 0:
                old = i[ii[0]]
                i[ii[0]] = NEG_LINE[fam]
                if any(affirms(s, fam) for s in i):
                    return None
                CHECKS[:] = [("IMPRESSION", "has", re.escape(NEG_LINE[fam])), ("FINDINGS", "has", re.escape(fi[0]))]
                return iu_render(rng, r, f, i), f"IMPRESSION '{old}' replaced by '{NEG_LINE[fam]}' (FINDINGS: {fi[0]})"
        itxt = " ".join(i)
        if NORMAL_IU.match(itxt) and variant == 1:
            pats = [(r"\bno pneumothorax\b", ["Small {s} apical pneumothorax.", "Shallow {s} pneumothorax."]),
                    (r"\bno (pleural )?effusion", ["Small {s} pleural effusion.", "{S} basal pleural effusion."]),
                    (r"lungs are clear|clear lungs", ["{S} lower lobe pneumonia.", "Patchy {s} basal consolidation."]),
                    (r"heart size is normal|normal heart size|heart is normal in size", ["Cardiomegaly."])]
            rng.shuffle(pats)
            for pat, news in pats:
                new = rng.choice(news)
                hit = [s for s in f if re.search(pat, s, re.I)]
                if hit:
                    sd = rng.choice(["right", "left"])
                    line = new.format(s=sd, S=sd.capitalize())
                    CHECKS[:] = [("IMPRESSION", "has", re.escape(line)), ("FINDINGS", "has", re.escape(hit[0]))]
                    det = f"IMPRESSION '{itxt}' replaced by '{line}' (FINDINGS: {hit[0]})"
                    return iu_render(rng, r, f, [line]), det
        return None
    if kind == "impression_omits_finding":
        for fam in SIG_FAM:
            fi = [s for s in f if sig_affirmed(s, fam)]
            if not fi or fam == "effusion" and not re.search(r"moderate|large|layering|loculat", fi[0], re.I):
                continue
            broad = FAM[fam] + r"|opacit|pneumon|infect|effusion|pleural|fluid|airspace|consolid|edema|failure"
            if variant == 0:
                imp = [rng.choice(NORMAL_IMPS)]
                how = "impression is a normal macro"
            else:
                drop = broad + r"|atelecta|scar|fibros|interstiti|\b(this|these|it|which)\b"
                imp = [s for s in i if not re.search(drop, s, re.I) and not HEDGE.match(s)
                       and not re.search(r"recommend|follow|suggest|evaluat|notif|critical|correlat|resolution|"
                                         r"\bCT\b|^\W*$", s, re.I)]
                other = (r"fractur|nodul|granulom|cardiomegal|enlarg|hernia|aort|degenerat|scoliosis|emphysema|"
                         r"copd|hyperinfl|hyperexpan|catheter|tube|pacemaker|sternotomy|calcif|mediastin|spondyl|"
                         r"kyphosis|deformit|clips")
                if not re.search(other, " ".join(imp), re.I):
                    # impression rebuilt from the report's own incidental findings
                    imp = [s for s in f if re.search(other, s, re.I) and not re.search(drop, s, re.I)
                           and not NEG.search(s) and not HEDGE.search(s) and len(s) < 120
                           and not re.search(r"stable|normal|unremarkable|limits", s, re.I)][:2]
                    if not imp:
                        continue
                if not imp or len(imp) == len(i) or NORMAL_IU.match(" ".join(imp)):
                    continue
                how = "impression lists other findings"
            if re.search(broad, " ".join(imp), re.I):
                continue
            CHECKS[:] = [("FINDINGS", "has", re.escape(fi[0])), ("IMPRESSION", "not", broad)]
            return iu_render(rng, r, f, imp), f"omitted from IMPRESSION: {fi[0]} ({how})"
        return None
    if kind == "placeholder":
        cands = []
        for n, s in enumerate(f):
            if re.search(r"\b\d+(?:\.\d+)? ?(mm|cm)\b", s):
                cands.append((n, "num"))
            if side_of(s):
                cands.append((n, "side"))
            if re.search(r"\b(mild|moderate|small|large)\b", s, re.I):
                cands.append((n, "grade"))
        if not cands:
            return None
        n, mode = rng.choice(cands)
        old = f[n]
        if mode == "num":
            f[n] = re.sub(r"\b\d+(?:\.\d+)? ?(mm|cm)\b", lambda m: rng.choice(["___ ", "XX "]) + m.group(1), old,
                          count=1)
        elif mode == "side":
            f[n] = re.sub(r"\b(right|left)\b", rng.choice(["[LEFT/RIGHT]", "[side]"]), old, count=1, flags=re.I)
        else:
            f[n] = re.sub(r"\b(mild|moderate|small|large)\b", rng.choice(["[mild/moderate/large]", "[size]"]), old,
                          count=1, flags=re.I)
        return iu_render(rng, r, f, i), f"template blank left in FINDINGS: '{f[n]}'"
    raise ValueError(kind)


# ---------------------------------------------------------------- build
FOOTER = re.compile(r"^(Referring clinician|Reported by|Dictated by|Reporting radiologist)", re.M)


def sections(rep):
    """Header name -> its text (footer lines removed)."""
    out = {}
    parts = re.split(r"^(FINDINGS|Findings|IMPRESSION|Impression):", rep, flags=re.M)
    for h, body in zip(parts[1::2], parts[2::2], strict=True):
        m = FOOTER.search(body)
        out[h.upper()] = (body[: m.start()] if m else body).strip()
    return out


def check(case):
    rep, kind = case["report"], case["injected"]
    sec = sections(rep)
    full = bool(sec.get("FINDINGS")) and bool(sec.get("IMPRESSION"))
    assert full == (kind != "missing_section"), rep
    assert bool(PH_RE.search(rep)) == (kind == "placeholder"), rep
    if kind == "missing_section" and "FINDINGS" not in sec:
        assert NORMAL_IU.match(sec["IMPRESSION"]) or sec["IMPRESSION"] in NORMAL_IMPS, rep
    for sect, how, rx in case["_checks"]:
        assert bool(re.search(rx, sec.get(sect, ""), re.I)) == (how == "has"), (sect, how, rx, rep)
    if kind in ("laterality_conflict", "negation_conflict", "impression_omits_finding"):
        assert case["_checks"], rep
    if kind == "laterality_conflict":
        assert re.search(r"\b(right|left)\b", sec["FINDINGS"], re.I) and re.search(r"\b(right|left)\b",
                                                                                  sec["IMPRESSION"], re.I), rep


def build(seed, shared):
    rng = random.Random(seed)
    pool, dev = load_iu(shared)
    used = set()
    cases = []
    plan = [(None, N_CLEAN)] + [(k, N_KIND) for k in KINDS]
    for kind, n in plan:
        for j in range(n):
            if j % 2 == 0:
                rep, det = composed_case(rng, kind, (j // 2) % 2)
                src, uid = "composed", None
            else:
                rep, det, uid = iu_case(rng, pool, kind, used, (j // 2) % 2)
                src = "iu"
            cases.append(dict(injected=kind, detail=det, report=rep, _src=src, _uid=uid, _checks=list(CHECKS)))
            CHECKS.clear()
    for c in cases:
        check(c)
        assert c["_uid"] not in dev
    rng.shuffle(cases)
    out = []
    for n, c in enumerate(cases):
        hid = hashlib.sha256(f"h27|{seed}|{n}|{c['report']}".encode()).hexdigest()[:16]
        out.append(dict(id=hid, injected=c["injected"], detail=c["detail"], report=c["report"], uid=c["_uid"]))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2701)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    shared = shared_dir()
    cases = build(a.seed, shared)
    with open(a.out, "w") as fh:
        for c in cases:
            fh.write(json.dumps({k: c[k] for k in ("id", "injected", "detail", "report")}) + "\n")
    print(f"wrote {len(cases)} cases to {a.out}")
    if a.show:
        for kind in [None] + KINDS:
            for c in [c for c in cases if c["injected"] == kind][: a.show]:
                print(f"\n===== {kind} | {c['detail']}\n{c['report']}")


if __name__ == "__main__":
    main()
