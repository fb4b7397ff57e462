"""What counts as an update's change, and what does not: the rules behind the replay test.

The first transaction that changes rows while an update is handled marks it; bookkeeping opts
out; tasks a handler starts (the mentor's answer) never mark it nor are refused for it.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select, text, update

from bot import texts
from bot.database import Database
from bot.entrada.efeito import JaFeito, SessoesComEntrada, entregando, referencia
from db.models import Contato, Mensagem, MentorAcao, UpdateRecebido
from tests.fake_openai import Chamada, FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.test_mentor import espera_resposta
from tests.test_processos import registrar

UPDATE_ID = 4242


@pytest.fixture
async def sessoes(database: Database) -> SessoesComEntrada:
    """The services' sessions, and one update in the inbox to handle."""
    async with database.sessions() as session:
        await session.execute(
            text("INSERT INTO updates_recebidos (update_id, dados) VALUES (:id, :dados)"),
            {"id": UPDATE_ID, "dados": json.dumps({"update_id": UPDATE_ID})},
        )
    return SessoesComEntrada(database.engine)


async def _marca(database: Database, update_id: int = UPDATE_ID) -> tuple[bool, str | None]:
    async with database.sessions() as session:
        linha = (
            await session.execute(
                select(UpdateRecebido.efetivado_em, UpdateRecebido.referencia).where(
                    UpdateRecebido.update_id == update_id
                )
            )
        ).one()
    return linha.efetivado_em is not None, linha.referencia


async def _contatos(database: Database) -> list[str]:
    async with database.sessions() as session:
        return list(await session.scalars(select(Contato.nome).order_by(Contato.id)))


async def test_reads_even_locking_ones_and_updates_that_match_nothing_do_not_mark(
    sessoes: SessoesComEntrada, database: Database
) -> None:
    with entregando(UPDATE_ID):
        async with sessoes.begin() as session:
            await session.execute(select(Contato).with_for_update())
            await session.execute(update(Contato).where(Contato.id == -1).values(nome="x"))

    assert await _marca(database) == (False, None)


async def test_the_first_write_marks_with_its_reference_and_a_replay_is_refused_before_reading(
    sessoes: SessoesComEntrada, database: Database
) -> None:
    with entregando(UPDATE_ID):
        async with sessoes.begin() as session:
            session.add(Contato(nome="Maria"))
            referencia(session, "contato Maria")
        async with sessoes.begin() as session:  # a later write of the same update: no mark
            session.add(Contato(nome="João"))
    assert await _marca(database) == (True, "contato Maria")

    with entregando(UPDATE_ID, feita_antes=True, referencia="contato Maria"):
        with pytest.raises(JaFeito, match="contato Maria"):
            sessoes()
        with pytest.raises(JaFeito):
            async with sessoes.begin(efeito=False):
                pass

    assert await _contatos(database) == ["Maria", "João"]


async def test_a_second_attempt_that_did_not_know_is_refused_by_the_mark_and_writes_nothing(
    sessoes: SessoesComEntrada, database: Database
) -> None:
    with entregando(UPDATE_ID):
        async with sessoes.begin() as session:
            session.add(Contato(nome="Maria"))

    with entregando(UPDATE_ID), pytest.raises(JaFeito):  # e.g. another replica's replay
        async with sessoes.begin() as session:
            session.add(Contato(nome="Maria de novo"))

    assert await _contatos(database) == ["Maria"]


async def test_bookkeeping_with_efeito_false_leaves_the_mark_to_the_change(
    sessoes: SessoesComEntrada, database: Database
) -> None:
    with entregando(UPDATE_ID):
        async with sessoes.begin(efeito=False) as session:
            session.add(Contato(nome="Rascunho"))
        assert await _marca(database) == (False, None)
        async with sessoes.begin() as session:
            session.add(Contato(nome="Maria"))
            referencia(session, "contato Maria")

    assert await _marca(database) == (True, "contato Maria")


async def test_an_autocommit_write_during_an_update_is_refused_before_it_runs(
    sessoes: SessoesComEntrada, database: Database
) -> None:
    inserir = text("INSERT INTO contatos (nome) VALUES ('Sem marca')")
    with entregando(UPDATE_ID):
        with pytest.raises(RuntimeError, match="exactly-once"):
            async with sessoes() as session:
                await session.execute(inserir)
        async with sessoes.connect(efeito=False) as conn:  # bookkeeping says so
            await conn.execute(text("INSERT INTO contatos (nome) VALUES ('Fato')"))
    async with sessoes() as session:  # outside an update, autocommit writes as ever
        await session.execute(inserir)

    assert await _contatos(database) == ["Fato", "Sem marca"]
    assert await _marca(database) == (False, None)


async def test_a_task_started_while_handling_an_update_neither_marks_it_nor_is_refused(
    sessoes: SessoesComEntrada, database: Database
) -> None:
    async def mais_tarde(nome: str) -> None:  # like the mentor's answer task
        async with sessoes.begin() as session:
            session.add(Contato(nome=nome))

    with entregando(UPDATE_ID):
        await asyncio.create_task(mais_tarde("Da tarefa"))
    assert await _marca(database) == (False, None)

    with entregando(UPDATE_ID, feita_antes=True):
        await asyncio.create_task(mais_tarde("Da tarefa, num replay"))

    assert await _contatos(database) == ["Da tarefa", "Da tarefa, num replay"]


async def test_the_mentors_answer_task_leaves_the_question_unmarked_and_the_tap_marks_its_own(
    professor: object, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = await registrar(tg, 301, "Ana")
    ai.roteiro += [
        Resposta(chamadas=[Chamada("propor_processo", {"titulo": "Revisar o rollback"})]),
        Resposta(texto="Preparei o processo; confirme no botão."),
    ]
    pergunta = tg.send_text(ana.user, "Abra um processo para revisarmos o rollback")
    resposta = await espera_resposta(tg, ana.id, "confirme no botão")
    async with database.sessions() as session:
        propostas = await session.scalar(select(MentorAcao.id))
        memoria = list(await session.scalars(select(Mensagem.papel).order_by(Mensagem.id)))
    assert propostas is not None and memoria == ["usuario", "mentor"]  # written by the task

    # The question was marked by its admission in the handler, not by the task's writes.
    assert await _marca(database, pergunta["update_id"]) == (True, texts.REFERENCIA_PERGUNTA)

    await ana.toca(resposta, "Abrir: Revisar o rollback")
    confirmado = await ana.ve("aberto")
    async with database.sessions() as session:
        toque = await session.scalar(select(UpdateRecebido.update_id).order_by(
            UpdateRecebido.update_id.desc()).limit(1))  # fmt: skip
    feito, nome = await _marca(database, toque or 0)
    assert feito and nome is not None and nome.removeprefix("processo ") in confirmado["text"]
