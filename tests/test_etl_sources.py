"""etl.sources: spec parsing, stable ids, one item per image, text-only Open-i, DICOM + CSV.
(The data builders are in tests/fixtures/etl_data.py.)
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.sources import (
    BadItem,
    DicomSource,
    HubSource,
    OpenISource,
    ParquetSource,
    SourceItem,
    mesh_labels,
    parse_source,
    read_openi_reports,
    shard_of,
)
from medrag_core.errors import SourceError
from tests.fixtures.etl_data import (
    make_dicom_folder,
    make_openi_folder,
    make_rows,
    write_parquet,
)
from tests.fixtures.images import FAKE_PHI, make_dicom, phantom

# --- spec parsing -------------------------------------------------------------------------------


def test_parse_detects_kinds_from_content(tmp_path: Path) -> None:
    parquet = write_parquet(tmp_path / "a.parquet", make_rows(1))
    assert isinstance(parse_source(str(parquet)), ParquetSource)
    assert isinstance(parse_source(f"parquet:{parquet},source=demo"), ParquetSource)
    assert isinstance(parse_source(str(make_openi_folder(tmp_path / "o"))), OpenISource)
    assert isinstance(parse_source(str(make_dicom_folder(tmp_path / "d"))), DicomSource)
    hub = parse_source("hf:itsanmolgupta/mimic-cxr-dataset,split=train", hf_token="hf_secret")
    assert isinstance(hub, HubSource) and hub.split == "train"
    assert "hf_secret" not in repr(hub)
    assert isinstance(parse_source("owner/name"), HubSource)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("", "Empty source"),
        ("/no/such/file.parquet", "not found"),
        ("parquet:/no/such.parquet", "not found"),
        ("hf:not a repo id", "not a Hugging Face dataset id"),
        ("hf:a/b,bogus=1", "Unknown option 'bogus=1'"),
        ("dicom:/no/such/folder", "must be a folder"),
    ],
)
def test_parse_errors_say_what_is_wrong(spec: str, words: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_source(spec)
    assert words in info.value.user_message


def test_dicom_folder_needs_a_reports_csv(tmp_path: Path) -> None:
    (tmp_path / "x.dcm").write_bytes(make_dicom(phantom(80, 80)))
    with pytest.raises(SourceError, match="0 CSV files"):
        parse_source(f"dicom:{tmp_path}")


def test_hub_unreachable_says_so_and_suggests_a_local_parquet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    source = parse_source("hf:nobody-here/no-such-dataset-xyz")
    with pytest.raises(SourceError) as info:
        next(iter(source.items()))
    message = info.value.user_message
    assert "nobody-here/no-such-dataset-xyz" in message and "unreachable" in message and "parquet" in message


# --- parquet ----------------------------------------------------------------------------------


def test_parquet_one_item_per_image_linked_by_study(tmp_path: Path) -> None:
    rows = make_rows(3, 2)
    items = list(parse_source(str(write_parquet(tmp_path / "a.parquet", rows))).items())
    assert len(items) == 6 and all(isinstance(i, SourceItem) for i in items)
    assert len({i.case_id for i in items}) == 6
    assert [i.study_id for i in items] == ["study000"] * 2 + ["study001"] * 2 + ["study002"] * 2
    assert all(i.case_id.startswith(f"{i.study_id}/") for i in items)
    assert items[0].findings == items[1].findings and items[0].view == "PA" and items[1].view == "LATERAL"
    assert items[0].image == rows[0]["image"]["bytes"]
    assert {i.source for i in items} == {"a"}


def test_parquet_ids_are_stable_and_independent_of_row_order(tmp_path: Path) -> None:
    rows = make_rows(3, 2)
    a = [i.case_id for i in parse_source(str(write_parquet(tmp_path / "a.parquet", rows))).items()]
    b = [i.case_id for i in parse_source(str(write_parquet(tmp_path / "b.parquet", rows[::-1]))).items()]
    assert a == b[::-1]


def test_parquet_without_case_id_gets_content_hash_ids(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "case_id"} for r in make_rows(2, 1)]
    rows.append({"image": None, "findings": "Lungs clear.", "impression": "", "view": None})
    items = list(ParquetSource.parse(str(write_parquet(tmp_path / "h.parquet", rows)), {}).items())
    assert [len(i.case_id) for i in items] == [16, 16, 16]
    assert items[0].study_id is None and items[2].image is None
    again = list(ParquetSource.parse(str(tmp_path / "h.parquet"), {}).items())
    assert [i.case_id for i in again] == [i.case_id for i in items]


def test_parquet_folder_and_source_column(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    rows = make_rows(2, 1)
    rows[1]["source_dataset"] = "other_set"
    rows[0]["source_dataset"] = None
    write_parquet(folder / "part-0.parquet", rows[:1])
    write_parquet(folder / "part-1.parquet", rows[1:])
    items = list(parse_source(str(folder)).items())
    assert [i.source for i in items] == ["parts", "other_set"]
    assert {i.source for i in parse_source(f"parquet:{folder},source=mine").items()} == {"mine"}


def test_parquet_extra_columns_become_metadata(tmp_path: Path) -> None:
    rows = make_rows(2, 1) + [{"image": None, "findings": "Lungs clear.", "impression": "", "case_id": "t1"}]
    extras = [
        {"license": "CC BY-NC-SA 4.0", "label": "COVID-19", "source_url": "https://example.org/a", "age_bin": 3,
         "score": 0.5, "flag": True, "note": "x" * 2500, "tags": ["a", "b"], "source_dataset": "set_a"},
        {"license": "CC BY 4.0", "label": "", "source_url": None, "age_bin": None, "score": float("nan"),
         "flag": False, "note": "   ", "tags": [], "source_dataset": "set_b"},
        {"license": "CC0", "label": "Lungs/clear", "source_url": None, "age_bin": 7, "score": None, "flag": None,
         "note": "café ✓ \x00end", "tags": None, "source_dataset": None},
    ]  # fmt: skip
    path = write_parquet(tmp_path / "m.parquet", [r | e for r, e in zip(rows, extras, strict=True)])
    items = list(parse_source(str(path)).items())
    assert [i.source for i in items] == ["set_a", "set_b", "m"]
    assert items[0].metadata == {"license": "CC BY-NC-SA 4.0", "label": "COVID-19", "source_url": "https://example.org/a",
                                 "age_bin": "3", "score": "0.5", "flag": "True", "note": "x" * 2000}  # fmt: skip
    assert items[1].metadata == {"license": "CC BY 4.0", "flag": "False"}  # None, NaN, blank and lists skipped
    assert items[2].metadata == {"license": "CC0", "label": "Lungs/clear", "age_bin": "7", "note": "café ✓ end"}
    assert not any({"image", "findings", "impression", "case_id", "view"} & i.metadata.keys() for i in items)
    # A source name that overrides the rows' source_dataset keeps it as provenance instead.
    named = list(parse_source(f"parquet:{path},source=mine").items())
    assert [i.metadata.get("source_dataset") for i in named] == ["set_a", "set_b", None]
    assert list(parse_source(str(write_parquet(tmp_path / "plain.parquet", make_rows(1, 1)))).items())[0].metadata == {}


def test_parquet_schema_error(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1]}), tmp_path / "bad.parquet")
    with pytest.raises(SourceError, match="image, findings, impression"):
        list(parse_source(str(tmp_path / "bad.parquet")).items())


def test_shard_of_is_stable_and_spreads() -> None:
    ids = [f"study{i}/abc" for i in range(400)]
    shards = [shard_of(i, 4) for i in ids]
    assert shards == [shard_of(i, 4) for i in ids]
    assert all(60 < shards.count(k) < 140 for k in range(4))
    assert shard_of("x", 1) == 0


# --- Open-i -----------------------------------------------------------------------------------


def test_openi_folder_with_images(tmp_path: Path) -> None:
    root = make_openi_folder(tmp_path)
    records = list(parse_source(str(root)).items())
    items = [r for r in records if isinstance(r, SourceItem)]
    bad = [r for r in records if isinstance(r, BadItem)]
    assert [i.case_id for i in items] == [
        "CXR1/CXR1_1_IM-0001-3001", "CXR1/CXR1_1_IM-0001-4001", "CXR2/CXR2_IM-0652-1001", "CXR3", "CXR4",
    ]  # fmt: skip
    assert [b.ref for b in bad] == ["5.xml"] and bad[0].reason == "malformed XML"
    first = items[0]
    assert (first.study_id, first.findings, first.impression) == ("CXR1", "Heart size is normal.", "Normal chest.")
    # COMPARISON is kept verbatim: "None." says there is no prior study (a report check reads it)
    assert (first.indication, first.comparison, first.source) == ("Cough.", "None.", "openi")
    assert first.image is not None and items[3].image is None and items[3].has_text
    assert not items[4].has_text
    # MeSH major terms (never the automatic ones) are kept verbatim; a report without MeSH has none.
    assert [i.metadata for i in items] == [{}, {}, {"mesh": "Pleural Effusion/left/small; Cardiomegaly/mild"},
                                           {"mesh": "normal"}, {}]  # fmt: skip
    # ... and, normalised, as the source's labels.
    assert [i.labels for i in items] == [(), (), ("MeSH: Cardiomegaly", "MeSH: Pleural Effusion"), ("MeSH: Normal",),
                                         ()]  # fmt: skip


@pytest.mark.parametrize(
    ("headings", "labels"),
    [
        (("Cardiomegaly/mild", "cardiomegaly", "Pleural Effusion/right"),
         ("MeSH: Cardiomegaly", "MeSH: Pleural Effusion")),
        (("normal",), ("MeSH: Normal",)),
        (("No Indexing",), ()),
        (("Technical Quality of Image Unsatisfactory ",), ("MeSH: Technical Quality of Image Unsatisfactory",)),
        (("Catheters,  Indwelling/right",), ("MeSH: Catheters, Indwelling",)),
        (("Lung/hypoinflation", "Lung/hyperdistention", "  ", "/left"), ("MeSH: Lung",)),
    ],
)
def test_mesh_labels_normalise_headings(headings: tuple[str, ...], labels: tuple[str, ...]) -> None:
    assert mesh_labels(headings) == labels


def test_read_openi_reports_is_the_sources_parser(tmp_path: Path) -> None:
    root = make_openi_folder(tmp_path / "src", with_images=False)
    tgz = tmp_path / "reports.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(root / "ecgen-radiology", arcname="ecgen-radiology")
    for path in (root / "ecgen-radiology", tgz):
        reports = read_openi_reports(path)
        assert [r.uid for r in reports] == ["CXR1", "CXR2", "CXR3", "CXR4"]  # the malformed 5.xml skipped
        assert reports[1].sections == {"findings": "Small left pleural effusion.", "impression": "Effusion.",
                                       "indication": "Cough.", "comparison": "None."}  # fmt: skip
        assert reports[1].labels == ("MeSH: Cardiomegaly", "MeSH: Pleural Effusion")
        assert reports[0].image_ids == ("CXR1_1_IM-0001-3001", "CXR1_1_IM-0001-4001")
    with pytest.raises(SourceError, match="not found"):
        read_openi_reports(tmp_path / "missing")


def test_openi_tgz_is_text_only_and_streamed(tmp_path: Path) -> None:
    root = make_openi_folder(tmp_path / "src", with_images=False)
    tgz = tmp_path / "reports.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(root / "ecgen-radiology", arcname="ecgen-radiology")
    records = list(parse_source(str(tgz)).items())
    items = [r for r in records if isinstance(r, SourceItem)]
    assert sorted(i.case_id for i in items) == ["CXR1", "CXR2", "CXR3", "CXR4"]
    assert all(i.image is None for i in items)


def test_openi_images_option(tmp_path: Path) -> None:
    root = make_openi_folder(tmp_path / "o")
    source = parse_source(f"openi:{root / 'ecgen-radiology'},images={root / 'png'},source=iu")
    items = [r for r in source.items() if isinstance(r, SourceItem)]
    assert sum(i.image is not None for i in items) == 3 and {i.source for i in items} == {"iu"}


# --- DICOM ------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["file", "study"])
def test_dicom_folder_and_csv(tmp_path: Path, by: str) -> None:
    source = parse_source(str(make_dicom_folder(tmp_path / "dicoms", by=by)))
    records = list(source.items())
    items = [r for r in records if isinstance(r, SourceItem)]
    assert [i.case_id for i in items] == ["st1/img0", "st1/img1", "st2/img0"]
    assert [i.study_id for i in items] == ["st1", "st1", "st2"]
    assert all(i.image is not None and i.image[128:132] == b"DICM" for i in items)
    assert {i.source for i in items} == {"dicoms"}
    text = repr(items)
    assert not any(str(v) in text for v in FAKE_PHI.values())
    assert all(i.metadata == {} for i in items)  # nothing from DICOM headers
    if by == "file":
        assert [i.view for i in items] == ["PA", "LATERAL", "AP"]
        assert records[-1] == BadItem("reports.csv line 5", "no DICOM file found")


def test_dicom_paths_cannot_escape_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    (tmp_path / "outside.dcm").write_bytes(make_dicom(phantom(80, 80)))
    (root / "r.csv").write_text("file,findings\n../outside.dcm,Lungs clear.\n")
    assert list(parse_source(f"dicom:{root}").items()) == [BadItem("r.csv line 2", "path outside the DICOM folder")]


def test_sources_never_hold_the_whole_set(tmp_path: Path) -> None:
    """Items come one at a time: the generator is lazy (first item before reading the rest)."""
    path = write_parquet(tmp_path / "a.parquet", make_rows(40, 1))
    iterator = parse_source(str(path)).items()
    assert isinstance(next(iterator), SourceItem)
    assert sum(1 for _ in iterator) == 39
