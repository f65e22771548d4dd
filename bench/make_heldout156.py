"""Held-out report-error set 156: tropical and travel medicine chest films (UK and US).

Written blind (without looking at the checker). Usage:

    python -m bench.make_heldout156 OUT.jsonl --seed S [--show N]

Writes 400 JSON lines {"id", "injected", "detail", "report"}: 200 clean reports and 40 of each kind
(missing_section, laterality_conflict, negation_conflict, impression_omits_finding, placeholder).
Half of every group is composed from a phrase bank in the style of hospitals for tropical diseases
and returning-traveller / migrant-screening clinics; the other half are real IU reports (never a
dev-set uid, each used at most once) re-laid out and lightly re-worded in that style.
Only the Python standard library is used.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tarfile
import xml.etree.ElementTree as ET
from pathlib import Path

KINDS = ["missing_section", "laterality_conflict", "negation_conflict", "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_PER_KIND = 40
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared"


# ---------------------------------------------------------------------------------------------
# spelling and small text helpers
# ---------------------------------------------------------------------------------------------
US_FROM_UK = [
    ("oedema", "edema"), ("Oedema", "Edema"), ("haemoptysis", "hemoptysis"), ("Haemoptysis", "Hemoptysis"),
    ("haemorrhage", "hemorrhage"), ("anaemia", "anemia"), ("oesophag", "esophag"), ("centre", "center"),
    ("visualised", "visualized"), ("Visualised", "Visualized"), ("granulomata", "granulomas"),
    ("paediatric", "pediatric"), ("parasitaemia", "parasitemia"), ("traveller", "traveler"),
    ("haematolog", "hematolog"), ("localised", "localized"), ("colour", "color"),
    ("recognised", "recognized"), ("favour", "favor"), ("Favour", "Favor"),
]


def us_spell(text: str) -> str:
    for uk, us in US_FROM_UK:
        text = text.replace(uk, us)
    return text


def uk_spell(text: str) -> str:
    for uk, us in US_FROM_UK:
        if us in ("granulomas", "center", "color"):
            continue
        text = re.sub(r"\b" + us, uk, text) if us[0].islower() else text.replace(us, uk)
    return text


def cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def fill(t: str, side: str | None) -> str:
    if side is None:
        return t
    other = "left" if side == "right" else "right"
    return t.replace("@S", cap(side)).replace("@s", side).replace("@O", other)


def flip_word(w: str) -> str:
    m = {"left": "right", "right": "left", "Left": "Right", "Right": "Left", "LEFT": "RIGHT", "RIGHT": "LEFT"}
    return m[w]


def end_stop(s: str) -> str:
    s = s.strip()
    return s if s.endswith((".", "?", "!", ":")) else s + "."


# ---------------------------------------------------------------------------------------------
# phrase bank: findings items
# ---------------------------------------------------------------------------------------------
class Item:
    """One finding: findings sentence template, impression phrase template, flags."""

    def __init__(self, grp, f, i=None, *, side=None, req=True, sig=False, neg=None, sysm="lungs", rec=None):
        self.grp, self.f_t, self.i_t, self.side = grp, f, i, side
        self.req, self.sig, self.neg, self.sysm, self.rec = req, sig, neg, sysm, rec

    def f(self, side=None):
        return end_stop(fill(self.f_t, side or self.side))

    def i(self, side=None):
        return end_stop(fill(self.i_t, side or self.side)) if self.i_t else None

    @property
    def sided(self):
        return self.side in ("left", "right") and "@" in self.f_t and self.i_t is not None and "@" in self.i_t


def side_of(rng):
    return rng.choice(["left", "right"])


def zone(rng, uk, level):
    """level: upper/mid/lower."""
    if uk:
        return rng.choice([f"{level} zone", f"{level} zone", f"{level} lobe"]) if level != "mid" else "mid zone"
    return {"upper": "upper lobe", "mid": "mid lung", "lower": rng.choice(["lower lobe", "lung base"])}[level]


SIZES_CM = ["3.5", "4", "4.5", "5", "6", "6.5", "7", "8"]


def incidental(rng, uk):
    s = side_of(rng)
    c = rng.randrange(5)
    if c == 0:
        return Item("granuloma", f"Small calcified granuloma in the @s {'mid zone' if uk else 'mid lung'}.",
                    "Calcified granuloma, likely old granulomatous infection." if rng.random() < .5 else None,
                    side=s, req=False, sysm="lungs")
    if c == 1:
        n = rng.choice(["5th", "6th", "7th", "8th"])
        return Item("fracture", f"Old healed fracture of the @s {n} rib.", f"Old healed @s {n} rib fracture.",
                    side=s, req=False, sysm="bones")
    if c == 2:
        return Item("degenerative", "Mild degenerative change in the thoracic spine.",
                    "Mild thoracic spondylosis.", req=False, sysm="bones")
    if c == 3:
        return Item("node_calc", f"Calcified @s hilar lymph node{'s' if rng.random() < .5 else ''}.",
                    "Calcified @s hilar nodes, in keeping with previous primary TB.", side=s, req=False,
                    sysm="mediastinum")
    return Item("cervical_rib", "Incidental @s cervical rib.", "Incidental @s cervical rib.", side=s,
                req=False, sysm="bones")


# scenarios: each returns dict(name, indication, items, rec, normal_imp, comparison_prior)
TRAVEL = ["Ghana", "Nigeria", "Kenya", "Uganda", "Malawi", "Sierra Leone", "India", "Pakistan", "Bangladesh",
          "Thailand", "Cambodia", "Vietnam", "Laos", "Indonesia", "the Philippines", "Brazil", "Peru",
          "Tanzania", "Mozambique", "Myanmar"]
BORN = ["Somalia", "Eritrea", "Afghanistan", "Sudan", "Ethiopia", "Pakistan", "India", "Nepal", "Philippines",
        "Vietnam", "Syria", "Yemen", "Congo", "Haiti", "Guatemala", "Bangladesh", "Myanmar"]


def _age(rng):
    return rng.randint(19, 78)


def _sex(rng, uk):
    return rng.choice(["M", "FND"]) if uk and rng.random() < .5 else rng.choice(["male", "female"])


def sc_normal(rng, uk):
    a, sx = _age(rng), _sex(rng, uk)
    ind = rng.choice([
        f"Pre-entry TB screening. Born in {rng.choice(BORN)}. Asymptomatic.",
        f"New entrant screening, {rng.choice(BORN)}. IGRA positive. ?latent TB.",
        f"Migrant health assessment. {a}{sx[0] if uk else '-year-old ' + sx}, no symptoms.",
        f"Aid worker, pre-deployment baseline ({rng.choice(TRAVEL)}).",
        f"Returning aid worker, {rng.choice(TRAVEL)}. TB contact at clinic. Well.",
        "Household contact of smear positive pulmonary TB.",
        "QuantiFERON positive. Pre-treatment baseline for latent TB.",
        f"Returning traveller from {rng.choice(TRAVEL)}, fever. Malaria film negative. ?chest source.",
        f"{a} year old {sx}, recently arrived from {rng.choice(BORN)}, cough 2/52. Exclude TB.",
        f"Eosinophilia on screening bloods. Travel to {rng.choice(TRAVEL)}. ?Loeffler's.",
        "Schistosoma serology positive. Baseline chest film.",
        "Immigration medical examination, visa application.",
    ])
    items = []
    if rng.random() < .28:
        items.append(incidental(rng, uk))
        if items[0].grp in ("granuloma", "node_calc") and rng.random() < .4:
            items[0].i_t = None
    return dict(name="normal_screen", ind=ind, items=items, rec=None)


def sc_old_tb(rng, uk):
    s = side_of(rng)
    ind = rng.choice([
        f"TB screening. From {rng.choice(BORN)}. Treated for TB as a child.",
        "Positive IGRA. Previous TB treatment in country of origin.",
        f"Visa medical. History of treated pulmonary TB {rng.randint(2005, 2019)}.",
        "Latent TB screening. Asymptomatic.",
    ])
    zf = "apex" if rng.random() < .5 else zone(rng, uk, "upper")
    at = "at the" if zf == "apex" else "in the"
    items = [Item("scarring",
                  rng.choice([f"Fibronodular scarring {at} @s {zf} with volume loss and hilar elevation",
                              f"Linear and nodular fibrotic change in the @s {zf}",
                              f"Apical pleural thickening and fibrotic scarring {at} @s {zf}"]),
                  rng.choice(["@S apical fibrotic change, consistent with old (healed) tuberculosis",
                              f"Fibronodular scarring @s {zf}, in keeping with previous TB",
                              "Old @s upper lobe TB scarring without features of activity"]),
                  side=s, req=True, sig=False, neg="No fibrotic scarring", sysm="lungs")]
    if rng.random() < .5:
        items.append(Item("granuloma", "Scattered calcified granulomata in the @s upper zone." if uk else
                          "Scattered calcified granulomas in the @s upper lobe.",
                          None, side=s, req=False))
    if rng.random() < .35:
        items.append(Item("node_calc", "Calcified @s hilar lymph nodes.", "Calcified @s hilar nodes.", side=s,
                          req=False, sysm="mediastinum"))
    rec = rng.choice([None, "No features of active disease. Sputum samples only if clinically indicated.",
                      "Comparison with any previous films would be helpful to confirm stability.",
                      "Suggest 3 sputum samples for AFB and culture to exclude activity."])
    return dict(name="old_tb", ind=ind, items=items, rec=rec)


def sc_active_tb(rng, uk):
    s = side_of(rng)
    ind = rng.choice([
        f"Cough 3/12, weight loss, night sweats. From {rng.choice(BORN)}. ?TB.",
        "Haemoptysis and fevers. Prison contact. ?TB.",
        f"{_age(rng)} year old with productive cough and weight loss, recently arrived from {rng.choice(BORN)}.",
        "Smear positive sputum. Baseline film before starting treatment.",
        "Migrant screening: IGRA positive, reports cough.",
    ])
    z = zone(rng, uk, "upper")
    cav = rng.random() < .6
    items = []
    if cav:
        cm = rng.choice(["2", "2.5", "3", "3.5", "4"])
        items.append(Item("consolidation",
                          rng.choice([f"Patchy consolidation in the @s {z} containing a {cm} cm thick-walled cavity",
                                      f"There is airspace consolidation in the @s {z} with a {cm} cm cavity",
                                      f"Cavitating consolidation in the @s {z}, the cavity measuring {cm} cm"]),
                          rng.choice(["@S upper lobe cavitating consolidation, highly suggestive of active "
                                      "pulmonary tuberculosis",
                                      f"Cavitating @s {z} consolidation, consistent with active TB",
                                      f"Cavitating consolidation in the @s {z}; active TB until proven otherwise"]),
                          side=s, sig=True, neg="No consolidation or cavitation"))
    else:
        items.append(Item("consolidation",
                          rng.choice([f"Patchy nodular airspace shadowing in the @s {z}",
                                      f"Ill-defined consolidation in the @s {z} with surrounding satellite nodules",
                                      f"New patchy consolidation in the @s {z}"]),
                          rng.choice([f"@S {z} consolidation. In this clinical context active TB is the main concern",
                                      f"Patchy @s {z} consolidation, suspicious for active tuberculosis"]),
                          side=s, sig=True, neg="The lungs are clear"))
    if rng.random() < .45:
        items.append(Item("hilar", "Enlarged @s hilum suggesting lymphadenopathy.",
                          "@S hilar lymphadenopathy.", side=s, sig=False, neg="No hilar lymphadenopathy",
                          sysm="mediastinum"))
    if rng.random() < .3:
        items.append(Item("effusion", "Small @s pleural effusion.", "Small @s effusion.", side=s, sig=False,
                          neg="No pleural effusion", sysm="pleura"))
    rec = rng.choice(["Recommend 3 sputum samples for AFB smear and culture and referral to the TB service.",
                      "Please send induced sputum for AFB. Patient should be isolated pending results.",
                      "Suggest urgent TB clinic referral.", None])
    return dict(name="active_tb", ind=ind, items=items, rec=rec)


def sc_miliary(rng, uk):
    ind = rng.choice(["Fever, weight loss, HIV positive. ?miliary TB.",
                      f"Returned from {rng.choice(TRAVEL)}. PUO 3 weeks. Night sweats.",
                      "Unwell, fevers, raised CRP. Known TB contact."])
    items = [Item("miliary", rng.choice(["Innumerable 1-2 mm nodules distributed uniformly throughout both lungs",
                                         "Diffuse fine micronodular (miliary) pattern throughout both lungs"]),
                  rng.choice(["Miliary pattern, in this clinical context consistent with miliary tuberculosis",
                              "Diffuse miliary nodularity. Miliary TB is the leading consideration"]),
                  sig=False, neg="No miliary shadowing", sysm="lungs")]
    return dict(name="miliary", ind=ind, items=items,
                rec=rng.choice([None, "Discussed with the infectious diseases team at the time of reporting."]))


def sc_tb_effusion(rng, uk):
    s = side_of(rng)
    sz = rng.choice(["moderate", "moderate", "large"])
    ind = rng.choice(["Pleuritic chest pain, fever, weight loss. ?TB pleurisy.",
                      f"Breathlessness. Recently arrived from {rng.choice(BORN)}. ?effusion.",
                      "IGRA positive, left sided chest pain." if s == "left" else "IGRA positive, right chest pain."])
    items = [Item("effusion",
                  rng.choice([f"{cap(sz)} @s pleural effusion with a meniscus, obscuring the @s hemidiaphragm",
                              f"There is a {sz} @s pleural effusion",
                              f"{cap(sz)} @s sided pleural effusion"]),
                  rng.choice([f"{cap(sz)} @s pleural effusion. In this context tuberculous pleuritis should be "
                              "considered", f"{cap(sz)} @s pleural effusion"]),
                  side=s, sig=True, neg="No pleural effusion", sysm="pleura",
                  rec="Suggest ultrasound-guided diagnostic aspiration (AFB, culture, ADA)."),
             ]
    return dict(name="tb_effusion", ind=ind, items=items, rec=None)


def sc_melioid(rng, uk):
    s = side_of(rng)
    ind = rng.choice([
        f"Returned from {rng.choice(['Thailand', 'Cambodia', 'Laos', 'Vietnam', 'northern Australia'])}. "
        "Diabetic. Fever and cough. ?melioidosis.",
        "Septic, diabetic, rice farmer from north-east Thailand. Productive cough.",
        "Fever after travel to South-East Asia. Blood cultures pending. ?Burkholderia.",
    ])
    z = zone(rng, uk, rng.choice(["upper", "upper", "lower"]))
    items = [Item("consolidation",
                  rng.choice([f"Dense consolidation in the @s {z} with air bronchograms",
                              f"Patchy consolidation in the @s {z} with early cavitation",
                              f"There is consolidation of the @s {z}"]),
                  rng.choice([f"@S {z} consolidation. Given the travel history and diabetes, melioidosis should "
                              "be considered", f"@S {z} pneumonia; consider melioidosis",
                              f"Consolidation @s {z}, ? melioidosis"]),
                  side=s, sig=True, neg="No consolidation")]
    if rng.random() < .4:
        items.append(Item("nodule", "Several ill-defined nodules up to 1.5 cm in the @O lung.",
                          "Further nodules in the @O lung, possibly septic emboli.", side=s, sig=True,
                          neg="No pulmonary nodules"))
    rec = rng.choice(["Please alert microbiology (hazard group 3 organism).",
                      "Suggest CT thorax and abdomen to look for abscesses (liver, spleen, prostate).", None])
    return dict(name="melioidosis", ind=ind, items=items, rec=rec)


def sc_amoebic(rng, uk):
    sz = rng.choice(["small", "small", "moderate"])
    ind = rng.choice([
        f"Returned from {rng.choice(TRAVEL)}. Right upper quadrant pain, fever. ?amoebic liver abscess.",
        "Known amoebic liver abscess on ultrasound. Right pleuritic pain.",
        "Fever, RUQ tenderness, raised inflammatory markers. Recent travel to India.",
    ])
    items = [Item("diaphragm", rng.choice(["The right hemidiaphragm is elevated",
                                           "Raised right hemidiaphragm"]),
                  rng.choice(["Elevated right hemidiaphragm", "Raised right hemidiaphragm"]),
                  side="right", sig=False, neg="Normal position of the hemidiaphragms", sysm="diaphragm"),
             Item("atelectasis", "Linear atelectasis at the right base.", "right basal atelectasis",
                  side="right", req=False, sysm="lungs"),
             Item("effusion", f"{cap(sz)} right pleural effusion.", f"{cap(sz)} right pleural effusion",
                  side="right", sig=(sz == "moderate"), neg="No pleural effusion", sysm="pleura")]
    if rng.random() < .5:
        items[1].i_t = None
    rec = rng.choice(["Findings would fit with a subdiaphragmatic process such as amoebic liver abscess; "
                      "correlate with liver ultrasound.",
                      "Recommend ultrasound of the liver.", None])
    return dict(name="amoebic", ind=ind, items=items, rec=rec)


def sc_hydatid(rng, uk):
    s = side_of(rng)
    cm = rng.choice(SIZES_CM)
    z = zone(rng, uk, rng.choice(["mid", "lower", "lower"]))
    ind = rng.choice([
        f"Sheep farmer from {rng.choice(['Turkey', 'Syria', 'Kenya', 'Peru', 'Morocco', 'Afghanistan'])}. "
        "Cough. Known liver hydatid.", "Echinococcus serology positive.", "Chest discomfort. Migrant screening.",
    ])
    extra = rng.choice(["", " A thin crescent of air is seen at its upper margin", " No calcification"])
    items = [Item("mass",
                  rng.choice([f"Well-defined round {cm} cm opacity in the @s {z}.{extra}",
                              f"There is a smooth, well-circumscribed {cm} cm mass in the @s {z}.{extra}"]),
                  rng.choice([f"{cm} cm well-defined rounded opacity @s {z}, in keeping with a hydatid cyst "
                              "given the history", f"@S {z} mass, likely hydatid cyst"]),
                  side=s, sig=True, neg="No pulmonary mass", rec="CT thorax is recommended.")]
    return dict(name="hydatid", ind=ind, items=items, rec=None)


def sc_paragonimus(rng, uk):
    s = side_of(rng)
    z = zone(rng, uk, rng.choice(["mid", "lower"]))
    ind = rng.choice(["Chronic cough and haemoptysis. Eats raw crab. From Laos.",
                      "Haemoptysis. Previously treated for TB without improvement. From "
                      f"{rng.choice(['Laos', 'Myanmar', 'the Philippines', 'Cameroon'])}.",
                      "Eosinophilia and haemoptysis. ?paragonimiasis."])
    items = [Item("consolidation",
                  rng.choice([f"Patchy consolidation in the @s {z} containing several small ring shadows "
                              "and cystic lucencies", f"Nodular consolidation with cystic spaces in the @s {z}"]),
                  rng.choice([f"@S {z} consolidation with cystic change. With eosinophilia and the dietary "
                              "history, paragonimiasis is a consideration", f"Cystic @s {z} consolidation, "
                              "? paragonimiasis"]),
                  side=s, sig=True, neg="No consolidation")]
    if rng.random() < .4:
        items.append(Item("effusion", "Small @s pleural effusion.", "Small @s effusion.", side=s,
                          neg="No pleural effusion", sysm="pleura"))
    return dict(name="paragonimus", ind=ind, items=items,
                rec=rng.choice([None, "Suggest sputum for ova and Paragonimus serology."]))


def sc_loeffler(rng, uk):
    ind = rng.choice([f"Eosinophilia 3.2. Returned from {rng.choice(TRAVEL)} 4 weeks ago. Wheeze.",
                      "Dry cough, eosinophils 2.1. ?Loeffler syndrome.",
                      "Strongyloides serology positive, eosinophilia, cough."])
    z1 = "upper" if rng.random() < .5 else "mid"
    prior = rng.random() < .5
    items = [Item("consolidation",
                  rng.choice([f"Patchy peripheral airspace shadowing in both {z1} zones" if uk else
                              f"Patchy peripheral airspace opacities in both {z1} lungs",
                              "Bilateral ill-defined peripheral opacities"]) +
                  (", changed in distribution since the previous film" if prior else ""),
                  rng.choice(["Bilateral peripheral patchy opacities" + (", migratory since the prior study" if
                                                                          prior else ""),
                              "Bilateral peripheral airspace shadowing"]) +
                  rng.choice([". With eosinophilia this would fit with Loeffler syndrome / eosinophilic "
                              "pneumonia", ", in keeping with eosinophilic infiltrates"]),
                  side="bilateral", sig=True, neg="The lungs are clear")]
    return dict(name="loeffler", ind=ind, items=items, prior=prior,
                rec=rng.choice([None, "Correlate with stool microscopy and helminth serology.",
                                "Follow-up film in 4-6 weeks to confirm resolution."]))


def sc_strongy(rng, uk):
    ind = rng.choice(["On high dose steroids, from Jamaica. Hypoxic, Gram negative sepsis. ?Strongyloides "
                      "hyperinfection.", "HTLV-1 positive, worsening breathlessness, eosinophilia."])
    items = [Item("consolidation", "Diffuse bilateral patchy airspace shadowing, mid and lower zone predominant"
                  if uk else "Diffuse bilateral patchy airspace opacities, worse in the mid and lower lungs",
                  "Diffuse bilateral airspace shadowing. In this context consider Strongyloides hyperinfection "
                  "with pulmonary haemorrhage or secondary infection", side="bilateral", sig=True,
                  neg="Lungs are clear")]
    return dict(name="strongyloides", ind=ind, items=items, rec=None)


def sc_malaria(rng, uk):
    ind = rng.choice([f"Severe falciparum malaria (parasitaemia {rng.randint(4, 18)}%), returned from "
                      f"{rng.choice(['Nigeria', 'Ghana', 'Uganda', 'Cameroon', 'Sierra Leone'])}. Hypoxic.",
                      "P. falciparum on IV artesunate. Increasing oxygen requirement.",
                      "Malaria, new desaturation on the ward. ?fluid overload ?ARDS."])
    portable = rng.random() < .6
    items = [Item("oedema", rng.choice(["Bilateral perihilar airspace shadowing with air bronchograms",
                                        "Widespread bilateral airspace opacification, perihilar predominance",
                                        "Bilateral interstitial and alveolar oedema pattern"]),
                  rng.choice(["Bilateral airspace changes in keeping with non-cardiogenic pulmonary oedema / "
                              "ARDS in severe malaria", "Pulmonary oedema pattern, likely malaria-associated "
                              "ARDS rather than fluid overload given the normal heart size"]),
                  side="bilateral", sig=True, neg="The lungs are clear", sysm="lungs")]
    if rng.random() < .5:
        items.append(Item("line", "Right internal jugular central line tip projected over the SVC.",
                          "Right IJ line in satisfactory position.", side="right", req=False, sysm="lines"))
    return dict(name="malaria", ind=ind, items=items, portable=portable, rec=None)


def sc_schisto(rng, uk):
    ind = rng.choice(["Chronic schistosomiasis (S. mansoni). Breathlessness on exertion.",
                      f"From {rng.choice(['Egypt', 'Sudan', 'Malawi', 'Brazil'])}, hepatosplenic schistosomiasis. "
                      "SOB.", "Schistosomiasis, echo requested. Baseline CXR."])
    items = [Item("pa", rng.choice(["The central pulmonary arteries are enlarged with peripheral pruning",
                                    "Prominent main pulmonary artery and enlarged hilar vessels"]),
                  rng.choice(["Enlarged central pulmonary arteries suggesting pulmonary arterial hypertension, "
                              "which may relate to schistosomiasis", "Features of pulmonary hypertension"]),
                  sig=False, neg="Normal pulmonary arteries", sysm="mediastinum",
                  rec="Echocardiography recommended.")]
    if rng.random() < .5:
        items.append(Item("cardiomegaly", "Mild cardiomegaly with right heart prominence.", "Mild cardiomegaly.",
                          req=True, sig=False, neg="Normal heart size", sysm="heart"))
    return dict(name="schisto", ind=ind, items=items, rec=None)


def sc_pneumonia(rng, uk):
    s = side_of(rng)
    ind = rng.choice([f"Fever and productive cough. Back from {rng.choice(TRAVEL)} 1 week. Malaria films "
                      "negative x3.", "Returning traveller, fever, crackles at the base. ?CAP.",
                      f"Typhoid excluded. Cough and fever after {rng.choice(TRAVEL)} trip."])
    lvl = rng.choice(["lower", "lower", "mid", "upper"])
    z = zone(rng, uk, lvl)
    items = [Item("consolidation",
                  rng.choice([f"Consolidation in the @s {z} with air bronchograms",
                              f"There is @s {z} airspace consolidation",
                              f"Dense @s {z} consolidation"]),
                  rng.choice([f"@S {z} consolidation, in keeping with pneumonia",
                              f"@S {z} pneumonia", f"Consolidation @s {z}, consistent with infection"]),
                  side=s, sig=True, neg="No consolidation")]
    if rng.random() < .3:
        items.append(Item("effusion", "Small @s parapneumonic effusion.", "Small @s parapneumonic effusion.",
                          side=s, neg="No pleural effusion", sysm="pleura"))
    rec = rng.choice([None, "Follow-up radiograph in 6 weeks to confirm resolution.",
                      "Repeat film after treatment to ensure resolution."])
    return dict(name="pneumonia", ind=ind, items=items, rec=rec)


def sc_pneumothorax(rng, uk):
    s = side_of(rng)
    ind = rng.choice(["Post ultrasound-guided pleural aspiration.", "Sudden onset pleuritic chest pain. "
                      "Known cystic lung disease (paragonimiasis).", "Post pleural biopsy for ?TB pleurisy."])
    sz = rng.choice(["small", "moderate", "2 cm", "small apical"])
    items = [Item("pneumothorax",
                  rng.choice([f"{cap(sz)} @s pneumothorax" if sz != "2 cm" else
                              "@S pneumothorax with a 2 cm rim of air at the level of the hilum",
                              f"There is a {sz} @s pneumothorax" if sz != "2 cm" else
                              "@S apical pneumothorax measuring 2 cm"]),
                  rng.choice(["@S pneumothorax", f"{cap(sz) if sz != '2 cm' else 'Small'} @s pneumothorax"]),
                  side=s, sig=True, neg="No pneumothorax", sysm="pleura",
                  rec="Result phoned to the ward team.")]
    if rng.random() < .4:
        items.append(Item("effusion", "Small residual @s pleural effusion.", "Small residual @s effusion.",
                          side=s, neg="No pleural effusion", sysm="pleura"))
    return dict(name="pneumothorax", ind=ind, items=items, rec=None)


def sc_resolved(rng, uk):
    s = side_of(rng)
    z = zone(rng, uk, rng.choice(["lower", "upper", "mid"]))
    ind = rng.choice(["Follow-up after treated pneumonia.", "Completed 2 months of TB treatment. Review.",
                      "Follow-up of eosinophilic infiltrates post albendazole/ivermectin."])
    items = [Item("resolved", f"The previously seen @s {z} consolidation has resolved.",
                  f"Resolution of the @s {z} consolidation", side=s, req=True, sig=False,
                  neg=None)]
    if rng.random() < .4:
        items.append(Item("atelectasis", "Minor residual linear scarring at the site.", None, req=False))
    return dict(name="resolved", ind=ind, items=items, prior=True, rec=None)


def sc_stable_minor(rng, uk):
    ind = rng.choice(["Annual review, treated latent TB.", "Pre-employment health screen (healthcare worker).",
                      "Hypertension. Screening film, recently arrived.", "Routine review. Asymptomatic."])
    items = []
    if rng.random() < .5:
        items.append(Item("cardiomegaly", rng.choice(["Mild cardiomegaly, unchanged",
                                                      "Borderline heart size, stable",
                                                      "Heart mildly enlarged, similar to previous"]),
                          None, req=False, sig=False, neg="Normal heart size", sysm="heart"))
    else:
        s = side_of(rng)
        items.append(Item("nodule", f"{rng.choice(['3', '4', '4', '5'])} mm calcified nodule in the @s "
                          f"{'mid zone' if uk else 'mid lung'}, unchanged", None, side=s, req=False))
    if rng.random() < .4:
        items.append(incidental(rng, uk))
        items[-1].i_t = None
    return dict(name="stable_minor", ind=ind, items=items, prior=True, rec=None)


SCENARIOS = [(sc_normal, 30), (sc_old_tb, 10), (sc_active_tb, 9), (sc_miliary, 3), (sc_tb_effusion, 4),
             (sc_melioid, 5), (sc_amoebic, 5), (sc_hydatid, 4), (sc_paragonimus, 3), (sc_loeffler, 4),
             (sc_strongy, 2), (sc_malaria, 4), (sc_schisto, 3), (sc_pneumonia, 7), (sc_pneumothorax, 2),
             (sc_resolved, 3), (sc_stable_minor, 5)]


# normal statements: (system, text, negated groups, blocked-by groups, assertion for negation conflict)
LUNG_ITEMS = {"consolidation", "mass", "nodule", "miliary", "scarring", "granuloma", "oedema", "resolved",
              "atelectasis"}
NORMALS = [
    ("lungs", "The lungs are clear", {"consolidation", "oedema", "mass"}, LUNG_ITEMS,
     ["@S {lz} consolidation", "Patchy @s {uz} airspace shadowing, ? infection"]),
    ("lungs", "Lung fields are clear", {"consolidation", "oedema", "mass"}, LUNG_ITEMS,
     ["@S {lz} consolidation", "Bilateral perihilar airspace shadowing, ? pulmonary oedema"]),
    ("lungs", "No focal consolidation", {"consolidation"}, LUNG_ITEMS,
     ["@S {lz} consolidation, in keeping with pneumonia"]),
    ("lungs", "No cavitation, consolidation or fibrotic change to suggest active or previous tuberculosis",
     {"consolidation", "scarring"}, LUNG_ITEMS | {"node_calc"},
     ["@S apical fibronodular scarring, likely old TB", "@S {uz} cavitating consolidation, ? active TB"]),
    ("lungs", "No pulmonary nodule or mass", {"nodule", "mass"}, LUNG_ITEMS,
     ["1.2 cm nodule in the @s {mz}, CT advised"]),
    ("lungs", "No miliary shadowing", {"miliary"}, {"miliary", "consolidation", "oedema"},
     ["Miliary nodularity, ? miliary TB"]),
    ("pleura", "No pleural effusion", {"effusion"}, {"effusion"}, ["Small @s pleural effusion",
                                                                   "Moderate @s pleural effusion"]),
    ("pleura", "Costophrenic angles are clear", {"effusion"}, {"effusion", "diaphragm"},
     ["Small bilateral pleural effusions", "Blunted @s costophrenic angle due to a small effusion"]),
    ("pleura", "No pneumothorax", {"pneumothorax"}, {"pneumothorax"}, ["Small @s apical pneumothorax"]),
    ("pleura", "No pleural effusion or pneumothorax", {"effusion", "pneumothorax"}, {"effusion", "pneumothorax"},
     ["Small @s pleural effusion", "Small @s pneumothorax"]),
    ("heart", "Heart size is normal", {"cardiomegaly"}, {"cardiomegaly"}, ["Cardiomegaly"]),
    ("heart", "The heart is not enlarged", {"cardiomegaly"}, {"cardiomegaly"}, ["Enlarged cardiac silhouette"]),
    ("heart", "Cardiothoracic ratio within normal limits", {"cardiomegaly"}, {"cardiomegaly"},
     ["Cardiomegaly (CTR 0.6)"]),
    ("mediastinum", "Mediastinal and hilar contours are normal", {"hilar", "pa"}, {"hilar", "pa", "node_calc"},
     ["Bilateral hilar lymphadenopathy", "Enlarged @s hilum, ? lymphadenopathy"]),
    ("mediastinum", "No hilar or mediastinal lymphadenopathy", {"hilar"}, {"hilar", "node_calc"},
     ["@S hilar lymphadenopathy", "Bilateral hilar lymphadenopathy, ? TB ? sarcoidosis"]),
    ("mediastinum", "Mediastinum is central and not widened", set(), {"hilar", "pa"}, []),
    ("diaphragm", "Both hemidiaphragms are clearly outlined and normal in position", {"diaphragm"},
     {"diaphragm", "effusion", "atelectasis"}, ["Raised right hemidiaphragm"]),
    ("diaphragm", "No free gas under the diaphragm", set(), set(), []),
    ("bones", "No bony abnormality", set(), {"fracture", "cervical_rib", "degenerative"}, []),
    ("bones", "Visualised bones and soft tissues are unremarkable", set(), {"fracture", "cervical_rib",
                                                                              "degenerative"}, []),
]
OTHERWISE = {"lungs": ["The lungs are otherwise clear", "No other focal lung abnormality",
                       "Remainder of the lungs clear"],
             "pleura": ["No pneumothorax"], "heart": ["Heart size is normal"],
             "mediastinum": ["Mediastinal contours are otherwise normal"]}
SYS_ORDER = ["lines", "lungs", "pleura", "heart", "mediastinum", "diaphragm", "bones"]


def normal_impression(rng, uk, name, items=()):
    tb = ["No radiological evidence of active tuberculosis.", "No features of active or previous TB.",
          "No radiographic evidence of active pulmonary tuberculosis.",
          "No radiographic findings suggestive of tuberculosis."]
    gen_uk = ["Normal chest radiograph.", "No active lung disease.", "Normal chest X-ray.",
              "No significant abnormality detected.", "Clear chest."]
    gen_us = ["No acute cardiopulmonary process.", "Normal chest radiograph.", "No acute cardiopulmonary abnormality.",
              "Negative chest radiograph."]
    pool = (gen_uk if uk else gen_us) + tb
    if items:
        pool = ["No active lung disease.", "No acute cardiopulmonary abnormality."] if uk else \
            ["No acute cardiopulmonary process.", "No acute cardiopulmonary abnormality."]
        if not any(it.grp in ("granuloma", "node_calc", "nodule", "scarring") for it in items):
            pool = pool + tb[:1] + tb[2:]
    out = rng.choice(pool)
    if rng.random() < .25 and out not in tb and not items:
        out += " " + rng.choice(tb[:1] + tb[2:])
    return out


OMIT_NORMAL = ["No acute cardiopulmonary abnormality.", "No active disease seen.", "No significant abnormality.",
               "No acute abnormality.", "No acute cardiopulmonary process.", "Unremarkable appearances."]


# ---------------------------------------------------------------------------------------------
# layouts
# ---------------------------------------------------------------------------------------------
NAMES_UK = ["A. Okafor", "S. Patel", "R. Whitmore", "J. McAllister", "FND. Haider", "C. Brennan", "L. Osei",
            "M. Fernandes", "H. Nakamura", "E. Lindqvist", "T. Mensah", "K. O'Donnell"]
NAMES_US = ["John K. Mensah", "Priya Raman", "David L. Ochoa", "Sarah Whitfield", "Miguel A. Torres",
            "Ngozi Eze", "Robert Chen", "Amanda Kowalski", "Tuan Nguyen", "Laura Bianchi"]


def a_date(rng, uk):
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2024)
    return f"{d:02d}/{m:02d}/{y}" if uk else f"{m:02d}/{d:02d}/{y}"


def signoff(rng, uk):
    mask = rng.random() < .15
    if uk:
        nm = "XXXX" if mask else rng.choice(NAMES_UK)
        return rng.choice([
            f"Dr {nm}, Consultant Radiologist",
            f"Reported by: Dr {nm} (Consultant Radiologist)",
            f"Dr {nm}\nConsultant Radiologist, Hospital for Tropical Diseases",
            f"Reported by Dr {nm}, ST4 Radiology. Verified by Dr {'XXXX' if mask else rng.choice(NAMES_UK)}.",
            f"Dr {nm} GMC {'XXXX' if mask or rng.random() < .5 else rng.randint(4000000, 7999999)}",
        ])
    nm = "XXXX" if mask else rng.choice(NAMES_US)
    return rng.choice([
        f"Electronically signed by: {nm}, MD on {'XXXX' if mask else a_date(rng, uk)}",
        f"Dictated by: {nm}, MD\nSigned: {'XXXX' if mask else a_date(rng, uk)}",
        f"Attending radiologist: {nm}, M.D.",
        f"{nm}, MD - Radiology, Travel and Tropical Medicine Unit",
    ])


def header_block(rng, uk, ind, comparison, portable=False, patient_line=True):
    lines = []
    if uk:
        title = rng.choice(["XR CHEST PA", "CHEST X-RAY PA", "Chest radiograph (PA erect)", "XR Chest",
                            "CXR PA"]) if not portable else rng.choice(["XR CHEST AP (portable)", "CXR AP mobile"])
        lines.append(title)
        if patient_line and rng.random() < .12:
            lines.append(rng.choice(["Hosp no: XXXX", "NHS no: ___ ___ ____", "Patient: XXXX  DOB: XXXX"]))
        lines.append(f"{rng.choice(['Clinical details', 'Clinical information', 'History', 'CLINICAL DETAILS'])}: "
                     f"{ind}")
        if comparison is not None:
            lines.append(f"{rng.choice(['Comparison', 'Previous', 'Compared with'])}: {comparison}")
    else:
        title = rng.choice(["EXAM: XR CHEST PA AND LATERAL", "EXAMINATION: CHEST, 2 VIEWS",
                            "CHEST RADIOGRAPH, PA AND LATERAL", "EXAM: CHEST 1 VIEW"]) if not portable else \
            "EXAM: XR CHEST PORTABLE AP"
        lines.append(title)
        if patient_line and rng.random() < .12:
            lines.append(rng.choice(["MRN: XXXX", "Accession: ___", "Patient: XXXX  DOB: XXXX"]))
        lines.append(f"{rng.choice(['HISTORY', 'INDICATION', 'CLINICAL HISTORY'])}: {ind}")
        if rng.random() < .5:
            lines.append("TECHNIQUE: " + ("Single portable AP view of the chest." if portable
                                          else rng.choice(["PA and lateral views of the chest.",
                                                           "Frontal and lateral views."])))
        if comparison is not None:
            lines.append(f"COMPARISON: {comparison}")
    return lines


SYS_LABEL = {"lines": "Lines/tubes", "lungs": "Lungs", "pleura": "Pleura", "heart": "Heart",
             "mediastinum": "Mediastinum/hila", "diaphragm": "Diaphragm", "bones": "Bones/soft tissues"}


def render(rng, uk, head_lines, f_sents, i_sents, sign, *, f_systems=None, rec=None, missing=None,
           impression_only=False):
    """Assemble the report text. missing: None | 'imp_empty' | 'imp_sign' | 'imp_removed' | 'find_empty'."""
    style = rng.choice(["inline", "block", "block"])
    if uk:
        fh = rng.choice(["Findings", "FINDINGS", "Report", "REPORT", "Findings"])
        ih = rng.choice(["Conclusion", "CONCLUSION", "Opinion", "Impression", "IMPRESSION", "Conclusion",
                         "OPINION", "Summary"])
    else:
        fh = rng.choice(["FINDINGS", "FINDINGS", "Findings"])
        ih = rng.choice(["IMPRESSION", "IMPRESSION", "Impression", "CONCLUSION"])
    # findings body
    fmode = rng.choice(["prose", "prose", "lines", "systems"]) if f_systems else rng.choice(["prose", "lines"])
    if fmode == "prose" or not f_sents:
        fbody = " ".join(f_sents)
    elif fmode == "lines":
        bullet = rng.choice(["", "- ", "* "])
        fbody = "\n".join(bullet + s for s in f_sents)
    else:
        groups, order = {}, []
        for s, sy in zip(f_sents, f_systems, strict=True):
            if sy not in groups:
                order.append(sy)
            groups.setdefault(sy, []).append(s)
        fbody = "\n".join(f"{SYS_LABEL.get(sy, sy.title())}: {' '.join(groups[sy])}" for sy in order)
    # impression body
    numbered = len(i_sents) > 1 and rng.random() < .6
    if numbered:
        ibody = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(i_sents))
    else:
        ibody = " ".join(i_sents)
    rec_line = None
    if rec:
        if rng.random() < .5 or impression_only:
            ibody = ibody + ("\n" if numbered else " ") + (f"{len(i_sents) + 1}. {rec}" if numbered else rec)
        else:
            rec_line = f"{rng.choice(['Recommendation', 'RECOMMENDATION', 'Comment', 'Advice'])}: {rec}"

    def sec(h, body):
        if style == "inline" and body and "\n" not in body:
            return f"{h}: {body}"
        return f"{h}:\n{body}" if body else f"{h}:"

    out = list(head_lines) + [""]
    if not impression_only:
        if missing == "find_empty":
            out += [f"{fh}:", ""]
        else:
            out += [sec(fh, fbody), ""]
    if missing == "imp_empty":
        out += [f"{ih}:", ""]
    elif missing == "imp_sign":
        out += [f"{ih}:", sign]
        return "\n".join(out).strip() + "\n"
    elif missing == "imp_removed":
        pass
    else:
        out += [sec(ih, ibody), ""]
    if rec_line and missing not in ("imp_removed", "imp_empty"):
        out += [rec_line, ""]
    out.append(sign)
    return "\n".join(out).strip() + "\n"


# ---------------------------------------------------------------------------------------------
# placeholders
# ---------------------------------------------------------------------------------------------
SIZE_PH = ["XX cm", "[***] cm", "<<size>> cm", "___ cm", "[size] cm", "** cm"]
SIDE_PH = ["<<side>>", "[left/right]", "[ ]", "[***]", "[SIDE]"]
WORD_PH = ["***", "[***]", "[ ]", "___", "<<>>", "[normal/abnormal]"]


def place_placeholder(rng, f_sents, i_sents, extra_fields):
    """Replace one word by a placeholder. Returns (f_sents, i_sents, extra_fields, description) or None."""
    cands = []
    for where, sents in (("FINDINGS", f_sents), ("IMPRESSION", i_sents)):
        for k, s in enumerate(sents):
            for m in re.finditer(r"\b\d+(?:\.\d+)? ?(cm|mm)\b", s):
                cands.append((where, k, m.start(), m.end(), "size", m.group(1)))
            for m in re.finditer(r"\b(left|right|Left|Right)\b", s):
                cands.append((where, k, m.start(), m.end(), "side", None))
            for m in re.finditer(r"\b(normal|clear|unremarkable|intact|satisfactory|enlarged|central|widened)\b", s):
                cands.append((where, k, m.start(), m.end(), "word", None))
            for m in re.finditer(r"\b(\d+) (weeks|months)\b", s):
                cands.append((where, k, m.start(), m.start() + len(m.group(1)), "num", None))
    for key in extra_fields:
        cands.append((key, None, None, None, "field", None))
    if not cands:
        return None
    weights = []
    for c in cands:
        w = {"size": 4, "side": 2, "word": 1.5, "num": 3, "field": 0.8}[c[4]]
        if c[0] == "IMPRESSION":
            w *= 1.2
        weights.append(w)
    where, k, a, b, typ, unit = rng.choices(cands, weights)[0]
    f_sents, i_sents, extra = list(f_sents), list(i_sents), dict(extra_fields)
    if typ == "field":
        ph = rng.choice(["[ ]", "[date of previous film]", "<<comparison>>", "***", "[Clinical details]"])
        old = extra[where]
        extra[where] = ph
        return f_sents, i_sents, extra, f"{where.lower()} field '{old}' left as template field '{ph}'"
    sents = f_sents if where == "FINDINGS" else i_sents
    s = sents[k]
    old = s[a:b]
    if typ == "size":
        ph = rng.choice(SIZE_PH).replace("cm", unit)
    elif typ == "side":
        ph = rng.choice(SIDE_PH)
    elif typ == "num":
        ph = rng.choice(["[ ]", "XX", "[***]", "<<n>>"])
    else:
        ph = rng.choice(WORD_PH)
    sents[k] = s[:a] + ph + s[b:]
    return f_sents, i_sents, extra, f"'{old}' in {where} replaced by '{ph}'"


# ---------------------------------------------------------------------------------------------
# composed reports
# ---------------------------------------------------------------------------------------------
SIG_SCENARIOS = {sc_active_tb, sc_tb_effusion, sc_melioid, sc_hydatid, sc_paragonimus, sc_loeffler, sc_strongy,
                 sc_malaria, sc_pneumonia, sc_pneumothorax}


def pick_scenario(rng, kind):
    pool = SCENARIOS
    if kind in ("laterality_conflict",):
        pool = [(f, w) for f, w in SCENARIOS if f in (sc_old_tb, sc_active_tb, sc_tb_effusion, sc_melioid,
                                                        sc_amoebic, sc_hydatid, sc_paragonimus, sc_pneumonia,
                                                        sc_pneumothorax, sc_resolved)]
    elif kind == "impression_omits_finding":
        pool = [(f, w) for f, w in SCENARIOS if f in SIG_SCENARIOS]
    fs, ws = zip(*pool, strict=True)
    return rng.choices(fs, ws)[0]


def compose(rng, kind, cid):
    uk = rng.random() < .55
    for _attempt in range(200):
        fn = pick_scenario(rng, kind)
        sc = fn(rng, uk)
        items = sc["items"]
        if kind == "laterality_conflict" and not any(it.sided for it in items):
            continue
        if kind == "impression_omits_finding":
            if fn is sc_amoebic and not any(it.sig for it in items):
                continue
            if not any(it.sig for it in items):
                continue
        if kind == "negation_conflict" and not items and rng.random() < .0:
            continue
        break
    out = _compose_from(rng, uk, sc, kind)
    return out


def _normals_for(rng, items, lung_otherwise):
    grps = {it.grp for it in items}
    chosen, systems = [], []
    by_sys = {}
    for n in NORMALS:
        by_sys.setdefault(n[0], []).append(n)
    for sy in ["lungs", "pleura", "heart", "mediastinum", "diaphragm", "bones"]:
        pool = [n for n in by_sys[sy] if not (n[3] & grps)]
        item_here = any(it.sysm == sy for it in items)
        if sy == "lungs":
            k = rng.choice([1, 1, 2]) if pool else 0
            picks = rng.sample(pool, min(k, len(pool))) if pool else []
            diffuse = grps & {"miliary", "oedema"} or any(it.side == "bilateral" for it in items)
            if item_here and lung_otherwise and not diffuse and rng.random() < .7:
                picks = [("lungs", rng.choice(OTHERWISE["lungs"]), set(), set(), [])] + [
                    p for p in picks if not (p[2] & {"consolidation", "oedema", "mass"})]
        elif sy in ("diaphragm", "bones"):
            picks = [rng.choice(pool)] if pool and rng.random() < .45 else []
        else:
            picks = [rng.choice(pool)] if pool and rng.random() < .92 else []
        for p in picks:
            chosen.append(p)
            systems.append(sy)
    return chosen


def _compose_from(rng, uk, sc, kind):
    items = sc["items"]
    name = sc["name"]
    sp = (lambda t: t) if uk else us_spell
    comparison = None
    if sc.get("prior"):
        comparison = rng.choice([f"{a_date(rng, uk)}", f"Previous film {a_date(rng, uk)}",
                                 f"Prior radiograph dated {a_date(rng, uk)}"])
    elif rng.random() < .6:
        comparison = rng.choice(["None.", "None available.", "No previous imaging.",
                                 "Outside films from country of origin not available."] if uk else
                                ["None.", "None available.", "No prior studies."])
    normals = _normals_for(rng, items, lung_otherwise=True)
    # findings
    entries = []  # (system, sentence, ref)  ref = ('item', idx) or ('normal', normal tuple)
    if rng.random() < .35:
        entries.append(("tech", rng.choice(["PA erect film. Adequate inspiration.", "Good inspiratory effort.",
                                            "Satisfactory PA projection.", "Mildly rotated film."] if uk else
                                           ["Adequate inspiration.", "Patient is mildly rotated."]), None))
    for sy in SYS_ORDER:
        for k, it in enumerate(items):
            if it.sysm == sy:
                entries.append((sy, it.f(), ("item", k)))
        for n in normals:
            if n[0] == sy:
                entries.append((sy, end_stop(n[1]), ("normal", n)))
    # impression
    imp = []  # (text, item index or None)
    for k, it in enumerate(items):
        if it.i_t and (it.req or rng.random() < .6):
            imp.append((it.i(), k))
    rec = sc.get("rec")
    for it in items:
        if it.rec and it.i_t and rng.random() < .6:
            rec = it.rec
    if not imp:
        imp.append((normal_impression(rng, uk, name, items), None))
    elif not any(it.req and it.sig for it in items) and rng.random() < .3 and name in ("old_tb", "resolved"):
        imp.append(("No active lung disease." if uk else "No acute cardiopulmonary process.", None))
    detail = f"composed ({'UK' if uk else 'US'}, {name})"
    missing = None
    impression_only = False
    extra = {}
    head_ind, head_cmp = sc["ind"], comparison

    if kind is None:
        detail += ": clean"
        if rng.random() < .06 and name in ("normal_screen", "old_tb", "pneumonia", "amoebic"):
            impression_only = True
            detail += "; findings described under the impression header only (no separate FINDINGS section)"
    elif kind == "missing_section":
        missing = rng.choice(["imp_empty", "imp_sign", "imp_removed", "find_empty"])
        detail += ": " + {"imp_empty": "IMPRESSION header kept with nothing under it",
                          "imp_sign": "IMPRESSION header followed only by the sign-off",
                          "imp_removed": "IMPRESSION section removed",
                          "find_empty": "FINDINGS header kept with nothing under it"}[missing]
    elif kind == "laterality_conflict":
        cands = [k for k, it in enumerate(items) if it.sided and any(x[1] == k for x in imp)]
        if not cands:
            # make sure a sided item is reported in the impression
            cands = [k for k, it in enumerate(items) if it.sided]
            k = cands[0]
            imp = [x for x in imp if x[1] is not None] + [(items[k].i(), k)]
        k = rng.choice(cands)
        it = items[k]
        flipped = "left" if it.side == "right" else "right"
        if rng.random() < .5:
            entries = [(sy, it.f(flipped) if ref == ("item", k) else s, ref) for sy, s, ref in entries]
            detail += f": FINDINGS sentence about {it.grp} flipped {it.side}->{flipped} (IMPRESSION keeps {it.side})"
        else:
            imp = [(it.i(flipped) if j == k else t, j) for t, j in imp]
            detail += f": IMPRESSION statement about {it.grp} flipped {it.side}->{flipped} (FINDINGS keep {it.side})"
    elif kind == "negation_conflict":
        b_cands = [k for k, it in enumerate(items) if it.neg and it.req and any(x[1] == k for x in imp)]
        a_cands = [n for n in normals if n[4]]
        if b_cands and (not a_cands or rng.random() < .5):
            k = rng.choice(b_cands)
            neg = end_stop(items[k].neg)
            imp = [(neg if j == k else t, j) for t, j in imp]
            detail += f": IMPRESSION negates the {items[k].grp} that FINDINGS affirm ('{neg}')"
            rec = None if items[k].rec else rec
        else:
            n = rng.choice(a_cands)
            s = side_of(rng)
            a = fill(rng.choice(n[4]), s).format(lz=zone(rng, uk, "lower"), uz=zone(rng, uk, "upper"),
                                                 mz="mid zone" if uk else "mid lung")
            a = end_stop(cap(a))
            if all(j is None for _, j in imp):
                imp = [(a, None)]
            else:
                imp = imp + [(a, None)]
            detail += f": IMPRESSION asserts '{a}' although FINDINGS state '{n[1]}'"
    elif kind == "impression_omits_finding":
        k = rng.choice([k for k, it in enumerate(items) if it.sig])
        it = items[k]
        if it.i_t is None:
            it.i_t = it.f_t
        others = [(t, j) for t, j in imp if j is not None and j != k]
        mode = rng.choice(["normal", "others"])
        if mode == "others" and not others:
            inc = incidental(rng, uk)
            while inc.i_t is None:
                inc = incidental(rng, uk)
            items.append(inc)
            entries.append((inc.sysm, inc.f(), ("item", len(items) - 1)))
            entries = [e for e in entries if not (e[2] and e[2][0] == "normal" and inc.grp in e[2][1][3])]
            others = [(inc.i(), len(items) - 1)]
        if mode == "normal":
            imp = [(rng.choice(OMIT_NORMAL), None)]
            detail += f": FINDINGS report {it.grp} ('{it.f()}') but IMPRESSION replaced by a normal statement"
        else:
            imp = others
            detail += f": FINDINGS report {it.grp} ('{it.f()}'); IMPRESSION lists only other findings"
        rec = None
    f_sents = [sp(s) for _, s, _ in entries]
    f_sys = [sy if sy != "tech" else "lungs" for sy, _, _ in entries]
    i_sents = [sp(t) for t, _ in imp]
    rec = sp(rec) if rec else None
    if kind == "placeholder":
        fields = {"comparison": head_cmp or "None"}
        r = place_placeholder(rng, f_sents, i_sents, fields)
        f_sents, i_sents, extra, what = r
        head_cmp = extra.get("comparison", head_cmp)
        detail += ": " + what
    head = header_block(rng, uk, sp(head_ind), head_cmp, portable=sc.get("portable", False))
    if impression_only:
        i_sents = [s for (sy, _, _), s in zip(entries, f_sents, strict=True) if sy != "tech"] + i_sents
    sys_labels = f_sys if (rng.random() < .25 and "tech" not in [e[0] for e in entries]) else None
    text = render(rng, uk, head, f_sents, i_sents, signoff(rng, uk), f_systems=sys_labels, rec=rec,
                  missing=missing, impression_only=impression_only)
    return text, detail


# ---------------------------------------------------------------------------------------------
# IU reports
# ---------------------------------------------------------------------------------------------
def load_iu(shared: Path):
    path = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    rows = []
    with tarfile.open(path) as t:
        for m in t.getmembers():
            if not (m.isfile() and m.name.endswith(".xml")):
                continue
            root = ET.fromstring(t.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {a.get("Label"): " ".join((a.text or "").split()) for a in root.iter("AbstractText")}
            rows.append((uid_el.get("id"), d))
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r[0]) or 0))
    return rows


def dev_uids(shared: Path):
    out = set()
    p = shared / "eval" / "report_errors_dev.jsonl"
    with open(p) as fh:
        for line in fh:
            if line.strip():
                out.add(json.loads(line)["uid"])
    return out


def split_sents(text):
    text = re.sub(r"<BR>|<br>", " ", text)
    text = re.sub(r"\s*\.\s*\.(\s|$)", r".\1", text.strip())
    parts = re.split(r"(?:^|\s)\d{1,2}[.)]\s+", " " + text)
    out = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", p):
            s = s.strip()
            if len(s) > 1 and re.search(r"[A-Za-z]", s):
                out.append(end_stop(s))
    return out


GROUPS = {
    "effusion": r"effusion|pleural fluid",
    "pneumothorax": r"pneumothora",
    "parenchymal": r"consolidat|air ?space|infiltrat|pneumonia|opacit|densit|shadowing",
    "oedema": r"o?edema|congesti",
    "cardiomegaly": r"cardiomegaly|heart (size )?(is )?(mildly |moderately |markedly )?enlarged|"
                    r"enlarged (heart|cardiac)|cardiac enlargement|enlargement of the (heart|cardiac)",
    "nodule": r"nodul|\bmass",
    "atelectasis": r"atelecta",
    "free_air": r"free air|pneumoperitoneum|free (intraperitoneal )?gas|subdiaphragmatic",
    "fracture": r"fractur",
    "widened": r"widen",
    "hernia": r"hernia",
    "granuloma": r"granulom",
    "lymph": r"adenopathy|lymph",
}
REQ_GROUPS = ["effusion", "pneumothorax", "parenchymal", "oedema", "cardiomegaly", "nodule", "free_air", "widened",
              "lymph"]
NEG_CUE = re.compile(r"\b(no|not|without|negative|free of|clear of|resolved|resolution|absence|absent|removed|nor|"
                     r"neither|exclude|excluded|rule out|ruled out|clearing|cleared|resolving|interval resolution)\b",
                     re.I)
POST_NEG = re.compile(r"\b(not (seen|appreciated|identified|visualized|visualised|present|well[- ]seen)|no longer|"
                      r"has resolved|have resolved|resolved|less apparent|removed)\b", re.I)
CLAUSE_SPLIT = re.compile(r";|\bbut\b|\bhowever\b|\balthough\b|\bwhereas\b|\bexcept\b|\. ", re.I)
HEDGE = re.compile(r"\b(possible|possibly|may|might|could|cannot be excluded|questionable|suspect|suggest|"
                   r"versus|vs|likely|probabl|atelectasis or|or atelectasis|subtle|minimal|trace|tiny|"
                   r"borderline|mild|slight|small|chronic|old|scar|stable|unchanged|calcifi|healed|prior|"
                   r"previous|evaluation|followup|follow-up|recommend|vague|faint|question)", re.I)
LUNG_CLEAR = re.compile(r"\b(lungs?|lung fields?) (are |is |appear |remain )?(clear|normal)|\bclear lungs\b", re.I)
HEART_NORMAL = re.compile(r"heart (size )?(is |appears |remains )?"
                          r"(normal|within normal|not enlarged|upper limits? of normal)|"
                          r"normal (heart|cardiac) size|heart size (is )?(within )?normal|"
                          r"(cardiac|cardiomediastinal) (silhouette|contours?) (is |are |appears? )?"
                          r"(normal|within normal|unremarkable|stable)", re.I)
NORMAL_IMP = re.compile(r"^(no acute|no active|normal|negative|no evidence|no radiographic|unremarkable|"
                        r"no significant|clear|stable|no interval|no focal)", re.I)
SIDE_RE = re.compile(r"\b(left|right|bilateral|bibasilar|bibasal|both)\b", re.I)


def clauses(s):
    return [c.strip() for c in CLAUSE_SPLIT.split(s) if c.strip()]


def sides_in(text):
    out = set()
    for m in SIDE_RE.finditer(text):
        w = m.group(1).lower()
        if w in ("left", "right"):
            out.add(w)
        else:
            out |= {"left", "right", "bilateral"}
    return out


def analyse(sents):
    """Per group: list of (affirmed?, clause, sentence index, hedged?)."""
    res = {g: [] for g in GROUPS}
    lung_clear = heart_norm = False
    for si, s in enumerate(sents):
        if LUNG_CLEAR.search(s) and not re.search(r"otherwise|remainder|elsewhere|remaining|other", s, re.I):
            lung_clear = True
        if HEART_NORMAL.search(s):
            heart_norm = True
        for c in clauses(s):
            for g, pat in GROUPS.items():
                m = re.search(pat, c, re.I)
                if not m:
                    continue
                neg = bool(NEG_CUE.search(c[:m.start()])) or bool(POST_NEG.search(c[m.end():]))
                res[g].append((not neg, c, si, bool(HEDGE.search(c))))
    return res, lung_clear, heart_norm


def affirmed(res, g):
    return [x for x in res[g] if x[0]]


def negated(res, g):
    return [x for x in res[g] if not x[0]]


def iu_consistent(FND, IMP):
    """Conservative consistency check: True if nothing suggests a contradiction or omission."""
    if not FND or not IMP:
        return False
    ftxt, itxt = " ".join(FND), " ".join(IMP)
    if re.search(r"\b(FINDINGS|IMPRESSION|COMPARISON|INDICATION|HISTORY|Exam|Comparison|History)\s*:", ftxt + itxt):
        return False
    if any(re.match(r"Acute\b", x) for x in FND + IMP):
        return False
    if re.search(r"as above|see above|see findings|as described|discussed|called|notified|\?", itxt, re.I):
        return False
    if len(itxt) < 12 or len(ftxt) < 25:
        return False
    if re.search(r"comparison|compared|prior|previous|interval|again|stable|unchanged", itxt, re.I) and \
            not re.search(r"comparison|compared|prior|previous|interval|again|stable|unchanged", ftxt, re.I):
        return False
    fr, f_clear, f_heart = analyse(FND)
    ir, i_clear, i_heart = analyse(IMP)
    for g in REQ_GROUPS:
        fa, ia = affirmed(fr, g), affirmed(ir, g)
        if fa and not ia:
            if g == "cardiomegaly" and all(re.search(r"mild|borderline|stable|unchanged|slight", c, re.I)
                                           for _, c, _, _ in fa):
                continue
            if g == "parenchymal" and all(re.search(r"scar|calcifi|granulom|chronic|old|stable|unchanged", c, re.I)
                                          for _, c, _, _ in fa):
                continue
            if g == "nodule" and all(re.search(r"calcifi|granulom", c, re.I) for _, c, _, _ in fa):
                continue
            if g == "lymph" and all(re.search(r"calcifi", c, re.I) for _, c, _, _ in fa):
                continue
            return False
        if ia and not fa:
            return False
        if ia and negated(fr, g) and not fa:
            return False
        if fa and negated(ir, g):
            return False
    if (i_clear and (affirmed(fr, "parenchymal") or affirmed(fr, "oedema"))) or \
            (f_clear and (affirmed(ir, "parenchymal") or affirmed(ir, "oedema") or affirmed(ir, "nodule"))):
        return False
    if (i_heart and affirmed(fr, "cardiomegaly")) or (f_heart and affirmed(ir, "cardiomegaly")):
        return False
    # sides: every side named in the impression must be named for the same group in the findings
    fs_all, is_all = sides_in(ftxt), sides_in(itxt)
    if not is_all <= fs_all | {"bilateral"}:
        return False
    for g in REQ_GROUPS + ["atelectasis", "granuloma", "fracture", "hernia"]:
        isd = set().union(*[sides_in(c) for _, c, _, _ in affirmed(ir, g)]) if affirmed(ir, g) else set()
        fsd = set().union(*[sides_in(c) for _, c, _, _ in affirmed(fr, g)]) if affirmed(fr, g) else set()
        if isd - {"bilateral"} and fsd and not (isd - {"bilateral"}) <= fsd:
            return False
        if fsd - {"bilateral"} and isd and not (fsd - {"bilateral"}) <= isd | {"bilateral"} and \
                len(fsd - {"bilateral"}) == 1:
            return False
    return True


def reword(sents, uk):
    """Light re-wording in the setting's style; returns (new sentences, list of change notes)."""
    notes = set()
    out = []
    subs = [
        (r"\bchest x-XXXX\b", "chest radiograph", "x-XXXX -> radiograph"),
        (r"^There (?:is|are) no ", "No ", "'There is no' -> 'No'"),
        (r"\bwithin normal limits\b", "normal", "'within normal limits' -> 'normal'"),
        (r"\bcardiomediastinal silhouette\b", "cardiomediastinal contour", "silhouette -> contour"),
        (r"\bNo acute cardiopulmonary abnormality\b", "No acute cardiopulmonary abnormality", None),
        (r"\bNo evidence of active disease\b", "No radiographic evidence of active disease", "active disease"),
        (r"\bosseous structures\b", "bones", "'osseous structures' -> 'bones'"),
        (r"\bbony structures\b", "bones", "'bony structures' -> 'bones'"),
    ]
    if uk:
        subs += [
            (r"\bairspace disease\b", "airspace shadowing", "'airspace disease' -> 'airspace shadowing'"),
            (r"\bair space disease\b", "airspace shadowing", "'air space disease' -> 'airspace shadowing'"),
            (r"\bbibasilar\b", "bibasal", "bibasilar -> bibasal"),
            (r"\bThe visualized\b", "The visualised", None),
            (r"\bNo acute cardiopulmonary (?:disease|abnormality|abnormalities|process)\b",
             "No acute cardiopulmonary abnormality", None),
            (r"\bpleural effusions\b", "pleural effusions", None),
        ]
    else:
        subs += [
            (r"\bNo acute cardiopulmonary disease\b", "No acute cardiopulmonary process",
             "'disease' -> 'process'"),
        ]
    for s in sents:
        s0 = s
        for pat, rep, note in subs:
            s2 = re.sub(pat, rep, s)
            if s2 != s and note:
                notes.add(note)
            s = s2
        if uk:
            s2 = uk_spell(s)
            if s2 != s:
                notes.add("UK spelling")
            s = s2
        s = cap(s)
        out.append(s if s else s0)
    return out, sorted(notes)


ASSERT_BY_GROUP = {
    "effusion": ["Small @s pleural effusion.", "Bilateral small pleural effusions.", "Moderate @s pleural effusion."],
    "pneumothorax": ["Small @s apical pneumothorax.", "@S pneumothorax."],
    "parenchymal": ["@S lower lobe consolidation, likely pneumonia.", "Focal @s upper zone consolidation, "
                    "? active TB.", "@S upper lobe cavitating consolidation."],
    "oedema": ["Pulmonary oedema.", "Interstitial pulmonary oedema."],
    "cardiomegaly": ["Cardiomegaly.", "Enlarged heart."],
    "nodule": ["1.5 cm @s mid zone nodule; CT advised."],
}
NEG_BY_GROUP = {
    "effusion": ["No pleural effusion.", "No effusion."],
    "pneumothorax": ["No pneumothorax."],
    "parenchymal": ["No consolidation.", "Lungs are clear.", "No focal airspace disease."],
    "oedema": ["No pulmonary oedema.", "No pulmonary edema."],
    "cardiomegaly": ["Heart size is normal.", "No cardiomegaly."],
    "nodule": ["No pulmonary nodule or mass."],
}
MINOR_PAT = re.compile(r"degenerat|spondylos|granulom|hernia|tortuous|calcifi|scoliosis|clips|sternotomy|"
                       r"emphysema|hyperinfla|COPD|osteopeni|kyphos", re.I)
OMIT_OK = {
    "pneumothorax": r"pneumothora",
    "parenchymal": r"consolidat|air ?space (disease|opacit|shadowing)|infiltrat|pneumonia",
    "oedema": r"o?edema|congesti",
    "effusion": r"(moderate|large|sizable|sizeable|layering) .*effusion|effusions? .*(moderate|large)",
    "nodule": r"\bmass\b",
    "free_air": r"free air|pneumoperitoneum",
}


OMIT_ALSO = {"parenchymal": r"pneumoni|infect|aspiration|opacit|densit|airspace|air space",
             "oedema": r"failure|CHF|overload|vascular",
             "nodule": r"neoplas|malignan|metasta|lesion|carcinoma|tumou?r|cancer|opacit|densit",
             "effusion": r"pleural|fluid", "pneumothorax": r"air|chest tube", "free_air": r"air|gas|perforat"}


def omission_target(FND, IMP):
    fr, _, _ = analyse(FND)
    ir, _, _ = analyse(IMP)
    for g, pat in OMIT_OK.items():
        fa = [x for x in affirmed(fr, g) if re.search(pat, x[1], re.I)]
        fa = [x for x in fa if not re.search(r"possible|may|might|could|cannot|question|versus|vs|subtle|"
                                             r"minimal|trace|tiny|small|resolv|improv|decreas|old|chronic|scar|"
                                             r"probab|likely|suspect|concern|residual|"
                                             r"calcif|atelectasis or|likely atelectasis|stable|unchanged|\bor\b|"
                                             r"streaky|linear|band|"
                                             r"plate|subsegmental|seem|appear|overlap", x[1], re.I)]
        if g == "nodule":
            fa = fa + [x for x in affirmed(fr, "nodule") if _size_mm(x[1]) >= 6 and not
                       re.search(r"calcif|granulom|possible|may|question|seem|could|overlap|previous|"
                                 r"stable|unchanged|\bor\b", x[1], re.I)]
        if fa and affirmed(ir, g):
            return g, FND[fa[0][2]]
    return None


def _size_mm(c):
    m = re.search(r"(\d+(?:\.\d+)?) ?(mm|cm)\b", c)
    if not m:
        return 0
    v = float(m.group(1))
    return v * 10 if m.group(2) == "cm" else v


def laterality_target(FND, IMP):
    fr, _, _ = analyse(FND)
    ir, _, _ = analyse(IMP)
    opts = []
    for g in REQ_GROUPS + ["atelectasis", "granuloma", "fracture"]:
        fa, ia = affirmed(fr, g), affirmed(ir, g)
        if not fa or not ia:
            continue
        fsd = set().union(*[sides_in(c) for _, c, _, _ in fa])
        isd = set().union(*[sides_in(c) for _, c, _, _ in ia])
        if len(fsd) != 1 or fsd != isd:
            continue
        side = next(iter(fsd))
        for where, sents, hits in (("FINDINGS", FND, fa), ("IMPRESSION", IMP, ia)):
            for _, _c, si, _ in hits:
                s = sents[si]
                if len(re.findall(r"\b(left|right)\b", s, re.I)) == 1 and not re.search(
                        r"bilateral|both|bibas", s, re.I):
                    opts.append((where, si, g, side))
    return opts


def iu_pool(shared: Path):
    dev = dev_uids(shared)
    pool = []
    for uid, d in load_iu(shared):
        if uid in dev:
            continue
        raw = " ".join(v for v in d.values() if v)
        if re.search(r"[\[\]<>*]|___|&lt;|&gt;|\bXX\b", raw):
            continue
        FND, IMP = split_sents(d.get("FINDINGS", "")), split_sents(d.get("IMPRESSION", ""))
        if not FND or not IMP:
            continue
        pool.append((uid, d, FND, IMP))
    return pool


_IU_CACHE: dict = {}


def _iu_candidates(shared: Path):
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    cands = {"clean": [], "lat": [], "negA": [], "negB": [], "omit": []}
    info = {}
    for uid, d, FND, IMP in iu_pool(shared):
        if not iu_consistent(FND, IMP):
            continue
        info[uid] = (d, FND, IMP)
        cands["clean"].append(uid)
        if laterality_target(FND, IMP):
            cands["lat"].append(uid)
        if omission_target(FND, IMP):
            cands["omit"].append(uid)
        fr, f_clear, f_heart = analyse(FND)
        ir, _, _ = analyse(IMP)
        if any(negated(fr, g) and not affirmed(fr, g) for g in ASSERT_BY_GROUP) or f_clear or f_heart:
            cands["negA"].append(uid)
        if any(affirmed(fr, g) and affirmed(ir, g) and not any(x[3] for x in affirmed(fr, g))
               for g in NEG_BY_GROUP):
            cands["negB"].append(uid)
    _IU_CACHE[key] = (cands, info)
    return cands, info


def iu_case(rng, uid, d, FND0, IMP0, kind):
    uk = rng.random() < .5
    FND, notes_f = reword(FND0, uk)
    IMP, notes_i = reword(IMP0, uk)
    notes = sorted(set(notes_f) | set(notes_i))
    ind = d.get("INDICATION") or rng.choice(["Not given.", "TB screen.", "Screening."])
    ind = end_stop(re.sub(r"[\s.;,]+$", "", uk_spell(ind) if uk else ind))
    cmp_ = d.get("COMPARISON") or None
    cmp_ = end_stop(re.sub(r"[\s.;,]+$", "", cmp_)) if cmp_ else None
    detail = f"IU {uid}: re-laid out ({'UK' if uk else 'US'} template)" + (f", reworded ({'; '.join(notes)})"
                                                                          if notes else "")
    missing = None
    if kind is None:
        detail += "; clean"
    elif kind == "missing_section":
        missing = rng.choice(["imp_empty", "imp_sign", "imp_removed", "find_empty"])
        detail += "; " + {"imp_empty": "IMPRESSION emptied, header kept",
                          "imp_sign": "IMPRESSION emptied, only the sign-off under its header",
                          "imp_removed": "IMPRESSION section removed",
                          "find_empty": "FINDINGS emptied, header kept"}[missing]
    elif kind == "laterality_conflict":
        opts = laterality_target(FND, IMP)
        where, si, g, side = rng.choice(opts)
        sents = FND if where == "FINDINGS" else IMP
        old = sents[si]
        sents[si] = re.sub(r"\b(left|right|Left|Right|LEFT|RIGHT)\b", lambda m: flip_word(m.group(1)), old, count=1)
        detail += f"; {where} sentence flipped {side}->{'left' if side == 'right' else 'right'}: '{sents[si]}'"
    elif kind == "negation_conflict":
        fr, f_clear, f_heart = analyse(FND)
        ir, _, _ = analyse(IMP)
        b = [g for g in NEG_BY_GROUP if affirmed(fr, g) and affirmed(ir, g) and not any(x[3] for x in affirmed(fr, g))
             and not any(affirmed(ir, h) and {x[2] for x in affirmed(ir, h)} & {x[2] for x in affirmed(ir, g)}
                         for h in REQ_GROUPS if h != g)]
        a = [g for g in ASSERT_BY_GROUP if negated(fr, g) and not affirmed(fr, g)]
        if f_clear and "parenchymal" not in a and not affirmed(fr, "parenchymal"):
            a.append("parenchymal")
        if f_heart and "cardiomegaly" not in a and not affirmed(fr, "cardiomegaly"):
            a.append("cardiomegaly")
        if b and (not a or rng.random() < .5):
            g = rng.choice(b)
            neg = rng.choice(NEG_BY_GROUP[g])
            if g == "parenchymal" and not any(re.search(r"consolidat|infiltrat|pneumonia", x[1], re.I)
                                              for x in affirmed(fr, g)):
                neg = rng.choice(["Lungs are clear.", "The lungs are clear."])
            if uk:
                neg = uk_spell(neg)
            hit = sorted({x[2] for x in affirmed(ir, g)})
            IMP = [neg if k == hit[0] else s for k, s in enumerate(IMP) if k not in hit[1:]]
            detail += f"; IMPRESSION statement on {g} replaced by '{neg}' although FINDINGS affirm it"
        else:
            g = rng.choice(a)
            s = side_of(rng)
            ast = fill(rng.choice(ASSERT_BY_GROUP[g]), s)
            quals = " ".join(x[1] for x in negated(fr, g))
            if g in ("effusion", "pneumothorax") and re.search(r"large|significant|siz|definite|sizable", quals, re.I):
                ast = fill("Large @s pleural effusion." if g == "effusion" else "Large @s pneumothorax.", s)
            ast = ast if uk else us_spell(ast).replace("zone", "lobe")
            if all(NORMAL_IMP.search(x) for x in IMP):
                IMP = [ast]
                detail += f"; normal IMPRESSION replaced by '{ast}' although FINDINGS negate it"
            else:
                IMP = IMP + [ast]
                detail += f"; '{ast}' added to IMPRESSION although FINDINGS negate it"
    elif kind == "impression_omits_finding":
        g, fs = omission_target(FND, IMP)
        ir, _, _ = analyse(IMP)
        pat = GROUPS[g] + "|" + OMIT_ALSO.get(g, "")
        keep = [s for s in IMP if not re.search(pat, s, re.I) and not re.search(
            r"recommend|follow|suggest|treatment|clearing|resolution|further|evaluat|CT\b", s, re.I)
            and not NORMAL_IMP.search(s)]
        if rng.random() < .5 or not keep:
            minors = [s for s in FND if MINOR_PAT.search(s) and not re.search(GROUPS[g], s, re.I)
                      and not any(re.search(GROUPS[x], s, re.I) for x in REQ_GROUPS)]
            if rng.random() < .5 and minors and not keep:
                IMP = [minors[0]]
                detail += f"; FINDINGS affirm {g} ('{fs}') but IMPRESSION replaced by another finding only"
            else:
                IMP = [rng.choice(OMIT_NORMAL)]
                detail += f"; FINDINGS affirm {g} ('{fs}') but IMPRESSION replaced by a normal statement"
        else:
            IMP = keep
            detail += f"; FINDINGS affirm {g} ('{fs}'); IMPRESSION sentences on it removed, other findings kept"
    elif kind == "placeholder":
        fields = {"comparison": cmp_} if cmp_ else {}
        FND, IMP, extra, what = place_placeholder(rng, FND, IMP, fields)
        cmp_ = extra.get("comparison", cmp_)
        detail += "; " + what
    head = header_block(rng, uk, ind, cmp_, patient_line=True)
    text = render(rng, uk, head, FND, IMP, signoff(rng, uk), missing=missing)
    return text, detail


# ---------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------
def build(seed: int) -> list[dict]:
    rng = random.Random(f"h156-{seed}")
    shared = shared_dir()
    cands, info = _iu_candidates(shared)
    used: set = set()

    def take(pool, n, pred=None):
        lst = [u for u in pool if u not in used and (pred is None or pred(u))]
        rng.shuffle(lst)
        tb = [u for u in lst if re.search(r"\btb\b|ppd|tubercul|immigra|refugee", info[u][0].get("INDICATION", ""),
                                          re.I)]
        order = tb[: max(0, n // 5)] + [u for u in lst if u not in tb[: max(0, n // 5)]]
        got = order[:n]
        if len(got) < n:
            raise RuntimeError(f"IU pool too small ({len(got)} < {n})")
        used.update(got)
        return got

    plan = []  # (kind, source, uid|None)
    half = N_PER_KIND // 2
    # IU: most constrained first
    for u in take(cands["lat"], half):
        plan.append(("laterality_conflict", "iu", u))
    for u in take(cands["omit"], half):
        plan.append(("impression_omits_finding", "iu", u))
    nb = half // 2
    for u in take(cands["negB"], nb):
        plan.append(("negation_conflict", "iu", u))
    for u in take(cands["negA"], half - nb):
        plan.append(("negation_conflict", "iu", u))
    for u in take(cands["clean"], half):
        plan.append(("missing_section", "iu", u))
    # the same words, in the same case, that place_placeholder looks for
    ph_ok = [u for u in cands["clean"] if re.search(r"\b(\d+(\.\d+)? ?(cm|mm)|[Ll]eft|[Rr]ight|normal|clear|"
                                                    r"unremarkable)\b", " ".join(info[u][1] + info[u][2]))]
    for u in take(ph_ok, half):
        plan.append(("placeholder", "iu", u))
    for u in take(cands["clean"], N_CLEAN // 2):
        plan.append((None, "iu", u))
    for k in KINDS:
        plan += [(k, "composed", None)] * half
    plan += [(None, "composed", None)] * (N_CLEAN // 2)
    rng.shuffle(plan)
    rows = []
    for idx, (kind, src, uid) in enumerate(plan):
        crng = random.Random(f"h156-{seed}-{idx}")
        if src == "iu":
            d, FND, IMP = info[uid]
            text, detail = iu_case(crng, uid.replace("CXR", "CXR"), d, list(FND), list(IMP), kind)
        else:
            text, detail = compose(crng, kind, idx)
        rows.append({"id": f"h156-{seed}-{idx}", "injected": kind, "detail": detail, "report": text})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    if a.show:
        for k in [None] + KINDS:
            sel = [r for r in rows if r["injected"] == k]
            shown = [r for r in sel if not r["detail"].startswith("IU")][: a.show] + \
                [r for r in sel if r["detail"].startswith("IU")][: a.show]
            for r in shown:
                print(f"===== {r['id']} [{k}] {r['detail']}\n{r['report']}", file=sys.stderr)
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
