"""Benchmark the notices: an announcement under Telegram's limits, and the scheduler's due query.

Goals (issue 15): the announcement's achieved rate >= 0.95 of the limit, 0 messages lost, 0
duplicates; finding the due reminders among 1,000,000 rows p95 <= 50 ms; peak RSS reported.

    python -m bench.notices [--users 5000] [--rate 30] [--rows 1000000] [--due 10000] [--quick]

Method
------
* Announcement: ``--users`` registered users (2% of them have blocked the bot) get one `/aviso`
  through the real path: ``AvisoService.preparar`` + ``confirmar`` (one INSERT ... SELECT into
  the outbox), then ``Entregador.esvaziar`` with ``TelegramTransporte`` over PTB's HTTP stack to
  ``tests.fake_telegram.FakeTelegram``. The fake enforces the limits itself (``FloodLimits``:
  ``--rate`` messages/s overall over a sliding second, 1/s per chat, 429 with retry_after beyond)
  and refuses another 1% of sends at random with a 429 (retry_after 1 s). Telegram's real limit
  is 30/s and the default runs at it (5,000 users: ~3 min); ``--quick`` scales it to 100/s for
  500 users (the 1 s tail of the random 429s' retries then weighs ~15%); the sender's pacer is
  set to the same rate. Achieved rate = sends that used the budget (delivered,
  or answered 403 for a blocked user) / (last such send - first), as the fake timed them; the
  ratio is against the limit the fake enforced. The retries of the random 429s wait out their
  retry_after at the end, and that tail is inside the window.
  Lost = active users without the message; duplicates = users who got it more than once.
* Scheduler: ``--rows`` reminders (``--due`` of them due now, the rest in the future or already
  done) on 1,000 users; the scheduler's query (``repo.lembretes_devidos``: due, oldest first,
  FOR UPDATE SKIP LOCKED, in batches of 500) is timed ``--repeat`` times, each in a transaction
  rolled back; and once the time to lock all ``--due`` rows at once. Baseline, same run: the
  same query with index scans disabled (what the partial index saves).
* Peak RSS: ``resource.getrusage`` of this process (fake, bot, load generator together).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import text
from telegram.ext import ExtBot

from bench.comum import bench_database
from bot.notificacoes.avisos import AvisoService
from bot.notificacoes.caixa import Caixa
from bot.notificacoes.entrega import Entregador
from bot.notificacoes.ritmo import Ritmo
from bot.saida.ritmo import Limitador
from bot.saida.transporte import TelegramTransporte
from db.engine import create_engine, create_sessions
from db.models import Usuario
from db.repositories import notificacoes as repo
from tests.fake_telegram import FakeTelegram, FloodLimits

BASE_ID = 8_000_000


async def announcement(url: str, args: argparse.Namespace) -> dict[str, float]:
    """One /aviso to `args.users` people through the fake with limits."""
    engine = create_engine(url, pool_size=10)
    sessions = create_sessions(engine)
    try:
        async with sessions.begin() as session:
            admin = Usuario(telegram_id=BASE_ID - 1, nome="Admin", papel="admin")
            session.add(admin)
            session.add_all(
                Usuario(telegram_id=BASE_ID + i, nome=f"Pessoa {i}") for i in range(args.users)
            )
        async with FakeTelegram() as tg:
            for i in range(args.users):
                tg.user(BASE_ID + i, f"Pessoa {i}")
            bloqueados = {BASE_ID + i for i in range(0, args.users, 50)}  # 2%
            for telegram_id in bloqueados:
                tg.block(telegram_id)
            limites = tg.enforce_limits(
                FloodLimits(per_second=int(args.rate), per_chat_per_second=1, random_429=0.01)
            )
            caixa = Caixa(sessions)
            avisos = AvisoService(sessions, caixa)
            previa = await avisos.preparar(admin, "Manutenção programada hoje às 22h.")
            await avisos.confirmar(admin, previa.aviso.id)
            ritmo = Limitador(Ritmo(por_segundo=args.rate))
            async with ExtBot(tg.token, base_url=tg.base_url, rate_limiter=ritmo) as bot:
                enviador = Entregador(sessions, TelegramTransporte(bot), por_segundo=args.rate)
                inicio = time.monotonic()
                await enviador.esvaziar()
                # Rows a 429 put back wait out their retry_after: keep going until none is left.
                while (await avisos.progresso(previa.aviso.id)).restantes:
                    await asyncio.sleep(0.2)
                    await enviador.esvaziar()
                duracao = time.monotonic() - inicio
            envios = tg.calls_to("sendMessage")
            aceitos = [c for c in envios if c.error is None]
            por_chat = Counter(c.params["chat_id"] for c in aceitos)
            ativos = {BASE_ID + i for i in range(args.users)} - bloqueados
            # What used Telegram's budget: delivered messages and the 403s of blocked users
            # (a 429 is a refusal, not a send).
            gastos = [c for c in envios if c.error is None or c.error["error_code"] == 403]
            instantes = [c.at for c in gastos]
            janela = max(instantes) - min(instantes)
            taxa = (len(gastos) - 1) / janela if janela > 0 else float("nan")
            final = await avisos.progresso(previa.aviso.id)
            return {
                "users": args.users,
                "limit": args.rate,
                "rate": taxa,
                "ratio": taxa / args.rate,
                "lost": len(ativos - set(por_chat)),
                "duplicates": sum(1 for n in por_chat.values() if n > 1),
                "blocked": final.bloqueados,
                "failed": final.falhas,
                "refused_429": limites.refused,
                "seconds": duracao,
            }
    finally:
        await engine.dispose()


async def scheduler(url: str, args: argparse.Namespace) -> dict[str, float]:
    """The due-reminders query among many rows, against a scan of the same table."""
    engine = create_engine(url, pool_size=4)
    sessions = create_sessions(engine)
    agora = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO usuarios (telegram_id, nome) "
                "SELECT 9000000 + g, 'Pessoa ' || g FROM generate_series(1, 1000) g"
            ))  # fmt: skip
            first = await conn.scalar(
                text("SELECT min(id) FROM usuarios WHERE telegram_id > 9000000")
            )
            await conn.execute(
                text(
                    "INSERT INTO lembretes (usuario_id, texto, quando, status) "
                    "SELECT :first + (g % 1000), 'lembrete ' || g, "
                    "  CAST(:agora AS timestamptz) + CASE WHEN g <= :due "
                    "    THEN -make_interval(secs => g) ELSE make_interval(secs => g) END, "
                    "  CASE WHEN g > :due AND g % 3 = 0 THEN 'concluido' ELSE 'ativo' END "
                    "FROM generate_series(1, :rows) g"
                ),
                {"first": first, "due": args.due, "agora": agora, "rows": args.rows},
            )
            await conn.execute(text("ANALYZE lembretes"))

        async def lote(limite: int, *, sem_indice: bool = False) -> float:
            async with sessions.begin() as session:
                if sem_indice:
                    await session.execute(text("SET LOCAL enable_indexscan = off"))
                    await session.execute(text("SET LOCAL enable_bitmapscan = off"))
                inicio = time.perf_counter()
                achados = await repo.lembretes_devidos(session, agora=agora, limite=limite)
                passou = time.perf_counter() - inicio
                assert len(achados) == min(limite, args.due)
                await session.rollback()
            return passou * 1000

        await lote(500)  # warm-up
        tempos = [await lote(500) for _ in range(args.repeat)]
        base = [await lote(500, sem_indice=True) for _ in range(max(3, args.repeat // 10))]
        todos = await lote(args.due)
        p95 = statistics.quantiles(tempos, n=20)[-1]
        return {
            "rows": args.rows,
            "due": args.due,
            "batch_p50_ms": statistics.median(tempos),
            "batch_p95_ms": p95,
            "all_due_ms": todos,
            "scan_p50_ms": statistics.median(base),
            "speedup": statistics.median(base) / statistics.median(tempos),
        }
    finally:
        await engine.dispose()


async def bench(args: argparse.Namespace) -> tuple[dict[str, float], dict[str, float], str]:
    async with bench_database() as (url, onde):
        aviso = await announcement(url, args)
        agenda = await scheduler(url, args)
    return aviso, agenda, onde


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=30.0, help="enforced limit, messages/s")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument(
        "--quick", action="store_true", help="500 users at 100/s, 100,000 rows (CI smoke)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.rate, args.rows, args.due, args.repeat = 500, 100.0, 100_000, 1_000, 30
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    aviso, agenda, onde = asyncio.run(bench(args))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench.notices on {onde}{' (quick)' if args.quick else ''}")
    print(
        f"announcement to {aviso['users']:.0f} users, limit {aviso['limit']:.0f}/s "
        f"(Telegram's is 30/s), 2% blocked, 1% random 429s: {aviso['rate']:.1f} msg/s = "
        f"{aviso['ratio']:.3f} of the limit (goal >= 0.95); lost {aviso['lost']:.0f} (goal 0), "
        f"duplicates {aviso['duplicates']:.0f} (goal 0); blocked {aviso['blocked']:.0f}, failed "
        f"{aviso['failed']:.0f}, 429s answered {aviso['refused_429']:.0f}; {aviso['seconds']:.1f} s"
    )
    print(
        f"scheduler: {agenda['due']:.0f} due among {agenda['rows']:.0f} reminders: batch of 500 "
        f"p50 {agenda['batch_p50_ms']:.2f} ms, p95 {agenda['batch_p95_ms']:.2f} ms (goal <= 50); "
        f"all {agenda['due']:.0f} at once {agenda['all_due_ms']:.1f} ms; without the index "
        f"p50 {agenda['scan_p50_ms']:.1f} ms ({agenda['speedup']:.0f}x slower)"
    )
    print(f"peak RSS {rss:.0f} MB; took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
