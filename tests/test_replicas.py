"""Two replicas behave as one bot: every update handled once, nothing doubled, nothing lost.

The big story runs two real `cogep run` processes in webhook mode on one database behind a
round-robin proxy (tests/replicas.py) that hands every update to *both* replicas at the same
moment; some updates are then redelivered by Telegram on top. People register, open processos,
comment, set reminders (which come due), ask the mentor, send a document; an admin sends an
announcement. Each thing happens exactly once.

The mentor's queue is also held on its own, two `Fila`s on one database standing for two
replicas: one person's second question waits for the first wherever it arrived, and a stop
pressed on one replica reaches the answer running on the other. And the inbox: a replica
starting replays only what a dead replica left unfinished, never a live one's updates.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from bot.database import Database
from bot.entrada.caixa import CaixaDeEntrada
from bot.mentor.fila import Atendimento, Fila
from db.models import Documento, Lembrete, Mensagem, Processo, ProcessoEvento, UpdateRecebido
from tests import documentos_de_teste as arquivos
from tests.fake_openai import FakeOpenAI
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa
from tests.replicas import ADMIN_ID, Replicas

MEMBROS = 4
ESPERA = 15.0  # seconds a reply may take through two replicas on a loaded machine


def enviados(tg: FakeTelegram, chat_id: int, contendo: str) -> int:
    """How many messages the bot sent to `chat_id` containing `contendo`."""
    return sum(
        1
        for c in tg.calls
        if c.method in ("sendMessage", "sendRichMessage")
        and c.error is None
        and c.params.get("chat_id") == chat_id
        and contendo in (c.result or {}).get("text", "")
    )


async def test_two_replicas_receiving_every_update_do_each_thing_once(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI, tmp_path: Path
) -> None:
    async with Replicas(tg, database_url, tmp_path, ai=ai, eco=True) as rig:
        admin = Pessoa(tg, ADMIN_ID, "Ada")
        membros = [Pessoa(tg, 7_200_000 + n, f"Pessoa {n}") for n in range(MEMBROS)]
        for pessoa in [admin, *membros]:
            await pessoa.diz("/start", timeout=ESPERA)

        numeros: dict[int, str] = {}
        novos: list[dict[str, Any]] = []
        for pessoa in membros:
            for k in range(2):
                pessoa._cursor = len(tg.calls)
                novos.append(tg.send_text(pessoa.user, f"/novo Replica {pessoa.id}-{k}"))
                resposta = await pessoa.ve("aberto", timeout=ESPERA)
                numero = re.search(r"20\d\d-\d{4}", resposta["text"])
                assert numero is not None, resposta["text"]
                numeros.setdefault(pessoa.id, numero.group())
        for pessoa in membros:
            tela = await pessoa.diz(f"/processo {numeros[pessoa.id]}", timeout=ESPERA)
            await pessoa.toca(tela, "Comentar", timeout=ESPERA)
            await pessoa.diz(f"comentário de {pessoa.id}", timeout=ESPERA)
            await pessoa.diz(f"/lembrar amanhã 9h lembrete de {pessoa.id}", timeout=ESPERA)
            await pessoa.diz(f"Professor, o que é idempotência? ({pessoa.id})", timeout=ESPERA)
        dono_do_documento = membros[0]
        tg.send_document(
            dono_do_documento.user, "clientes.csv", arquivos.csv_clientes(), mime_type="text/csv"
        )
        await dono_do_documento.ve("está na base de conhecimento", timeout=30)

        # Telegram delivers some updates again (a lost 200): both replicas get those too.
        for novo in novos:
            tg.redeliver(novo)

        previa = await admin.diz("/aviso Reunião geral amanhã às 10h", timeout=ESPERA)
        await admin.toca(previa, "Enviar", timeout=ESPERA)
        await admin.ve("Aviso concluído", timeout=30)

        inicio = len(tg.calls)
        async with database.sessions.begin() as session:  # the reminders come due now
            await session.execute(update(Lembrete).values(quando=func.now()))
        await tg.wait_for(
            lambda: all(
                any(
                    c.method == "sendMessage" and c.params.get("chat_id") == p.id
                    and "Lembrete" in (c.result or {}).get("text", "")
                    for c in tg.calls[inicio:]
                )
                for p in membros
            ) or None,
            timeout=60,
        )  # fmt: skip
        await asyncio.sleep(2.0)  # time for a double to show up, were there one

        assert rig.proxy.falhas == 0
        erros, descartados = rig.erros(), rig.descartados()

    async with database.sessions() as session:
        titulos = list(await session.scalars(select(Processo.titulo)))
        comentarios = await session.scalar(
            select(func.count()).where(ProcessoEvento.tipo == "comentario")
        )
        lembretes = await session.scalar(select(func.count()).select_from(Lembrete))
        respostas = await session.scalar(select(func.count()).where(Mensagem.papel == "mentor"))
        documentos = await session.scalar(select(func.count()).select_from(Documento))
        inbox = list(
            await session.execute(select(UpdateRecebido.update_id, UpdateRecebido.concluido_em))
        )

    esperados = Counter(f"Replica {p.id}-{k}" for p in membros for k in range(2))
    assert Counter(titulos) == esperados
    for pessoa in membros:
        for k in range(2):
            assert enviados(tg, pessoa.id, f"aberto: Replica {pessoa.id}-{k}") == 1
        assert enviados(tg, pessoa.id, f"Lembrete\nlembrete de {pessoa.id}") == 1
        assert enviados(tg, pessoa.id, "📣 Aviso") == 1
    assert comentarios == MEMBROS
    assert lembretes == MEMBROS
    assert respostas == MEMBROS and len(ai.pedidos) == MEMBROS
    assert documentos == 1 and enviados(tg, dono_do_documento.id, "está na base") == 1
    gerados = tg._next_update_id - 700_000_001
    assert len(inbox) == gerados  # none lost on the way
    assert all(concluido is not None for _, concluido in inbox)
    # Every update reached both replicas, one dropped it; a redelivered one both dropped.
    assert sum(descartados.values()) == gerados + 2 * len(novos)
    assert all(descartados.values())
    assert erros == []


async def test_one_persons_questions_wait_across_replicas_and_a_stop_crosses_them(
    database: Database,
) -> None:
    """Two `Fila`s on one database are two replicas (each its own process state)."""
    aqui, ali = Fila(database.sessions, intervalo=0.02), Fila(database.sessions, intervalo=0.02)
    ordem: list[str] = []
    comecou, liberar = asyncio.Event(), asyncio.Event()
    parada_vista = asyncio.Event()

    async def primeira(atendimento: Atendimento) -> None:
        comecou.set()
        await asyncio.wait_for(atendimento.parar.wait(), timeout=5)
        parada_vista.set()
        await liberar.wait()
        ordem.append("ana 1")

    async def segunda(atendimento: Atendimento) -> None:
        ordem.append("ana 2")

    async def de_outra_pessoa(atendimento: Atendimento) -> None:
        ordem.append("bia 1")

    assert await aqui.enfileirar((10, 1), primeira, pergunta_id=1) == 0
    await asyncio.wait_for(comecou.wait(), timeout=5)
    assert await ali.enfileirar((10, 1), segunda, pergunta_id=2) == 1  # told it is queued
    assert await ali.enfileirar((20, 2), de_outra_pessoa) == 0
    await asyncio.sleep(0.2)
    assert ordem == ["bia 1"]  # Ana's second question waits; Bia never waited
    assert ali.perguntas() == [2] and aqui.perguntas() == [1]

    assert await ali.parar((10, 1))  # ⏹ pressed where the answer does not run
    await asyncio.wait_for(parada_vista.wait(), timeout=2)
    liberar.set()
    for _ in range(100):
        if len(ordem) == 3:
            break
        await asyncio.sleep(0.02)

    assert ordem == ["bia 1", "ana 1", "ana 2"]
    assert not await aqui.parar((10, 1)) and not await ali.parar((10, 1))  # nothing left
    await aqui.fechar()
    await ali.fechar()


async def test_a_replica_that_died_holds_nobody_up(database: Database) -> None:
    """Its rows stop beating; after the silence the next question starts elsewhere."""
    morta = Fila(database.sessions, intervalo=0.02, silencio=0.5)
    viva = Fila(database.sessions, intervalo=0.02, silencio=0.5)
    nunca = asyncio.Event()
    respondida = asyncio.Event()

    async def presa(atendimento: Atendimento) -> None:
        await nunca.wait()

    async def resposta(atendimento: Atendimento) -> None:
        respondida.set()

    await morta.enfileirar((30, 3), presa)
    assert morta._vigia is not None
    morta._vigia.cancel()  # the process is gone (kill -9): nobody beats for its row any more
    await asyncio.sleep(0.6)
    assert await viva.enfileirar((30, 3), resposta) == 0
    await asyncio.wait_for(respondida.wait(), timeout=2)
    nunca.set()
    await viva.fechar()


async def test_a_replica_stopping_gives_its_place_in_the_queue_up_at_once(
    database: Database,
) -> None:
    """A deploy stops a replica mid-answer: the person's next question does not wait."""
    parando, seguinte = Fila(database.sessions), Fila(database.sessions)
    nunca, respondida = asyncio.Event(), asyncio.Event()

    async def presa(atendimento: Atendimento) -> None:
        await nunca.wait()

    async def resposta(atendimento: Atendimento) -> None:
        respondida.set()

    await parando.enfileirar((40, 4), presa)
    await parando.fechar()
    assert await seguinte.enfileirar((40, 4), resposta) == 0
    await asyncio.wait_for(respondida.wait(), timeout=2)
    nunca.set()
    await seguinte.fechar()


async def test_a_replica_starting_takes_over_only_what_a_dead_one_left(database: Database) -> None:
    """Unfinished updates are replayed only when the replica holding them is gone."""
    viva, morta = CaixaDeEntrada(database.sessions), CaixaDeEntrada(database.sessions)
    await viva.presenca.abrir()
    await morta.presenca.abrir()
    await viva.admitir([(801, {"update_id": 801})])  # being handled by a live replica
    await morta.admitir([(802, {"update_id": 802})])
    await morta.presenca.fechar()  # that process died: PostgreSQL let its lock go

    nova = CaixaDeEntrada(database.sessions)
    await nova.presenca.abrir()
    assert [p.update_id for p in await nova.pendentes()] == [802]
    outra = CaixaDeEntrada(database.sessions)  # a third replica: 802 is the new one's now
    await outra.presenca.abrir()
    assert await outra.pendentes() == []

    await viva.fechar()  # stopped with 801 unfinished: anybody's to replay now
    assert [p.update_id for p in await outra.pendentes()] == [801]
    for caixa in (nova, outra):
        await caixa.fechar()
