"""Held-out report-check set 115, written blind.

Setting: US and UK adult intensive care units -- daily portable (AP supine or
semi-erect) chest films on ventilated and post-operative patients, read by
ICU-cover radiologists: tube, line and drain positions, atelectasis, effusions,
oedema and interval change versus yesterday's film.

400 cases: 200 clean and 40 of each kind (missing_section, laterality_conflict,
negation_conflict, impression_omits_finding, placeholder). Half of each group is
composed from a phrase bank of ICU portable-film dictations (US and UK house
styles); half are real IU reports (never a dev-set uid) re-laid-out in the same
house styles with light re-wording. Errors are ordinary slips: a side flipped,
a normal macro pasted over the impression, a dropped "no", a section left empty,
a template field left unfilled.

    python -m bench.make_heldout115 OUT.jsonl --seed S [--show N]
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

KINDS = ["missing_section", "laterality_conflict", "negation_conflict",
         "impression_omits_finding", "placeholder"]
N_CLEAN = 200
N_KIND = 40


def shared_dir() -> Path:
    env = os.environ.get("MEDRAG_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared"


def dev_uids(shared: Path) -> set[str]:
    out = set()
    with open(shared / "eval" / "report_errors_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                uid = json.loads(line).get("uid")
                if uid:
                    out.add(uid)
    return out


_IU_CACHE: dict[str, list[dict]] = {}


def load_iu(shared: Path) -> list[dict]:
    key = str(shared)
    if key in _IU_CACHE:
        return _IU_CACHE[key]
    rows = []
    path = shared / "data" / "iu_reports" / "NLMCXR_reports.tgz"
    with tarfile.open(path) as tf:
        for m in tf:
            if not m.isfile() or not m.name.endswith(".xml"):
                continue
            root = ET.fromstring(tf.extractfile(m).read())
            uid_el = root.find("uId")
            if uid_el is None:
                continue
            d = {"uid": uid_el.get("id")}
            for a in root.iter("AbstractText"):
                d[(a.get("Label") or "").upper()] = " ".join((a.text or "").split())
            rows.append(d)
    rows.sort(key=lambda r: int(re.sub(r"\D", "", r["uid"]) or 0))
    _IU_CACHE[key] = rows
    return rows


# --------------------------------------------------------------------------
# house styles
# --------------------------------------------------------------------------
US_EXAM = ["EXAM: XR CHEST 1 VIEW PORTABLE", "EXAMINATION: CHEST, PORTABLE AP",
           "EXAM: Portable chest radiograph, 1 view", "XR CHEST PORTABLE 1V",
           "PROCEDURE: CHEST X-RAY, SINGLE VIEW (PORTABLE)"]
UK_EXAM = ["Examination: CXR (mobile)", "XR Chest - mobile AP", "Examination: Chest X-ray, portable AP",
           "CHEST (MOBILE)", "Exam: Mobile CXR, ITU"]
US_TECH = ["TECHNIQUE: Single portable AP semi-upright view of the chest.",
           "TECHNIQUE: Portable AP supine radiograph.",
           "TECHNIQUE: Single frontal portable view obtained at the bedside.",
           "TECHNIQUE: AP semi-erect portable view."]
UK_TECH = ["Technique: AP supine mobile film.", "AP semi-erect mobile radiograph.",
           "Technique: Single AP projection, patient supine.", ""]
US_SIGN = ["Electronically signed by: {dr}, MD on {date} {time}",
           "Dictated by: {dr}, M.D.  Signed: {date} {time}",
           "Attending radiologist: {dr}, MD", "I have personally reviewed the images. {dr}, MD"]
UK_SIGN = ["Reported by: Dr {dr}, Consultant Radiologist, {date} {time}",
           "Dr {dr}, Consultant Radiologist (GMC {gmc})", "Reported by Dr {dr}, ST5 Radiology. Verified {date}.",
           "Dr {dr}\nConsultant Radiologist"]
DRS = ["A. Patel", "J. O'Neill", "S. Kaur", "M. Okafor", "R. Lindqvist", "H. Nakamura", "C. Byrne",
       "E. Moreno", "T. Walsh", "F. Haddad", "L. Chen", "D. Mensah", "K. Fitzgerald", "P. Novak"]


def _date(rng, uk):
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2023, 2024, 2025])
    return f"{d:02d}/{m:02d}/{y}" if uk else f"{m:02d}/{d:02d}/{y}"


def _time(rng):
    return f"{rng.randint(0, 9):02d}:{rng.randint(0, 59):02d}"


def sign_off(rng, uk):
    t = rng.choice(UK_SIGN if uk else US_SIGN)
    return t.format(dr=rng.choice(DRS), date=_date(rng, uk), time=_time(rng), gmc=rng.randint(3000000, 7999999))


def headers(rng, uk):
    if uk:
        return {"hist": rng.choice(["Clinical details:", "Clinical information:", "Clinical indication:"]),
                "comp": rng.choice(["Comparison:", "Compared with:", "Previous:"]),
                "find": rng.choice(["Findings:", "Report:", "Findings:"]),
                "imp": rng.choice(["Conclusion:", "Opinion:", "Impression:", "Conclusion:"])}
    return {"hist": rng.choice(["CLINICAL HISTORY:", "HISTORY:", "INDICATION:", "CLINICAL INDICATION:"]),
            "comp": rng.choice(["COMPARISON:", "COMPARISON:", "Comparison:"]),
            "find": rng.choice(["FINDINGS:", "FINDINGS:", "Findings:"]),
            "imp": rng.choice(["IMPRESSION:", "IMPRESSION:", "Impression:", "CONCLUSION:"])}


def assemble(parts: list[str]) -> str:
    return "\n\n".join(p for p in parts if p is not None and p != "")


# --------------------------------------------------------------------------
# phrase bank: ICU portable films
# --------------------------------------------------------------------------
US_HIST = ["Intubated patient, evaluate ETT position.", "Respiratory failure on ventilator.",
           "Post CABG, POD 1.", "Septic shock, intubated.", "Daily ICU film.", "S/p central line placement.",
           "Hypoxia, on mechanical ventilation.", "S/p exploratory laparotomy, ventilated.",
           "Status post aortic valve replacement.", "Increasing oxygen requirement.", "ARDS, on ventilator.",
           "S/p chest tube placement for pneumothorax.", "Fever, intubated.", "Line placement."]
UK_HIST = ["Ventilated. ETT position?", "Routine daily ITU film.", "Post op CABG day 1.",
           "Sepsis, intubated and ventilated.", "Post right IJ CVC insertion.", "Increasing FiO2.",
           "Post laparotomy, desaturating.", "T2RF, ventilated.", "NG tube position please.",
           "Post AVR.", "Pyrexial, ventilated on ITU.", "?Pneumothorax. Chest drain in situ.",
           "Reduced air entry at the bases.", "Daily film. Weaning."]

DEVICES = ["ett", "ngt", "cvc", "picc", "sternotomy", "drain", "trach", "swan", "pacing"]


def render_device(rng, dev, uk):
    d = dev["type"]
    s = dev.get("side", "right")
    S = s.capitalize()
    if d == "ett":
        cm = dev["cm"]
        f = rng.choice([f"Endotracheal tube tip {cm} cm above the carina.",
                        f"ETT tip projects {cm} cm above the carina.",
                        f"The endotracheal tube terminates approximately {cm} cm above the carina."])
        i = rng.choice([f"ETT {cm} cm above the carina.", "Satisfactory ETT position.",
                        "Endotracheal tube in satisfactory position."])
        return f, i
    if d == "ngt":
        name = ("NG tube" if uk else rng.choice(["Enteric tube", "Orogastric tube", "NG tube"]))
        f = rng.choice([f"{name} tip below the left hemidiaphragm, in the stomach.",
                        f"{name} courses below the diaphragm with the tip in the gastric fundus.",
                        f"{name} tip is within the stomach."])
        i = rng.choice([f"{name} in the stomach.", f"{name} satisfactorily sited."])
        return f, i
    if d == "cvc":
        vein = dev["vein"]
        tip = rng.choice(["SVC", "the lower SVC", "the cavoatrial junction"])
        f = rng.choice([f"{S} {vein} central venous catheter with tip in {tip}.",
                        f"{S} {vein} CVC, tip projected over {tip}.",
                        f"{S}-sided {vein} line terminates in {tip}."])
        i = rng.choice([f"{S} {vein} line tip in {tip}.", f"{S} {vein} CVC satisfactory."])
        return f, i
    if d == "picc":
        f = rng.choice([f"{S} arm PICC with tip in the SVC.", f"{S} upper extremity PICC terminates at the cavoatrial junction."])  # noqa: E501
        i = f"{S} PICC in satisfactory position."
        return f, i
    if d == "sternotomy":
        f = rng.choice(["Median sternotomy wires and mediastinal clips.", "Intact sternotomy wires.",
                        "Sternotomy wires and mediastinal drain in situ."])
        i = rng.choice(["Post-sternotomy appearances.", "Expected post-operative appearances following sternotomy."])
        return f, i
    if d == "drain":
        f = rng.choice([f"{S} intercostal chest drain in situ, tip at the apex." if uk else
                        f"{S} chest tube in place with tip at the apex.",
                        f"{S} pigtail chest drain projects over the lower hemithorax."])
        i = f"{S} chest drain in situ." if uk else f"{S} chest tube in place."
        return f, i
    if d == "trach":
        f = rng.choice(["Tracheostomy tube in satisfactory position.", "Tracheostomy tube tip projects over the mid trachea."])  # noqa: E501
        i = "Tracheostomy tube in situ." if uk else "Tracheostomy tube in place."
        return f, i
    if d == "swan":
        f = rng.choice([f"{S} IJ Swan-Ganz catheter with tip in the right main pulmonary artery.",
                        f"{S} internal jugular pulmonary artery catheter, tip in the proximal right pulmonary artery."])
        i = f"{S} IJ pulmonary artery catheter tip in the right PA."
        return f, i
    f = "Epicardial pacing wires in situ." if uk else "Epicardial pacing wires are present."
    return f, "Epicardial pacing wires."


SIDES = ["right", "left"]


def make_findings_list(rng, want_sig=False):
    """Return list of lung findings dicts. Significance per the consultant's rules."""
    out = []
    r = rng.random()
    if want_sig:
        r = 0.9
    if r < 0.40:
        return out  # clear lungs
    if r < 0.72 or want_sig:
        pool = ["atel", "atel", "small_eff", "cardio", "atel_bibasal"]
        for k in rng.sample(pool, rng.choice([1, 1, 2])):
            out.append({"k": k, "side": "left" if k in ("atel",) and rng.random() < 0.7 else rng.choice(SIDES),
                        "sig": False})
    if r >= 0.72 or want_sig:
        k = rng.choice(["consol", "oedema", "mod_eff", "ptx", "consol", "oedema", "mod_eff"])
        out.append({"k": k, "side": rng.choice(SIDES), "sig": True,
                    "status": rng.choice(["new", "increased", "new"])})
    # de-duplicate kinds
    seen, res = set(), []
    for f in sorted(out, key=lambda f: not f["sig"]):
        key = f["k"].split("_")[-1] if f["k"] in ("small_eff", "mod_eff") else f["k"][:4]
        if key in seen:
            continue
        seen.add(key)
        res.append(f)
    return res


def render_lung(rng, f, uk):
    k, s = f["k"], f["side"]
    S = s.capitalize()
    oed = "oedema" if uk else "edema"
    st = f.get("status", "new")
    if k == "atel":
        if s == "left" and rng.random() < 0.6:
            fs = rng.choice(["Left retrocardiac opacity in keeping with atelectasis.",
                             "Left lower lobe atelectasis, unchanged.",
                             "Stable left basal atelectasis."])
            im = rng.choice(["Left basal atelectasis.", "Left lower lobe atelectasis, unchanged."])
        else:
            fs = f"{S} basal linear atelectasis."
            im = rng.choice([f"{S} basal atelectasis.", f"Minor {s} basal atelectasis."])
        return fs, im, "atelectasis"
    if k == "atel_bibasal":
        fs = rng.choice(["Low lung volumes with bibasal atelectasis.", "Bibasal subsegmental atelectasis."])
        return fs, "Bibasal atelectasis.", "atelectasis"
    if k == "small_eff":
        fs = rng.choice([f"Small {s} pleural effusion.", f"Small {s} effusion, unchanged.",
                         f"Blunting of the {s} costophrenic angle in keeping with a small effusion."])
        return fs, f"Small {s} pleural effusion.", "effusion"
    if k == "cardio":
        fs = rng.choice(["Stable mild cardiomegaly.", "Heart size is mildly enlarged but stable on this AP film.",
                         "Mildly enlarged cardiac silhouette, unchanged."])
        return fs, "Stable mild cardiomegaly.", "cardio"
    if k == "consol":
        lobe = rng.choice([f"{s} lower lobe", f"{s} lower zone" if uk else f"{s} base", f"{s} mid zone" if uk else f"{s} perihilar region"])  # noqa: E501
        adj = "new" if st == "new" else "increasing"
        fs = rng.choice([f"There is {adj} airspace consolidation in the {lobe}.",
                         f"{adj.capitalize()} consolidation in the {lobe}.",
                         f"{adj.capitalize()} airspace opacity in the {lobe}, likely consolidation."])
        im = rng.choice([f"{adj.capitalize()} {lobe} consolidation, likely infection in the appropriate clinical setting.",  # noqa: E501
                         f"{adj.capitalize()} {lobe} consolidation; ?aspiration."])
        return fs, im, "consol"
    if k == "oedema":
        adj = "New" if st == "new" else "Increasing"
        fs = rng.choice([f"{adj} bilateral perihilar airspace shadowing and upper lobe venous diversion, in keeping with pulmonary {oed}.",  # noqa: E501
                         f"{adj} interstitial {oed} with septal lines and bilateral hazy opacities.",
                         f"{adj} pulmonary vascular congestion with interstitial {oed}."])
        im = rng.choice([f"{adj} pulmonary {oed}.", f"{adj} fluid overload / pulmonary {oed}."])
        return fs, im, "oedema"
    if k == "mod_eff":
        adj = "new" if st == "new" else "increased"
        fs = rng.choice([f"Moderate {s} pleural effusion, {adj} since the prior film.",
                         f"{'New' if adj == 'new' else 'Enlarging'} moderate {s} pleural effusion with adjacent basal atelectasis."])  # noqa: E501
        im = f"{'New' if adj == 'new' else 'Increased'} moderate {s} pleural effusion."
        return fs, im, "effusion"
    # pneumothorax
    fs = rng.choice([f"New small {s} apical pneumothorax, measuring 1.5 cm.",
                     f"There is a {s} pneumothorax with a visible pleural edge laterally.",
                     f"Small {s} apical pneumothorax."])
    im = rng.choice([f"{S} pneumothorax.", f"New small {s} apical pneumothorax. Findings communicated to the ICU team."])  # noqa: E501
    return fs, im, "ptx"


def bank_case(rng, kind):
    uk = rng.random() < 0.5
    H = headers(rng, uk)
    oed = "oedema" if uk else "edema"
    # devices
    devs = []
    ventilated = rng.random() < 0.8
    if ventilated:
        if rng.random() < 0.85:
            devs.append({"type": "ett", "cm": rng.choice([3, 4, 4.5, 5, 5, 6])})
        else:
            devs.append({"type": "trach"})
        devs.append({"type": "ngt"})
    if rng.random() < 0.7:
        devs.append({"type": "cvc", "side": rng.choice(["right", "right", "left"]),
                     "vein": rng.choice(["IJ", "IJ", "internal jugular", "subclavian"])})
    elif rng.random() < 0.3:
        devs.append({"type": "picc", "side": rng.choice(SIDES)})
    postcard = rng.random() < 0.25
    if postcard:
        devs.append({"type": "sternotomy"})
        if rng.random() < 0.5:
            devs.append({"type": "pacing"})
        if rng.random() < 0.3:
            devs.append({"type": "swan", "side": "right"})
    if rng.random() < 0.12:
        devs.append({"type": "drain", "side": rng.choice(SIDES)})

    need_sig = kind in ("impression_omits_finding",) or (kind == "laterality_conflict")
    lungs = make_findings_list(rng, want_sig=need_sig)
    if kind == "laterality_conflict":
        # needs a lateralised finding; keep only one-sided items, no bibasal
        lungs = [f for f in lungs if f["k"] not in ("atel_bibasal", "cardio", "oedema")]
        if not lungs:
            lungs = [{"k": "consol", "side": rng.choice(SIDES), "sig": True, "status": "new"}]

    dev_f, dev_i = [], []
    for d in devs:
        f, i = render_device(rng, d, uk)
        dev_f.append(f)
        dev_i.append(i)
    lung_f, lung_i, lung_key = [], [], []
    for f in lungs:
        a, b, key = render_lung(rng, f, uk)
        lung_f.append(a)
        lung_i.append(b)
        lung_key.append(key)
    keys = set(lung_key)

    neg_f = []
    if "ptx" not in keys:
        neg_f.append(rng.choice(["No pneumothorax.", "No pneumothorax is seen.", "No evidence of pneumothorax."]))
    if "effusion" not in keys and rng.random() < 0.6:
        neg_f.append(rng.choice(["No pleural effusion.", "No significant pleural effusion.", "Costophrenic angles are clear."]))  # noqa: E501
    if not keys & {"consol", "oedema", "atelectasis", "ptx"}:
        lungs_clear = rng.choice(["The lungs are clear.", "Lungs are clear.", "Clear lungs.", "Lung fields are clear."])
        neg_f.insert(0, lungs_clear)
    heart = None
    if "cardio" not in keys:
        heart = rng.choice(["Heart size within normal limits for an AP projection.",
                            "Cardiomediastinal silhouette is unchanged.",
                            "Heart size cannot be accurately assessed on this AP film but appears unchanged.",
                            "Normal cardiomediastinal contours."])
    if "oedema" not in keys and rng.random() < 0.3:
        neg_f.append(f"No pulmonary {oed}.")

    findings = dev_f + lung_f + ([heart] if heart else []) + neg_f
    if rng.random() < 0.3:
        findings.insert(0, rng.choice(["Compared with yesterday's film.", "Rotated supine film.",
                                       "Patient slightly rotated to the right."]))

    sig_idx = [i for i, f in enumerate(lungs) if f["sig"]]
    impr = []
    # impression body
    if lungs:
        impr += lung_i
    else:
        impr.append(rng.choice(["No acute cardiopulmonary abnormality.", "No acute abnormality.",
                                "Lungs clear. No pneumothorax.", "Clear lungs. No change since yesterday."
                                if rng.random() < 0.5 else "No acute cardiopulmonary process."]))
    dev_line = None
    if dev_i:
        dev_line = rng.choice([" ".join(dev_i), "Lines and tubes in satisfactory position.",
                               "Support devices in satisfactory position.", "Tubes and lines satisfactory." if uk
                               else "Support lines and tubes as above, in satisfactory position."])
        impr.insert(0, dev_line)
    # minor findings may be omitted from impression (allowed)
    if lungs and not sig_idx and rng.random() < 0.3:
        impr = [x for x in impr if x not in lung_i] + ["No acute change."]

    detail = ""
    imp_present = True
    find_present = True
    hdr_find = H["find"]

    if kind == "impression_omits_finding":
        macro = rng.choice(["No acute cardiopulmonary abnormality.", "Lines and tubes satisfactorily positioned.",
                            "Support devices in satisfactory position. No acute cardiopulmonary process.",
                            "ETT and NG tube in satisfactory position.", "No acute abnormality.",
                            "Satisfactory position of lines and tubes." if uk else "Tubes and lines in standard position."])  # noqa: E501
        key = lung_key[sig_idx[0]]
        impr = [macro]
        detail = f"impression replaced by '{macro}' though findings report {key} ({lung_f[sig_idx[0]]})"
    elif kind == "negation_conflict":
        mode = rng.choice(["dropped_no", "macro_neg", "clear_vs", "heart", "ptx_neg"])
        if mode == "dropped_no" and "ptx" not in keys:
            s = rng.choice(SIDES)
            impr.append(f"{s.capitalize()} pneumothorax.")
            detail = f"'No {s} pneumothorax' dictated without 'No' in impression; findings negate pneumothorax"
        elif mode == "heart" and heart and "normal" in heart.lower():
            impr.append(rng.choice(["Cardiomegaly.", "Enlarged heart.", "Cardiomegaly with mild vascular congestion."
                                    if "oedema" not in keys else "Cardiomegaly."]))
            detail = "impression asserts cardiomegaly; findings say heart size normal"
        elif mode == "clear_vs" and not keys & {"consol", "oedema", "atelectasis", "ptx"}:
            s = rng.choice(SIDES)
            impr.append(f"New {s} lower lobe consolidation.")
            detail = f"impression asserts {s} lower lobe consolidation; findings say the lungs are clear"
        elif sig_idx:
            key = lung_key[sig_idx[0]]
            negs = {"consol": "No focal consolidation.", "oedema": f"No pulmonary {oed}.",
                    "effusion": "No pleural effusion.", "ptx": "No pneumothorax."}
            impr = [x for x in impr if x != lung_i[sig_idx[0]]] + [negs[key]]
            detail = f"impression negates {key} which findings affirm"
        else:
            # findings lose their 'No' before pleural effusion/pneumothorax; impression keeps it
            s = rng.choice(SIDES)
            findings = [x for x in findings if "pneumothorax" not in x.lower()]
            findings.append(f"{s.capitalize()} pneumothorax.")
            impr.append("No pneumothorax.")
            detail = f"findings read '{s.capitalize()} pneumothorax' (dropped 'No'); impression says no pneumothorax"
    elif kind == "laterality_conflict":
        # flip side of a lateralised lung finding in impression or device side
        cands = [i for i, f in enumerate(lungs) if f["k"] not in ("atel_bibasal", "cardio", "oedema")]
        side_devs = [d for d in devs if d["type"] in ("cvc", "picc", "drain")]
        other_lat = [f["side"] for f in lungs if f["k"] not in ("atel_bibasal", "cardio", "oedema")]
        if side_devs and rng.random() < 0.3 and len(dev_i) and dev_line == " ".join(dev_i):
            d = side_devs[0]
            i = devs.index(d)
            old = dev_i[i]
            new = flip(old)
            impr[0] = impr[0].replace(old, new)
            detail = f"device side flipped in impression: '{old}' -> '{new}'"
        else:
            i = cands[0]
            f = lungs[i]
            old = lung_i[i]
            if other_lat.count(f["side"]) > 1 or (old not in impr):
                # ensure single item on that side
                pass
            new = flip(old)
            if old in impr:
                impr[impr.index(old)] = new
            else:
                impr.append(new)
            detail = f"impression side flipped: findings '{lung_f[i]}' vs impression '{new}'"
            # drop any other lung finding on the flipped-to side of the same key to avoid ambiguity
    elif kind == "missing_section":
        mode = rng.choice(["imp_blank", "imp_absent", "imp_blank", "find_blank"])
        if mode == "find_blank":
            find_present = False
            impr = [rng.choice(["No significant interval change.", "Stable appearances compared with yesterday.",
                                "Unchanged.", "No change since the previous film."])]
            detail = "findings section left empty; impression only says unchanged"
        else:
            imp_present = mode == "imp_blank"
            impr = []
            detail = "impression/conclusion left empty" if imp_present else "impression/conclusion section absent"
    elif kind == "placeholder":
        mode = rng.choice(["ett", "side", "comp", "sign", "tip", "imp", "size"])
        detail = None
        if mode == "ett" and devs and devs[0]["type"] == "ett":
            tok = rng.choice(["[***]", "***", "[ ]", "[X]"])
            findings = [re.sub(r"\d+(\.\d+)? cm above", f"{tok} cm above", x, count=1) if x.startswith(("Endo", "ETT", "The endo")) else x  # noqa: E501
                        for x in findings]
            impr = [re.sub(r"\d+(\.\d+)? cm above", f"{tok} cm above", x) for x in impr]
            detail = f"ETT distance left as '{tok}'"
        elif mode == "side" and any(d["type"] in ("cvc", "picc", "drain") for d in devs):
            tok = rng.choice(["[right/left]", "[LEFT/RIGHT]", "{side}", "[side]"])
            for j, x in enumerate(findings):
                m = re.match(r"^(Right|Left)(?=[ -])", x)
                if m and ("line" in x or "CVC" in x or "catheter" in x or "PICC" in x or "drain" in x or "tube" in x):
                    findings[j] = tok + x[len(m.group(0)):]
                    detail = f"device side field left as '{tok}' in findings"
                    break
        elif mode == "comp":
            detail = "comparison field left as template"
        elif mode == "size" and lungs:
            tok = rng.choice(["[small/moderate/large]", "[***]", "<size>", "[ ]"])
            x = lung_f[0]
            new = re.sub(r"\b(Small|small|Moderate|moderate|mild|Mild|linear|subsegmental|new|New)\b", tok, x, count=1)
            if new != x:
                findings[findings.index(x)] = new
                detail = f"descriptor left as '{tok}' in '{new}'"
        elif mode == "imp":
            tok = rng.choice(["[***]", "[Impression]", "***", "<<impression>>"])
            impr.append(tok)
            detail = f"impression left with unfilled field '{tok}' after text"
        elif mode == "tip" and any(d["type"] == "ngt" for d in devs):
            tok = rng.choice(["[***]", "[location]", "***", "[ ]"])
            for j, x in enumerate(findings):
                if "tube" in x.lower() and ("stomach" in x or "gastric" in x or "diaphragm" in x):
                    findings[j] = re.sub(r"(in the stomach|in the gastric fundus|within the stomach|below the left hemidiaphragm, in the stomach)",  # noqa: E501
                                         tok, x)
                    if findings[j] != x:
                        detail = f"NG tip location left as '{tok}'"
                    break
        if detail is None and rng.random() < 0.4:
            mode = "imp"
            tok = rng.choice(["[***]", "[Impression]", "***", "<<impression>>"])
            impr.append(tok)
            detail = f"impression left with unfilled field '{tok}' after text"
        if detail is None:
            mode = "sign" if rng.random() < 0.5 else "comp"
            detail = "sign-off template field unfilled" if mode == "sign" else "comparison field left as template"
        bank_case.mode = mode
    else:
        bank_case.mode = None

    # header parts
    exam = rng.choice(UK_EXAM if uk else US_EXAM)
    hist = f"{H['hist']} {rng.choice(UK_HIST if uk else US_HIST)}"
    if rng.random() < 0.08:
        comp_txt = "None."
    else:
        comp_txt = rng.choice([f"{_date(rng, uk)}." if not uk else f"Previous film {_date(rng, uk)}.",
                               "Yesterday's film." if uk else "Portable chest radiograph from yesterday.",
                               f"Chest radiograph {_date(rng, uk)} {_time(rng)}."])
    if kind == "placeholder" and bank_case.mode == "comp":
        comp_txt = rng.choice(["[DATE]", "<comparison>", "[***]", "{prior study date}"])
    comp = f"{H['comp']} {comp_txt}"
    tech = rng.choice(UK_TECH if uk else US_TECH)
    sign = sign_off(rng, uk)
    if kind == "placeholder" and bank_case.mode == "sign":
        sign = rng.choice(["Reported by: [Radiologist name]", "Electronically signed by: [***]",
                           "Dr <<name>>, Consultant Radiologist", "Dictated by: {RADIOLOGIST}, MD"])

    ftxt = " ".join(findings) if rng.random() < 0.7 else "\n".join(findings)
    itxt = (" ".join(impr) if len(impr) < 2 or rng.random() < 0.5
            else "\n".join(f"{i + 1}. {x}" for i, x in enumerate(impr)))
    # impression-only clean variant
    if kind is None and rng.random() < 0.08:
        body = " ".join(findings)
        return assemble([exam, hist, comp, f"{H['imp']}\n{body}", sign]), ""
    fsec = f"{hdr_find}\n{ftxt}" if find_present else f"{hdr_find}"
    isec = f"{H['imp']}\n{itxt}" if imp_present else None
    if imp_present and not impr:
        isec = f"{H['imp']}"
    return assemble([exam, hist, comp, tech, fsec, isec, sign]), detail


def flip(text: str) -> str:
    def rep(m):
        w = m.group(0)
        o = {"right": "left", "left": "right"}[w.lower()]
        return o.capitalize() if w[0].isupper() else o
    return re.sub(r"\b(right|left|Right|Left)\b", rep, text, count=1)


# --------------------------------------------------------------------------
# IU reports, re-laid-out
# --------------------------------------------------------------------------
NEG = re.compile(r"\b(no|not|without|negative|clear|resolved|resolution|free of|absence|removed|normal)\b", re.I)
HEDGE = re.compile(r"\b(possible|possibly|may|might|cannot|could|questionable|versus|vs|concern|suspicious|"
                   r"suggest|likely|probable|probably|differential|or)\b|\?", re.I)
SIG = {
    "ptx": re.compile(r"pneumothora", re.I),
    "consol": re.compile(r"consolidat|pneumonia|infiltrat|airspace (disease|opacit)", re.I),
    "oedema": re.compile(r"\bedema|congestion|oedema", re.I),
    "effusion": re.compile(r"effusion", re.I),
    "mass": re.compile(r"\bmass\b", re.I),
}
TURN = re.compile(r"\b(except|however|but|although|otherwise|apart from)\b", re.I)
STRONG_OK = re.compile(r"\b(improv|resolv|decreas|stable|chronic|unchanged|old|healed|minimal|mild|"
                       r"small|trace|tiny|slight|subtle|residual|linear|scar|clear|remov|persist|again|similar|atelecta|"
                       r"limited|evaluat|streak|strand|bronchiect|XXXX|history|prior|previous)", re.I)
SMALL = re.compile(r"\b(small|trace|tiny|minimal|minor|blunting|trivial)\b", re.I)


def sentences(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", t.strip()) if s]


def affirmed(text: str) -> set[str]:
    out = set()
    for s in sentences(text):
        if re.match(r"^(no|without|negative|there (is|are) no|not)\b", s, re.I) and not TURN.search(s):
            continue
        if TURN.search(s) and any(rx.search(s) for rx in SIG.values()):
            out.add("turn?")
        for c in re.split(r"[,;:]|\band\b|\bbut\b|\bwith\b", s):
            for k, rx in SIG.items():
                m = rx.search(c)
                if not m:
                    continue
                if NEG.search(c[:m.start()]):
                    continue  # negated
                if NEG.search(c) or HEDGE.search(s):
                    out.add(k + "?")
                    continue
                if k == "effusion" and SMALL.search(c):
                    out.add("small_eff")
                    continue
                out.add(k)
    return out


def any_mention(text: str) -> set[str]:
    return {k for k, rx in SIG.items() if rx.search(text)}


UK_SPELL = [(r"\bedema\b", "oedema"), (r"\bEdema\b", "Oedema"), (r"hemorrhag", "haemorrhag"),
            (r"\bhemithorax\b", "haemithorax"), (r"\bcentimeters?\b", "cm"), (r"\banemia\b", "anaemia")]
REWORD = [(r"\.\s*\.", "."), (r"\bThere is no\b", "No"), (r"\bThere are no\b", "No"),
          (r"\bx-XXXX\b", "radiograph"), (r"\bChest x-ray\b", "Chest radiograph")]


def reword(text: str, uk: bool, rng) -> str:
    t = " ".join(text.split())
    for a, b in REWORD:
        if rng.random() < 0.7 or a.startswith(r"\.\s"):
            t = re.sub(a, b, t)
    if uk:
        for a, b in UK_SPELL:
            t = re.sub(a, b, t)
    t = re.sub(r"\bNo (is|are) ", "No ", t)
    return t.strip()


def iu_layout(rng, r, findings, impression, uk, find_present=True, imp_present=True, comp_override=None,
              sign_override=None):
    H = headers(rng, uk)
    exam = rng.choice(UK_EXAM if uk else US_EXAM)
    if re.search(r"\blateral\b|\bPA\b", findings + " " + impression):
        exam = "Examination: CXR PA and lateral" if uk else "EXAM: XR CHEST 2 VIEWS"
    ind = r.get("INDICATION") or ""
    hist = f"{H['hist']} {ind}" if ind else None
    comp = r.get("COMPARISON") or "None."
    if comp_override:
        comp = comp_override
    parts = [exam, hist, f"{H['comp']} {comp}"]
    parts.append(f"{H['find']}\n{findings}" if find_present else H["find"])
    if imp_present is True:
        parts.append(f"{H['imp']}\n{impression}" if impression else H["imp"])
    elif imp_present == "blank":
        parts.append(H["imp"])
    parts.append(sign_override or sign_off(rng, uk))
    return assemble(parts)


NORMAL_MACROS_US = ["No acute cardiopulmonary abnormality.", "No acute cardiopulmonary process.",
                    "No acute cardiopulmonary disease.", "Normal chest."]
NORMAL_MACROS_UK = ["No acute cardiopulmonary abnormality.", "Normal chest radiograph.",
                    "No acute abnormality seen.", "No significant abnormality."]


def omit_ok(f: str) -> bool:
    """A plainly affirmed significant finding: a sentence with no negation, hedge or softener."""
    for s in sentences(f):
        if NEG.search(s) or HEDGE.search(s) or STRONG_OK.search(s) or TURN.search(s):
            continue
        for k in ("ptx", "consol", "oedema", "effusion"):
            if SIG[k].search(s):
                if k == "effusion" and not re.search(r"\b(moderate|large)\b", s, re.I):
                    continue
                if k == "oedema" and re.search(r"congestion", s, re.I) and not re.search(r"edema", s, re.I):
                    continue
                return True
    return False


SKIP = {"CXR1262", "CXR3241", "CXR1445"}


def iu_pools(rows, dev):
    clean, omit, lat, neg_a, neg_b, plh = [], [], [], [], [], []
    for r in rows:
        if r["uid"] in dev or r["uid"] in SKIP:
            continue
        f, i = r.get("FINDINGS", ""), r.get("IMPRESSION", "")
        blob = f + " " + i + " " + r.get("INDICATION", "") + " " + r.get("COMPARISON", "")
        if "[" in blob or "___" in blob or len(f) < 40 or len(i) < 8 or len(f) > 700:
            continue
        af, ai = affirmed(f), affirmed(i)
        mi = any_mention(i)
        strong_f = {k for k in af if not k.endswith("?") and k != "small_eff"}
        unsure = {k for k in af | ai if k.endswith("?")}
        nodule = re.search(r"\bnodul|\bmass\b|granulom|widen", f + i, re.I)
        # clean: every affirmed significant finding in findings is named in impression, none hedged
        if not unsure and all(k in mi for k in strong_f) and not (
                re.search(r"\bno\b|normal|clear", i, re.I) and strong_f):
            if not nodule:
                clean.append(r)
        # omission: strong finding, impression does not mention any significant term
        if len(f) < 600 and omit_ok(f) and not re.search(r"\\bnodul|\\bmass\\b", f, re.I):
            omit.append(r)
        # laterality: impression with one side word, findings same side and never the other
        sides_i = set(w.lower() for w in re.findall(r"\b(right|left)\b", i, re.I))
        sides_f = set(w.lower() for w in re.findall(r"\b(right|left)\b", f, re.I))
        if len(sides_i) == 1 and sides_i == sides_f and not unsure:
            kw = re.compile(r"(lobe|bas(e|al|ilar)|effusion|opacit|atelecta|airspace|consolidat|pneumon|"
                            r"infiltrat|hemidiaphragm|apex|apical|pleural|perihilar|lung)", re.I)
            si = [s for s in sentences(i) if re.search(r"\b(right|left)\b", s, re.I)]
            sf = [s for s in sentences(f) if re.search(r"\b(right|left)\b", s, re.I)]
            if len(si) == 1 and si[0] and kw.search(si[0]) and sf and any(
                    set(m.group(0).lower()[:5] for m in kw.finditer(si[0]))
                    & set(m.group(0).lower()[:5] for m in kw.finditer(s)) for s in sf) \
                    and not re.search(r"shoulder|clavic|humer|rib|breast|arm|chest wall|PICC|catheter|port", f + i, re.I):  # noqa: E501
                lat.append(r)
        # negation A: normal report with explicit negations in findings
        if not af and not ai and re.search(r"\bno (pleural effusion|pneumothorax|focal consolidation)", f, re.I) \
                and not mi - {"effusion", "ptx", "consol"} and len(i) < 80 and not nodule:
            neg_a.append(r)
        # negation B: findings affirm cardiomegaly plainly, impression silent on heart
        if re.search(r"(cardiomegaly|heart (size )?is (mildly |moderately )?enlarged|enlarged cardiac)", f, re.I) \
                and not re.search(r"heart|cardi", i, re.I) and not unsure and not nodule:
            neg_b.append(r)
        if not af and not ai and not nodule and not unsure:
            plh.append(r)
    return clean, omit, lat, neg_a, neg_b, plh


PH_TOKENS = ["[***]", "***", "[ ]", "<<>>", "[insert]", "{ }"]


def iu_case(rng, r, kind):
    uk = rng.random() < 0.5
    f = reword(r["FINDINGS"], uk, rng)
    i = reword(r["IMPRESSION"], uk, rng)
    uid = r["uid"]
    if kind is None:
        return iu_layout(rng, r, f, i, uk), ""
    if kind == "impression_omits_finding":
        macro = rng.choice(NORMAL_MACROS_UK if uk else NORMAL_MACROS_US)
        return iu_layout(rng, r, f, macro, uk), f"{uid}: impression replaced by '{macro}'; findings affirm {sorted(k for k in affirmed(f) if not k.endswith('?'))}"  # noqa: E501
    if kind == "missing_section":
        if rng.random() < 0.5:
            return iu_layout(rng, r, f, "", uk, imp_present="blank"), f"{uid}: impression left empty"
        return iu_layout(rng, r, f, "", uk, imp_present=False), f"{uid}: impression section absent"
    if kind == "laterality_conflict":
        si = [s for s in sentences(i) if re.search(r"\b(right|left)\b", s, re.I)][0]
        new = flip(si)
        i2 = i.replace(si, new, 1)
        return iu_layout(rng, r, f, i2, uk), f"{uid}: impression side flipped: '{si}' -> '{new}'"
    if kind == "negation_conflict":
        if r.get("_mode") == "b":
            add = rng.choice(["Normal heart size.", "Heart size is normal.", "Normal cardiac silhouette."])
            return iu_layout(rng, r, f, f"{i} {add}", uk), f"{uid}: impression adds '{add}'; findings describe cardiomegaly"  # noqa: E501
        m = re.search(r"\bno (pleural effusion|pneumothorax|focal consolidation)", f, re.I)
        what = m.group(1).lower()
        s = rng.choice(SIDES)
        add = {"pleural effusion": f"Small {s} pleural effusion.", "pneumothorax": f"Small {s} apical pneumothorax.",
               "focal consolidation": f"Focal consolidation in the {s} lower lobe."}[what]
        new_i = rng.choice([add, f"{add} Otherwise {i[0].lower()}{i[1:]}"])
        return iu_layout(rng, r, f, new_i, uk), f"{uid}: impression asserts '{add}'; findings say 'no {what}'"
    # placeholder
    mode = rng.choice(["word_f", "word_i", "comp", "sign", "word_f", "word_f", "word_i"])
    tok = rng.choice(PH_TOKENS)
    if mode in ("word_f", "word_i"):
        txt = f if mode == "word_f" else i
        words = list(re.finditer(r"\b(normal|clear|stable|unremarkable|mild|within|heart|lungs|cardiomediastinal|"
                                 r"silhouette|size|contour|limits|pulmonary|acute|osseous|structures|vascularity)\b",
                                 txt, re.I))
        if words:
            m = rng.choice(words)
            new = txt[:m.start()] + tok + txt[m.end():]
            if mode == "word_f":
                return iu_layout(rng, r, new, i, uk), f"{uid}: '{m.group(0)}' in findings replaced by '{tok}'"
            return iu_layout(rng, r, f, new, uk), f"{uid}: '{m.group(0)}' in impression replaced by '{tok}'"
        mode = "comp"
    if mode == "comp":
        tok = rng.choice(["[DATE]", "[***]", "<comparison>", "[ ]"])
        return iu_layout(rng, r, f, i, uk, comp_override=tok), f"{uid}: comparison left as '{tok}'"
    tok = rng.choice(["Electronically signed by: [***]", "Reported by: [Radiologist name]", "Dr <<name>>, Consultant Radiologist"])  # noqa: E501
    return iu_layout(rng, r, f, i, uk, sign_override=tok), f"{uid}: sign-off field unfilled ('{tok}')"


def build(seed: int) -> list[dict]:
    """The 400 cases for a seed (deterministic)."""
    return build_with_sources(seed)[0]


def build_with_sources(seed: int) -> tuple[list[dict], list[str | None]]:
    """The cases plus, per case, the IU uid it was made from (None for phrase-bank cases)."""
    rng = random.Random(f"h115-{seed}")
    shared = shared_dir()
    dev = dev_uids(shared)
    rows = load_iu(shared)
    clean, omit, lat, neg_a, neg_b, plh = iu_pools(rows, dev)
    used: set[str] = set()

    def take(pool, n):
        pool = [r for r in pool if r["uid"] not in used]
        pick = rng.sample(pool, n)
        for r in pick:
            used.add(r["uid"])
        return pick

    cases = []
    # IU half
    for r in take(clean, N_CLEAN // 2):
        rep, det = iu_case(rng, r, None)
        cases.append((None, det, rep, r["uid"]))
    for kind in KINDS:
        n = N_KIND // 2
        if kind == "impression_omits_finding":
            picks = take(omit, n)
        elif kind == "laterality_conflict":
            picks = take(lat, n)
        elif kind == "negation_conflict":
            nb = min(len([r for r in neg_b if r["uid"] not in used]), n // 2)
            pb = take(neg_b, nb)
            for r in pb:
                r = dict(r)
                r["_mode"] = "b"
            picks = [dict(r, _mode="b") for r in pb] + take(neg_a, n - nb)
        elif kind == "placeholder":
            picks = take(plh, n)
        else:
            picks = take(clean, n)
        for r in picks:
            rep, det = iu_case(rng, r, kind)
            cases.append((kind, det, rep, r["uid"]))
    # bank half
    for _ in range(N_CLEAN // 2):
        rep, det = bank_case(rng, None)
        cases.append((None, "", rep, None))
    for kind in KINDS:
        for _ in range(N_KIND // 2):
            rep, det = bank_case(rng, kind)
            cases.append((kind, det, rep, None))
    rng.shuffle(cases)
    out, uids = [], []
    for n, (kind, det, rep, uid) in enumerate(cases):
        out.append({"id": f"h115-{seed}-{n}", "injected": kind, "detail": det or "", "report": rep})
        uids.append(uid)
    return out, uids


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0)
    a = ap.parse_args(argv)
    rows = build(a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if a.show:
        for kind in [None] + KINDS:
            for r in [x for x in rows if x["injected"] == kind][: a.show]:
                print(f"=== {r['id']} {kind} :: {r['detail']}\n{r['report']}\n")
    print(f"wrote {len(rows)} rows to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
