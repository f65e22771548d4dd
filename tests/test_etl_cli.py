"""``python -m etl``: each subcommand on the real database; MedragError -> stderr + exit 2."""

from __future__ import annotations

import pytest

from etl.__main__ import build_parser, main
from tests.fixtures.etl_data import assert_complete, make_rows, scalar, write_parquet


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path, pg_conninfo, tiny_siglip_dir, store) -> None:
    for name in ("MEDRAG_DATA_DIR", "MEDRAG_STORE_BACKEND", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    monkeypatch.setenv("MEDRAG_DATABASE_URL", pg_conninfo)
    monkeypatch.setenv("MEDRAG_EMBED_MODEL", str(tiny_siglip_dir))
    monkeypatch.setenv("MEDRAG_DEVICE", "cpu")
    monkeypatch.setenv("MEDRAG_DTYPE", "float32")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def test_ingest_stats_reindex_delete(cli_env, tmp_path, pg_conninfo, capsys) -> None:
    path = write_parquet(tmp_path / "demo.parquet", make_rows(6, 2, corrupt=(0,)))
    assert main(["ingest", str(path), "--batch-size", "5", "--limit", "8"]) == 0
    out = capsys.readouterr().out
    assert "demo shard 0/1" in out and "written 7," in out and "errors 1 (image_truncated 1)" in out
    assert main(["ingest", str(path), "--shard", "0/1"]) == 0
    assert "written 4," in capsys.readouterr().out
    assert_complete(pg_conninfo, 11)

    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "cases: 11" in out and "source demo: 11" in out and "dimension 64" in out
    assert "records" in out and "done" in out

    assert main(["reindex", "--m", "8", "--ef-construction", "32"]) == 0
    assert "hnsw" in capsys.readouterr().out
    assert scalar(pg_conninfo, "SELECT count(*) FROM pg_indexes WHERE indexdef ILIKE '%hnsw%'") == 2

    assert main(["delete", "--source", "demo"]) == 0
    assert "deleted 11 cases of source demo" in capsys.readouterr().out
    assert scalar(pg_conninfo, "SELECT count(*) FROM cases") == 0
    assert scalar(pg_conninfo, "SELECT count(*) FROM ingest_progress") == 0
    assert main(["ingest", str(path)]) == 0  # after a delete the source can be ingested again
    assert "written 11," in capsys.readouterr().out


def test_migrate_is_idempotent(cli_env, pg_conninfo, capsys) -> None:
    assert main(["migrate", "--database-url", pg_conninfo]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["ingest", "/no/such/file.parquet"], "not found"),
        (["ingest", "hf:nobody-here/no-such-dataset-xyz"], "unreachable"),
        (["migrate", "--database-url", "postgresql://u:topsecret@127.0.0.1:1/x"], "u:***@127.0.0.1"),
    ],
)
def test_errors_go_to_stderr_with_exit_2(cli_env, capsys, argv, words) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # libraries may log retries above it
    assert last.startswith("error: ") and words in last and "topsecret" not in err


def test_bad_arguments_are_refused_by_the_parser(capsys) -> None:
    for argv in (["ingest", "x", "--shard", "2/2"], ["ingest", "x", "--batch-size", "0"], ["bogus"]):
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args(argv)
        assert info.value.code == 2


def test_every_subcommand_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"ingest", "embed", "stats", "reindex", "delete", "migrate", "prune-history",
                                "export-history"}
    assert all(action.help for action in sub._choices_actions)
