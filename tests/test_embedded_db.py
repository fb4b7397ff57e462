"""The embedded PostgreSQL: start/attach/stop, crash recovery, multi-process sharing, errors."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.embedded_db import (
    EmbeddedDatabaseError,
    EmbeddedPostgres,
    _read_postmaster_pid,
    default_data_dir,
)
from bot.settings import load_settings

REPO = Path(__file__).resolve().parents[1]

# A child Cogep process: start, print the URL, hold the server until stdin closes, stop.
CHILD = """
import sys
from pathlib import Path
from bot.embedded_db import EmbeddedPostgres
pg = EmbeddedPostgres(Path(sys.argv[1]))
print(pg.start(), flush=True)
sys.stdin.read()
pg.stop()
"""


@pytest.fixture(autouse=True)
def no_leaked_servers(tmp_path: Path) -> Iterator[None]:
    """Kill any server a failed test left running under its tmp_path."""
    yield
    for pid_file in tmp_path.rglob("postmaster.pid"):
        pid = server_pid(pid_file.parent)
        if pid is not None:
            os.kill(pid, signal.SIGQUIT)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One initdb'd, stopped cluster that tests copy instead of paying initdb each time."""
    data = tmp_path_factory.mktemp("template") / "pgdata"
    with EmbeddedPostgres(data):
        pass
    return data


@pytest.fixture
def data_dir(template: Path, tmp_path: Path) -> Path:
    """A private copy of the template cluster (cp -a keeps the server user's ownership)."""
    data = tmp_path / "pgdata"
    subprocess.run(["cp", "-a", str(template), str(data)], check=True)
    return data


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    """Child processes a test spawns; killed if the test leaves them behind."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def spawn(children: list[subprocess.Popen[str]], data: Path) -> subprocess.Popen[str]:
    """Start a child process that uses the embedded server on `data`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    children.append(proc)
    return proc


def child_url(proc: subprocess.Popen[str]) -> str:
    """Wait for a child's URL line."""
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line.startswith("postgresql+asyncpg://"), line
    return line


def release(proc: subprocess.Popen[str]) -> None:
    """Let a child stop its EmbeddedPostgres and exit."""
    assert proc.stdin is not None
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0


def server_pid(data: Path) -> int | None:
    """The pid of the running postmaster on `data`, or None if none is running."""
    info = _read_postmaster_pid(data)
    if info is None:
        return None
    try:
        os.kill(info.pid, 0)
    except ProcessLookupError:
        return None
    return info.pid


async def query(url: str, sql: str) -> object:
    """Run one statement in its own connection and return the scalar result."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


async def test_first_start_gives_working_asyncpg_url(tmp_path: Path) -> None:
    data = tmp_path / "a b" / "pgdata"  # parents are created; spaces are quoted; short enough
    # for the socket to live beside the data (longer paths go to /tmp: another test)
    began = time.monotonic()
    with EmbeddedPostgres(data) as pg:
        print(f"first start incl. initdb: {time.monotonic() - began:.2f}s")
        url = make_url(pg.url)
        assert url.drivername == "postgresql+asyncpg"
        assert url.database == "cogep"
        assert url.query["host"] == str(data)
        assert await query(pg.url, "SELECT lower('AÇÃO')") == "ação"
        tsv = await query(pg.url, "SELECT to_tsvector('portuguese', 'As ações concluídas')::text")
        assert tsv == "'açõ':2 'concluíd':3"
        await query(pg.url, "CREATE EXTENSION IF NOT EXISTS vector")
        assert await query(pg.url, "SELECT '[1,2]'::vector <-> '[1,2]'::vector") == 0
    assert server_pid(data) is None


async def test_data_survives_stop_and_start(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir) as pg:
        await query(pg.url, "CREATE TABLE t AS SELECT 'persistido' AS v")
    assert server_pid(data_dir) is None
    began = time.monotonic()
    with EmbeddedPostgres(data_dir) as pg:
        print(f"warm start: {time.monotonic() - began:.2f}s")
        assert await query(pg.url, "SELECT v FROM t") == "persistido"


async def test_second_instance_attaches_and_last_one_out_stops(data_dir: Path) -> None:
    first, second = EmbeddedPostgres(data_dir), EmbeddedPostgres(data_dir)
    url = first.start()
    pid = server_pid(data_dir)
    assert second.start() == url
    assert server_pid(data_dir) == pid  # attached, not restarted
    second.stop()
    assert await query(url, "SELECT 1") == 1  # the first one's server is untouched
    second.start()
    first.stop()  # the starter leaves first: the server stays for the other user
    assert await query(url, "SELECT 1") == 1
    second.stop()
    assert server_pid(data_dir) is None


async def test_processes_share_the_server(tmp_path: Path, children: list) -> None:
    data = tmp_path / "pgdata"
    # Two processes racing on a fresh dir: one runs initdb, both get the same server.
    a, b = spawn(children, data), spawn(children, data)
    url = child_url(a)
    assert child_url(b) == url
    pid = server_pid(data)
    with EmbeddedPostgres(data) as pg:
        assert pg.url == url
    assert server_pid(data) == pid  # leaving did not stop it: a and b still use it
    release(a)
    assert await query(url, "SELECT 1") == 1
    release(b)  # last user out stops it, though b did not start it
    assert server_pid(data) is None


async def test_owner_killed_leaves_server_that_next_start_adopts(
    data_dir: Path, children: list
) -> None:
    owner = spawn(children, data_dir)
    url = child_url(owner)
    await query(url, "CREATE TABLE t AS SELECT 42 AS v")
    pid = server_pid(data_dir)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    assert server_pid(data_dir) == pid  # orphaned, still running
    with EmbeddedPostgres(data_dir) as pg:
        assert server_pid(data_dir) == pid
        assert await query(pg.url, "SELECT v FROM t") == 42
    assert server_pid(data_dir) is None  # the adopter was the last user, so it stopped it


async def test_stale_postmaster_pid_after_crash(data_dir: Path, children: list) -> None:
    owner = spawn(children, data_dir)
    url = child_url(owner)
    await query(url, "CREATE TABLE t AS SELECT 'antes do crash' AS v")
    pid = server_pid(data_dir)
    assert pid is not None
    owner.send_signal(signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)  # the server dies too, as in a power cut or OOM kill
    owner.wait()
    assert (data_dir / "postmaster.pid").exists()
    with EmbeddedPostgres(data_dir) as pg:
        assert server_pid(data_dir) not in (None, pid)
        assert await query(pg.url, "SELECT v FROM t") == "antes do crash"


async def test_postmaster_pid_naming_a_recycled_pid(data_dir: Path) -> None:
    # After a reboot the old pid may belong to anything, here this very test process.
    (data_dir / "postmaster.pid").write_text(f"{os.getpid()}\n{data_dir}\n0\n5432\n\n\n\nready\n")
    with EmbeddedPostgres(data_dir) as pg:
        assert await query(pg.url, "SELECT 1") == 1


async def test_long_data_dir_puts_socket_in_tmp(data_dir: Path, tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 100) / "pgdata"
    deep.parent.mkdir()
    shutil.move(data_dir, deep)
    with EmbeddedPostgres(deep) as pg:
        socket_dir = Path(make_url(pg.url).query["host"])  # type: ignore[arg-type]
        assert socket_dir != deep
        assert (os.stat(socket_dir).st_mode & 0o777) == 0o700
        assert await query(pg.url, "SELECT 1") == 1


def test_data_dir_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(EmbeddedDatabaseError, match="cannot use the database directory"):
        EmbeddedPostgres(tmp_path / "file" / "pgdata").start()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any directory")
def test_read_only_parent_is_a_clear_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(EmbeddedDatabaseError, match="not writable"):
            EmbeddedPostgres(tmp_path / "pgdata").start()
    finally:
        tmp_path.chmod(0o700)


def test_non_cluster_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pgdata").mkdir()
    (tmp_path / "pgdata" / "notes.txt").write_text("not a database")
    with pytest.raises(EmbeddedDatabaseError, match="holds no PostgreSQL cluster"):
        EmbeddedPostgres(tmp_path / "pgdata").start()


def test_a_data_dir_of_another_major_version_says_how_to_move_it(tmp_path: Path) -> None:
    (tmp_path / "pgdata").mkdir()
    (tmp_path / "pgdata" / "PG_VERSION").write_text("15\n")
    with pytest.raises(EmbeddedDatabaseError) as refused:
        EmbeddedPostgres(tmp_path / "pgdata").start()

    assert "made by PostgreSQL 15 and the bundled one is 16" in refused.value.message
    assert "cogep restore" in refused.value.message
    assert "\n" not in refused.value.message


def test_missing_binaries_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedDatabaseError, match="PostgreSQL binaries not found"):
        EmbeddedPostgres(tmp_path / "pgdata", bin_dir=tmp_path / "nope").start()


def test_default_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COGEP_DATA_DIR", str(tmp_path / "x"))
    assert default_data_dir(load_settings().data_dir) == tmp_path / "x"
    monkeypatch.delenv("COGEP_DATA_DIR")
    assert default_data_dir(load_settings().data_dir).parts[-2:] == ("cogep", "pgdata")
