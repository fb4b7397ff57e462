"""A SIGKILL of `cogep run` in the middle of a burst, then a restart: nothing lost, nothing twice.

The bot runs as a real process (`python -m bot run`) polling the fake Bot API, so the kill
strikes wherever it strikes: between getUpdates and the inbox, mid-transaction, between a
COMMIT and its reply, or between the reply and the mark of done.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from bot.database import Database
from db.models import Processo, UpdateRecebido
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
PESSOAS = 20
POR_PESSOA = 10
MATAR_APOS = 60  # replies to the burst seen before the SIGKILL
NUMERO = re.compile(r"20\d\d-\d{4}")
CONFIRMACAO = re.compile(r"aberto: (Rajada [\d-]+)")


async def _iniciar(tg: FakeTelegram, database_url: str, log: Path) -> asyncio.subprocess.Process:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env = {
        **base,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_FILE_BASE_URL": tg.base_file_url,
        "DATABASE_URL": database_url,
        "COGEP_CADASTRO_ABERTO": "true",
        # Ten /novo at once per person is a script, not a person: flood control has its tests.
        "COGEP_FLOOD_POR_SEGUNDO": "0",
    }
    with log.open("ab") as saida:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=str(ROOT / "tests"),
            stdout=saida, stderr=saida,
        )  # fmt: skip


def _respostas(tg: FakeTelegram, chat_id: int, desde: int) -> list[str]:
    return [
        c.params.get("text", "")
        for c in tg.calls[desde:]
        if c.method == "sendMessage" and c.error is None and c.params.get("chat_id") == chat_id
    ]


async def test_a_sigkill_mid_burst_loses_nothing_and_repeats_nothing(
    tg: FakeTelegram, database: Database, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    pessoas = [tg.user(7_100_000 + n, f"Pessoa {n}") for n in range(PESSOAS)]
    bot = await _iniciar(tg, database_url, log)
    try:
        for pessoa in pessoas:
            tg.send_text(pessoa, "/start")
        await tg.wait_for(lambda: len(tg.calls_to("sendMessage")) >= PESSOAS, timeout=30)
        inicio = len(tg.calls)

        titulos = {f"Rajada {p['id']}-{k}": p["id"] for k in range(POR_PESSOA) for p in pessoas}
        for titulo, user_id in titulos.items():
            tg.send_text(tg._users[user_id], f"/novo {titulo}")
        await tg.wait_for(
            lambda: sum(1 for c in tg.calls[inicio:] if c.method == "sendMessage") >= MATAR_APOS,
            timeout=30,
        )
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        antes_do_reinicio = sum(1 for c in tg.calls[inicio:] if c.method == "sendMessage")

        bot = await _iniciar(tg, database_url, log)

        async def todos_criados() -> bool:
            async with database.sessions() as session:
                return (await session.scalar(select(func.count()).select_from(Processo))) == len(
                    titulos
                )

        for _ in range(300):
            if await todos_criados() and all(
                len(_respostas(tg, p["id"], inicio)) >= POR_PESSOA for p in pessoas
            ):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # anything more would be a duplicate: give it the chance
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()

    saida = log.read_text()
    assert "Traceback" not in saida, saida[-3000:]
    assert MATAR_APOS <= antes_do_reinicio < len(titulos)  # the kill struck mid-burst
    async with database.sessions() as session:
        criados = Counter(await session.scalars(select(Processo.titulo)))
        pendentes = await session.scalar(
            select(func.count()).where(UpdateRecebido.concluido_em.is_(None))
        )
    assert criados == Counter(titulos.keys())  # every accepted /novo made its processo, once
    assert pendentes == 0
    for pessoa in pessoas:
        respostas = _respostas(tg, pessoa["id"], inicio)
        assert not [r for r in respostas if "algo deu errado" in r or "Nada foi" in r]
        confirmados = Counter(m[1] for r in respostas if (m := CONFIRMACAO.search(r)))
        ja_feitos = [r for r in respostas if "já tinha sido feito" in r]
        meus = [t for t, uid in titulos.items() if uid == pessoa["id"]]
        # Each /novo is answered: by its confirmation, or (its COMMIT made before the kill, its
        # reply not) by an honest "already done" naming the processo.
        numeros_ja_feitos = {n for r in ja_feitos for n in NUMERO.findall(r)}
        assert all(confirmados[t] <= 1 for t in meus), respostas
        assert sum(confirmados[t] for t in meus) + len(numeros_ja_feitos) >= POR_PESSOA, respostas
