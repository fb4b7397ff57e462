"""Benchmark update handling: Cogep's `/start` against a bare python-telegram-bot echo bot.

Goals: Cogep, durable inbox included, keeps >= 90% of the bare bot's throughput, p99 <= 50 ms
with one handler round trip on this machine, one user's p50 (one /start at a time) <= 2x a bare
bot that does one INSERT per update (``bareinsert``), and the idle bot's RSS stays <= 150 MB.
The inbox adds per getUpdates batch one INSERT of the whole batch (before the next getUpdates
confirms it) and one UPDATE marking done every update finished meanwhile; the round trips line
shows both, amortised per /start.

    python -m bench.updates [--n 2000] [--users 200] [--rounds 1] [--quick] [--breakdown]
                            [--profile PREFIX] [--one-n 100]

* One user (``--one-n``): after the paced phase, one more user sends /start one at a time (the
  next when the reply came), for ``bare``, ``bareinsert`` and ``cogep``: the latency of the
  common path with nothing queued, which the 2x goal is judged on.

Method
------
* Everything runs on 127.0.0.1. Each run gets a fresh ``tests.fake_telegram.FakeTelegram`` (the
  fake Bot API the tests use) and one bot polling it through PTB's real HTTP stack
  (``serving(app, poll_timeout=1)``, ``poll_interval=0``). Fake, bot and load generator share
  this process and its event loop, so the fake's own cost per call is in both bots' numbers.
* Bare bot: ``ApplicationBuilder().token(...).base_url(...).concurrent_updates(True)`` with one
  ``CommandHandler("start")`` that sends a fixed reply -- the same HTML text Cogep sends to a
  known user (``texts.ja_cadastrado``) with ``parse_mode=HTML``, so the fake does the same work
  for both. No database.
* Cogep: ``build_application(settings, database=Database(...))`` exactly as the tests build it,
  pool_size=10 like ``open_database``, on a fresh database ``cogep_bench_<random>`` migrated with
  ``bot.migrations.upgrade`` and dropped WITH (FORCE) at the end. The server is
  TEST_DATABASE_URL / DATABASE_URL, else postgresql+asyncpg://postgres@127.0.0.1:5432, else (no
  server reachable) the embedded PostgreSQL in a temporary folder. Every ``/start`` is an
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` and nothing else (handlers load the caller
  only when they need it, and /start's upsert returns the row).
  The headline runs are Cogep with its pacer unlimited (``Ritmo.livre()``): ``cogep run`` paces
  every send under Telegram's 30 messages/s and 1/s per chat (``bot.saida.ritmo``), which
  measures Telegram's flood limit, not Cogep; a separate short run with that pacer
  (``--limited-n``) reports the cap.
* Users: ``--users`` private chats (ids 7,000,000+), updates assigned round-robin, so each user
  sends N/users ``/start`` s (a repeat ``/start`` is an upsert too) and PTB sees distinct chats
  in each getUpdates batch of 100.
* Per run: warm-up of ``--warmup`` (100) updates, not counted; then two measured phases:
    - loaded (throughput): a steady closed-loop stream of N updates that keeps ``--window``
      (100, one getUpdates batch) queued-but-unanswered: every reply lets the next update be
      queued (the load generator polls the fake every 1 ms). Throughput = N / (last reply -
      first queueing). Latencies here are mostly queueing (Little: window / throughput). Also
      reported: CPU ms of this process per update (time.process_time), steadier than
      throughput when other programs share the machine.
      Not "all N at once": at 256 updates in flight PTB's httpx pool (256 connections) spends
      most of its time in httpcore's O(connections) request assignment, which measures httpcore,
      not the bots; ``--window 2000`` gives that all-at-once burst if wanted.
    - paced (latency): ``--paced-n`` (150) updates queued one by one at ``--rate`` (30) per
      second, an open loop; 30/s is Telegram's flood limit for a bot's outgoing messages, the
      most a real bot can sustain. This p50/p99 is what the 50 ms goal is checked on.
  Latency of one update = monotonic time when ``tg.send_text`` queued it -> ``Call.at`` (the
  fake's monotonic arrival time) of the bot's ``sendMessage`` to that chat; replies are matched
  to updates first-in first-out per chat (Cogep answers one chat in order; with window < users
  a chat never has two updates in flight, so the bare bot cannot reorder them either).
* A third bot, ``noinbox``, is Cogep with its inbox unbound (updates neither stored nor marked
  done), so the inbox's own cost is printed from the same run (skipped with ``--quick``).
* ``--rounds`` (1; 2 on a noisy machine): bare, cogep, noinbox, bare, ...; the best run of each
  bot is reported (highest loaded throughput; lowest paced p99). Updates Cogep answered with an
  error message (e.g. a pool timeout) are counted and reported.
* Database round trips: a separate short run on an instrumented engine counts, per ``/start``,
  what the driver sent: BEGIN/COMMIT/ROLLBACK and any pre-ping ``;`` (asyncpg query logger) and
  the SQL statements (SQLAlchemy ``before_cursor_execute``). Not part of the timed runs.
* ``--breakdown``: one more paced run with timers (patched in this process) around Cogep's three
  awaits: a user lookup (if any), the upsert and the sendMessage.
* ``--profile PREFIX``: one extra loaded run of each bot (at most 600 updates) under cProfile
  (CPU time), printed as CPU ms per update by package and saved as PREFIX.bare / PREFIX.cogep;
  the timed runs are never profiled.
* Memory: RSS of this process after the runs, idle (it also holds the fake and the bare bot's
  leftovers), and RSS of a real ``python -m bot run`` process (``cogep run`` exactly as
  shipped) polling a fake: idle 1.5 s after it polls, and idle again 1 s after answering
  ``--users`` /start s (at most 60). The RSS goal is checked
  on the first of these.

Numbers never make the exit status non-zero: this is a measurement, not a gate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import itertools
import logging
import os
import pstats
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.comum import bench_database

ROOT = Path(__file__).resolve().parent.parent
USER_BASE = 7_000_000
MB = 1024 * 1024

GOAL_RATIO = 0.90
GOAL_UM_RATIO = 2.0  # one user's p50 against a bare bot doing one INSERT per update
# Every run's fake starts its update_ids apart: the runs share one database, whose inbox
# (rightly) drops an update_id it has already seen.
UPDATE_IDS = itertools.count(100_000_000, 10_000_000)
GOAL_P99_MS = 50.0
GOAL_RSS_MB = 150.0


# --------------------------------------------------------------------------- results


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of values; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Phase:
    """One measured stream of updates."""

    sent: int
    answered: int
    elapsed: float  # first queueing -> last reply, seconds
    latencies: list[float]  # seconds
    cpu: float = 0.0  # CPU seconds this process used (fake + bot + load generator)

    @property
    def throughput(self) -> float:
        return self.answered / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds of this process per answered update."""
        return self.cpu / self.answered * 1000 if self.answered else float("nan")

    def describe(self) -> str:
        missing = (
            f" ({self.sent - self.answered} NOT ANSWERED)" if self.answered < self.sent else ""
        )
        return (
            f"{self.answered} updates in {self.elapsed:.2f} s = {self.throughput:.0f} upd/s, "
            f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"{self.cpu_ms:.1f} ms CPU each{missing}"
        )


@dataclass
class Run:
    """One bot's run: the loaded stream and the paced phase."""

    bot: str
    load: Phase
    paced: Phase
    failed_replies: int = 0
    um: Phase | None = None  # one user, one update at a time: the latency of the common path


@dataclass
class Report:
    runs: list[Run] = field(default_factory=list)
    limited: Phase | None = None
    round_trips: Counter[str] | None = None
    bench_rss: int | None = None
    child_rss: tuple[int | None, int | None, str] = (None, None, "not measured")
    breakdown: dict[str, list[float]] | None = None

    def best(self, bot: str) -> tuple[Phase | None, Phase | None]:
        mine = [r for r in self.runs if r.bot == bot]
        if not mine:
            return None, None
        load = max((r.load for r in mine), key=lambda p: p.throughput)
        paced = min((r.paced for r in mine), key=lambda p: p.p99_ms)
        return load, paced

    def um(self, bot: str) -> Phase | None:
        """The best one-user run of `bot` (lowest p50)."""
        fases = [r.um for r in self.runs if r.bot == bot and r.um is not None]
        return min(fases, key=lambda p: p.p50_ms) if fases else None


# --------------------------------------------------------------------------- load generation


class Driver:
    """Acts as `users` Telegram users sending /start, and matches the bot's replies."""

    def __init__(self, tg: Any, users: int) -> None:
        self.tg = tg
        self.users = [
            tg.user(USER_BASE + i, f"Pessoa {i}", username=f"pessoa_{i}") for i in range(users)
        ]
        self._next = 0
        self._cursor = len(tg.calls)

    def send(self) -> tuple[int, float]:
        """Queue the next user's /start; return (chat id, monotonic time queued)."""
        user = self.users[self._next % len(self.users)]
        self._next += 1
        queued = time.monotonic()
        self.tg.send_text(user, "/start")
        return user["id"], queued

    def _scan(self, waiting: dict[int, deque[float]]) -> list[tuple[float, float]]:
        """(queued, replied) for the bot's new sendMessage calls to chats we are waiting on."""
        pairs = []
        calls = self.tg.calls
        while self._cursor < len(calls):
            call = calls[self._cursor]
            self._cursor += 1
            if call.method != "sendMessage":
                continue
            queue = waiting.get(call.params.get("chat_id"))
            if queue:
                pairs.append((queue.popleft(), call.at))
        return pairs

    async def stream(self, n: int, window: int, within: float) -> Phase:
        """Send n updates keeping `window` of them unanswered (all at once when window >= n)."""
        waiting: dict[int, deque[float]] = defaultdict(deque)
        pairs: list[tuple[float, float]] = []
        sent = 0
        cpu = time.process_time()
        first = time.monotonic()
        deadline = first + within
        while True:
            while sent < n and sent - len(pairs) < window:
                chat, queued = self.send()
                waiting[chat].append(queued)
                sent += 1
            if len(pairs) >= n or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.001)  # polling: Call.at, not this loop, times the reply
            pairs += self._scan(waiting)
        phase = _phase(n, first, pairs)
        phase.cpu = time.process_time() - cpu
        return phase

    async def paced(self, n: int, rate: float, within: float) -> Phase:
        """Send n updates at `rate` per second (open loop), then wait for the replies."""
        waiting: dict[int, deque[float]] = defaultdict(deque)
        pairs: list[tuple[float, float]] = []
        first = time.monotonic()
        for k in range(n):
            delay = first + k / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            chat, queued = self.send()
            waiting[chat].append(queued)
            pairs += self._scan(waiting)
        deadline = time.monotonic() + within
        while len(pairs) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
            pairs += self._scan(waiting)
        return _phase(n, first, pairs)

    def failed_replies(self) -> int:
        """sendMessage calls the fake refused, or error apologies instead of a greeting."""
        from bot import texts

        apologies = (texts.ERRO_INTERNO[:40], texts.BANCO_INDISPONIVEL[:40])
        return sum(
            1
            for call in self.tg.calls
            if call.method == "sendMessage"
            and (call.error is not None or str(call.params.get("text", "")).startswith(apologies))
        )


def _patience(n: int) -> float:
    """How long to wait for n replies before giving up on the missing ones."""
    return 30.0 + n / 20


def _phase(sent: int, first: float, pairs: list[tuple[float, float]]) -> Phase:
    if not pairs:
        return Phase(sent, 0, 0.0, [])
    last = max(replied for _, replied in pairs)
    return Phase(sent, len(pairs), last - first, [replied - queued for queued, replied in pairs])


# --------------------------------------------------------------------------- the two bots


async def _bare_start(update: Any, context: Any) -> None:
    from telegram.constants import ParseMode

    from bot import texts

    await context.bot.send_message(
        update.effective_chat.id, texts.ja_cadastrado("Pessoa"), parse_mode=ParseMode.HTML
    )


BARE_INSERT = "INSERT INTO bench_starts (chat_id) VALUES (:chat_id)"


def _bare_insert_start(engine: AsyncEngine) -> Any:
    """The bare bot's /start plus one INSERT (own transaction) before its reply."""
    from sqlalchemy import text

    async def start(update: Any, context: Any) -> None:
        async with engine.begin() as connection:
            await connection.execute(text(BARE_INSERT), {"chat_id": update.effective_chat.id})
        await _bare_start(update, context)

    return start


@contextlib.asynccontextmanager
async def bare_bot(tg: Any, engine: AsyncEngine | None = None) -> AsyncIterator[Any]:
    """A plain PTB application with one /start handler, polling the fake (with `engine`:
    the handler first INSERTs one row, the least a bot that records anything does)."""
    from telegram.ext import ApplicationBuilder, CommandHandler

    from bot.app import serving

    if engine is not None:
        from sqlalchemy import text

        async with engine.begin() as connection:
            await connection.execute(
                text("CREATE TABLE IF NOT EXISTS bench_starts (id bigserial PRIMARY KEY, "
                     "chat_id bigint NOT NULL, em timestamptz NOT NULL DEFAULT now())")
            )  # fmt: skip

    app = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .concurrent_updates(True)
        .get_updates_connection_pool_size(2)
        .build()
    )
    app.add_handler(
        CommandHandler("start", _bare_start if engine is None else _bare_insert_start(engine))
    )
    async with serving(app, poll_timeout=1):
        yield app


def make_settings(tg: Any, database_url: str) -> Any:
    """Settings pointing at the fake and the bench database (as tests/conftest.py does)."""
    from bot.settings import Settings

    return Settings(
        telegram_bot_token=tg.token,
        telegram_api_base_url=tg.base_url,
        telegram_file_base_url=tg.base_file_url,
        database_url=database_url,
        admin_telegram_ids=frozenset(),
        openai_api_key=None,
        webhook_url=None,
        flood_por_segundo=0,  # each simulated user sends far faster than a person may
        _env_file=None,
    )


@contextlib.asynccontextmanager
async def cogep_bot(
    tg: Any, engine: AsyncEngine, *, rate_limit: bool = False, inbox: bool = True
) -> AsyncIterator[Any]:
    """The real Cogep application on the bench database, polling the fake."""
    from bot.app import build_application, serving
    from bot.database import Database
    from db.engine import create_sessions

    url = engine.url.render_as_string(hide_password=False)
    database = Database(engine=engine, sessions=create_sessions(engine))
    from bot.notificacoes.ritmo import Ritmo

    # The headline runs measure Cogep, not Telegram's 30/s: their pacer keeps no rate.
    ritmo = Ritmo() if rate_limit else Ritmo.livre()
    app = build_application(make_settings(tg, url), database=database, ritmo=ritmo)
    if not inbox:  # what the inbox costs: the same bot, its updates neither stored nor marked
        app.bot.porta.caixa = None
    async with serving(app, poll_timeout=1):
        # The notices' round (every 30 s, the first 1 s after start) is not the update path:
        # in a run of a few seconds it would land inside the measurement (a digest for every
        # user whose hour it is), so it is paused.
        if app.job_queue is not None:
            app.job_queue.scheduler.pause()
        yield app


async def one_run(
    bot: str, args: argparse.Namespace, engine: AsyncEngine, profile: cProfile.Profile | None
) -> Run:
    """Warm up, then the loaded stream and the paced phase, on a fresh fake."""
    from tests.fake_telegram import FakeTelegram

    async with FakeTelegram(first_update_id=next(UPDATE_IDS)) as tg:
        if bot.startswith("bare"):
            context = bare_bot(tg, engine if bot == "bareinsert" else None)
        else:
            context = cogep_bot(tg, engine, inbox=bot == "cogep")
        async with context:
            driver = Driver(tg, args.users)
            await driver.stream(args.warmup, args.window, _patience(args.warmup))
            gc.collect()
            if profile is not None:
                profile.enable()
            load = await driver.stream(args.n, args.window, _patience(args.n))
            if profile is not None:
                profile.disable()
            paced = await driver.paced(args.paced_n, args.rate, _patience(args.paced_n))
            um = await Driver(tg, 1).stream(args.one_n, 1, _patience(args.one_n))
            return Run(bot, load, paced, driver.failed_replies(), um)


async def limited_run(n: int, args: argparse.Namespace, engine: AsyncEngine) -> Phase:
    """Cogep with its pacer as shipped: the 30 msg/s (and 1/s per chat) cap it imposes."""
    from tests.fake_telegram import FakeTelegram

    async with (
        FakeTelegram(first_update_id=next(UPDATE_IDS)) as tg,
        cogep_bot(tg, engine, rate_limit=True),
    ):
        driver = Driver(tg, args.users)
        return await driver.stream(n, args.window, _patience(n) + n / 25)


async def count_round_trips(url: str, args: argparse.Namespace) -> Counter[str]:
    """What the driver sends per /start, on an instrumented engine of its own."""
    from db.engine import create_engine
    from tests.fake_telegram import FakeTelegram

    engine = create_engine(url, pool_size=10)
    counts: Counter[str] = Counter()
    counting = False

    def on_query(record: Any) -> None:  # BEGIN/COMMIT/ROLLBACK and the pre-ping ";"
        if counting:
            counts[record.query.strip().rstrip(";").split(" ")[0].upper() or "; (ping)"] += 1

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(on_query)

    def on_statement(*params: Any) -> None:  # prepared statements bypass asyncpg's logger
        if counting:
            counts[params[2].lstrip().split(" ")[0].upper()] += 1

    def on_checkout(*_: Any) -> None:
        if counting:
            counts["(pool checkouts)"] += 1

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(engine.sync_engine, "checkout", on_checkout)
    n = 50
    try:
        async with FakeTelegram(first_update_id=next(UPDATE_IDS)) as tg, cogep_bot(tg, engine):
            driver = Driver(tg, args.users)
            await driver.stream(n, n, _patience(n))  # fill the pool, prepare the statements
            counting = True
            await driver.stream(n, n, _patience(n))
            await asyncio.sleep(0.2)  # query-logger callbacks run soon after the query
            counting = False
    finally:
        await engine.dispose()
    return Counter({kind: count / n for kind, count in counts.items()})


async def breakdown(url: str, args: argparse.Namespace) -> dict[str, list[float]]:
    """Paced /start s with timers around Cogep's three awaits (patched in this process only)."""
    import handlers.inicio
    from bot.usuarios import UsuarioService
    from db.engine import create_engine
    from tests.fake_telegram import FakeTelegram

    spans: dict[str, list[float]] = defaultdict(list)

    def timed(label: str, func: Any) -> Any:
        async def wrapper(*a: Any, **kw: Any) -> Any:
            begin = time.perf_counter()
            try:
                return await func(*a, **kw)
            finally:
                spans[label].append(time.perf_counter() - begin)

        return wrapper

    patches = [
        (UsuarioService, "carregar", "db: load user (on demand)"),
        (UsuarioService, "registrar", "db: upsert (/start)"),
        (handlers.inicio, "reply_html", "telegram: sendMessage"),
    ]
    originals = [getattr(owner, name) for owner, name, _ in patches]
    engine = create_engine(url, pool_size=10)
    try:
        for owner, name, label in patches:
            setattr(owner, name, timed(label, getattr(owner, name)))
        async with FakeTelegram(first_update_id=next(UPDATE_IDS)) as tg, cogep_bot(tg, engine):
            driver = Driver(tg, args.users)
            await driver.stream(args.warmup, args.window, _patience(args.warmup))
            spans.clear()
            phase = await driver.paced(args.paced_n, args.rate, _patience(args.paced_n))
            spans["total (queued -> reply)"] = phase.latencies
    finally:
        for (owner, name, _), original in zip(patches, originals, strict=True):
            setattr(owner, name, original)
        await engine.dispose()
    return spans


# --------------------------------------------------------------------------- memory


def rss_of(pid: int) -> int:
    import psutil

    return int(psutil.Process(pid).memory_info().rss)


async def child_rss(url: str, args: argparse.Namespace) -> tuple[int | None, int | None, str]:
    """RSS of a real `python -m bot run` polling a fake: idle after start, idle after traffic."""
    from tests.fake_telegram import FakeTelegram

    async with FakeTelegram(first_update_id=next(UPDATE_IDS)) as tg:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "WEBHOOK_", "OPENAI_", "ADMIN_"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=tg.token,
            TELEGRAM_API_BASE_URL=tg.base_url,
            TELEGRAM_FILE_BASE_URL=tg.base_file_url,
            DATABASE_URL=url,
            LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )
        with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryFile() as err:
            # cwd: a folder without .env, so only the variables above configure the bot
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                cwd=cwd,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=err,
                stderr=err,
            )
            idle = after = None
            note = "ok"
            try:
                polls = await tg.wait_for_call("setMyCommands", timeout=60)
                await tg.wait_for_call("getUpdates", after=tg.calls.index(polls), timeout=10)
                await asyncio.sleep(1.5)
                idle = rss_of(proc.pid)
                driver = Driver(tg, min(args.users, 60))
                await driver.stream(len(driver.users), len(driver.users), 30)
                await asyncio.sleep(1.0)
                after = rss_of(proc.pid)
            except Exception as exc:
                err.seek(0)
                tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
                note = f"failed: {exc!r} {' | '.join(tail)}"[:400]
            finally:
                if proc.returncode is None:
                    proc.terminate()
                    try:
                        await asyncio.wait_for(proc.wait(), 15)
                    except TimeoutError:
                        proc.kill()
                        await proc.wait()
            return idle, after, note


# --------------------------------------------------------------------------- database


# --------------------------------------------------------------------------- main


async def bench(args: argparse.Namespace) -> Report:
    from db.engine import create_engine

    report = Report()
    profiles: dict[str, tuple[cProfile.Profile, int]] = {}
    async with bench_database() as (url, where):
        print(f"database: {where}; {_machine()}", flush=True)
        engine = create_engine(url, pool_size=10)  # what open_database uses
        try:
            bots: tuple[str, ...] = ("bare", "bareinsert", "cogep")
            bots += () if args.quick else ("noinbox",)
            for round_no in range(1, args.rounds + 1):
                for bot in bots:
                    run = await one_run(bot, args, engine, None)
                    report.runs.append(run)
                    failed = f", {run.failed_replies} failed replies" if run.failed_replies else ""
                    print(
                        f"  round {round_no} {bot:7}: {run.load.describe()}; "
                        f"paced p50 {run.paced.p50_ms:.1f} ms, p99 {run.paced.p99_ms:.1f} ms; "
                        f"one user p50 {run.um.p50_ms if run.um else float('nan'):.1f} ms"
                        f"{failed}",
                        flush=True,
                    )
            gc.collect()
            await asyncio.sleep(1.0)
            report.bench_rss = rss_of(os.getpid())
            if args.profile:  # extra, untimed runs: cProfile slows everything several times
                quiet = argparse.Namespace(**{**vars(args), "n": min(args.n, 600), "paced_n": 1})
                for bot in ("bare", "cogep"):
                    profile = cProfile.Profile(time.process_time)  # CPU, not waiting
                    run = await one_run(bot, quiet, engine, profile)
                    profiles[bot] = (profile, run.load.answered)
            if args.limited_n:
                report.limited = await limited_run(args.limited_n, args, engine)
        finally:
            await engine.dispose()
        report.round_trips = await count_round_trips(url, args)
        if args.breakdown:
            report.breakdown = await breakdown(url, args)
        if not args.no_child:
            report.child_rss = await child_rss(url, args)
    if profiles:
        print_profiles(profiles, args.profile)
    return report


def _package(filename: str, function: str) -> str:
    """Who a profiled function belongs to: a site-package, a project folder, or the stdlib."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if filename.startswith(str(ROOT)):
        relative = Path(filename).relative_to(ROOT)
        return "fake Bot API" if relative.name == "fake_telegram.py" else relative.parts[0]
    if filename.startswith("<frozen importlib") or function == "<built-in method posix.stat>":
        return "importlib"
    if "asyncio" in filename or "selectors" in filename:
        return "asyncio"
    return "builtins" if filename == "~" else "stdlib"


def print_profiles(profiles: dict[str, tuple[cProfile.Profile, int]], prefix: str) -> None:
    """Own CPU time per update by package, bare vs cogep (profiled: inflated, compare shares)."""
    per_update: dict[str, Counter[str]] = {}
    for bot, (profile, answered) in profiles.items():
        profile.dump_stats(f"{prefix}.{bot}")
        stats: Any = pstats.Stats(profile)
        totals: Counter[str] = Counter()
        for (filename, _line, function), timing in stats.stats.items():
            totals[_package(filename, function)] += timing[2] / max(answered, 1) * 1000
        per_update[bot] = totals
    bare, cogep = per_update.get("bare", Counter()), per_update.get("cogep", Counter())
    print("\nprofiled CPU ms per update of the loaded stream, by package (cProfile inflates all):")
    print(f"  {'package':22} {'bare':>7} {'cogep':>7} {'extra':>7}")
    for name in sorted(set(bare) | set(cogep), key=lambda k: bare[k] - cogep[k])[:20]:
        print(f"  {name:22} {bare[name]:7.2f} {cogep[name]:7.2f} {cogep[name] - bare[name]:+7.2f}")
    print(f"  {'total':22} {bare.total():7.2f} {cogep.total():7.2f}")
    print(f"pstats files: {prefix}.bare, {prefix}.cogep (python -m pstats FILE)")


def _machine() -> str:
    """CPU count and load: other busy processes make every number here worse."""
    return f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"


def _mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MB:.0f} MB"


def print_report(report: Report, args: argparse.Namespace) -> None:
    bare, bare_paced = report.best("bare")
    cogep, cogep_paced = report.best("cogep")
    assert bare and bare_paced and cogep and cogep_paced
    trips = report.round_trips or Counter()
    statements = sum(v for k, v in trips.items() if k in ("SELECT", "INSERT", "UPDATE", "DELETE"))
    round_trips = sum(v for k, v in trips.items() if k != "(pool checkouts)")
    best = f"best of {args.rounds}" if args.rounds > 1 else "1 round"
    print()
    print(
        f"loaded: {args.n} /start from {args.users} users, {args.window} in flight, "
        f"no global rate limiter (as shipped), {best}"
    )
    print(f"bare:  {bare.describe()}")
    print(f"cogep: {cogep.describe()} ({statements:g} SQL statements each)")
    print(f"paced: {args.paced_n} /start at {args.rate:g} upd/s, {best}")
    print(f"bare:  p50 {bare_paced.p50_ms:.1f} ms, p99 {bare_paced.p99_ms:.1f} ms")
    print(f"cogep: p50 {cogep_paced.p50_ms:.1f} ms, p99 {cogep_paced.p99_ms:.1f} ms")
    detail = ", ".join(f"{k} {v:g}" for k, v in sorted(trips.items()))
    print(f"cogep DB per /start: {round_trips:g} round trips ({detail})")
    failed = sum(r.failed_replies for r in report.runs if r.bot == "cogep")
    if failed:
        print(f"cogep answered {failed} updates with an error message (see the log above)")
    if report.limited is not None:
        print(f"cogep paced as shipped: {report.limited.describe()}")
    if report.breakdown:
        print(f"cogep latency breakdown, paced at {args.rate:g} upd/s (ms):")
        for label, values in report.breakdown.items():
            p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
            print(f"  {label:28} p50 {p50:6.1f}  p99 {p99:6.1f}  (n={len(values)})")
    idle, after, note = report.child_rss
    child = f"{_mb(idle)} idle, {_mb(after)} after traffic" + ("" if note == "ok" else f" {note}")
    print(f"RSS: `python -m bot run` {child}; this bench process {_mb(report.bench_rss)}")
    ratio = cogep.throughput / bare.throughput if bare.throughput else float("nan")
    sem_caixa, sem_caixa_paced = report.best("noinbox")
    if sem_caixa is not None and sem_caixa_paced is not None and sem_caixa.throughput:
        print(
            f"inbox cost: cogep without the inbox {sem_caixa.throughput:.0f} upd/s "
            f"({sem_caixa.throughput / bare.throughput:.3f}x bare), paced p99 "
            f"{sem_caixa_paced.p99_ms:.1f} ms; with it / without it = "
            f"{cogep.throughput / sem_caixa.throughput:.3f}"
        )
    um_cogep, um_insert = report.um("cogep"), report.um("bareinsert")
    um_ratio = float("nan")
    if um_cogep is not None and um_insert is not None and um_insert.p50_ms:
        um_ratio = um_cogep.p50_ms / um_insert.p50_ms
        print(
            f"one user, one /start at a time ({args.one_n}): cogep p50 {um_cogep.p50_ms:.1f} ms, "
            f"bare + one INSERT p50 {um_insert.p50_ms:.1f} ms: {um_ratio:.2f}x "
            f"(goal <= {GOAL_UM_RATIO:.1f}x)"
        )
    rss = idle if idle is not None else report.bench_rss
    rss_mb = float("nan") if rss is None else rss / MB
    verdict = {
        "throughput": ratio >= GOAL_RATIO,
        "p99": cogep_paced.p99_ms <= GOAL_P99_MS,
        "RSS": rss_mb <= GOAL_RSS_MB,
        "one-user p50": um_ratio <= GOAL_UM_RATIO,
    }
    print(
        f"ratio cogep/bare: {ratio:.3f} (goal >= {GOAL_RATIO:.2f})   "
        f"p99 {cogep_paced.p99_ms:.1f} ms (goal <= {GOAL_P99_MS:.0f} ms)   "
        f"idle RSS {rss_mb:.0f} MB (goal <= {GOAL_RSS_MB:.0f} MB)"
    )
    if args.quick:  # 300 updates are too few for a steady ratio: it swings 0.4-0.6 here
        print("goals: not judged on a --quick smoke run; run `python -m bench.updates` for that")
        return
    print(
        "goals: "
        + ", ".join(f"{k} {'met' if ok else 'MISSED'}" for k, ok in verdict.items())
        + f"; DB round trips per /start {round_trips:g} (the handler's 1 + the inbox's batches)"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.updates", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=2000, help="updates in the loaded stream (2000)")
    parser.add_argument("--users", type=int, default=200, help="distinct users (200)")
    parser.add_argument("--warmup", type=int, default=100, help="uncounted updates first (100)")
    parser.add_argument("--window", type=int, default=100, help="loaded: updates in flight (100)")
    parser.add_argument("--rounds", type=int, default=1, help="bare+cogep rounds, best kept (1)")
    parser.add_argument("--rate", type=float, default=30, help="paced phase, updates/s (30)")
    parser.add_argument("--paced-n", type=int, default=150, help="paced phase updates (150)")
    parser.add_argument(
        "--limited-n", type=int, default=90, help="updates of the rate-limited run (90; 0: skip)"
    )
    parser.add_argument(
        "--one-n", type=int, default=100, help="one user's updates, one at a time (100)"
    )
    parser.add_argument("--no-child", action="store_true", help="skip the `cogep run` RSS probe")
    parser.add_argument("--quick", action="store_true", help="CI smoke: n<=300, fewer of all")
    parser.add_argument(
        "--breakdown", action="store_true", help="time Cogep's DB and send awaits (extra run)"
    )
    parser.add_argument(
        "--profile", metavar="PREFIX", help="extra cProfiled loaded run of each bot"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.paced_n = min(args.n, 300), min(args.paced_n, 60)
        args.warmup, args.limited_n = min(args.warmup, 50), min(args.limited_n, 45)
        args.one_n = min(args.one_n, 40)
    args.users = max(1, args.users)
    args.n = max(1, args.n)
    args.paced_n = max(1, args.paced_n)
    args.one_n = max(1, args.one_n)
    args.rate = max(1.0, args.rate)
    args.rounds = max(1, args.rounds)
    args.window = max(1, args.window)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    report = asyncio.run(bench(args))
    print_report(report, args)
    print(f"(bench took {time.monotonic() - started:.0f} s; {_machine()} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
