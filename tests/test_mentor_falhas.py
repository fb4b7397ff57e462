"""Stopping an answer, and every model fault: a clear message, the question kept, 🔁 re-asks it."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from db.models import Mensagem
from tests.conftest import mentor_settings
from tests.fake_openai import Chamada, FakeOpenAI, Resposta, eco
from tests.fake_telegram import JSON, FakeTelegram
from tests.test_mentor import espera_resposta
from tests.test_processos import registrar, tornar_gestor

LONGA = "Primeiro, entenda o domínio antes de escolher a arquitetura. " * 30


async def turnos(database: Database) -> list[tuple[str, str, str]]:
    async with database.sessions() as session:
        linhas = await session.scalars(select(Mensagem).order_by(Mensagem.id))
        return [(m.papel, m.estado, m.texto) for m in linhas]


# -- stopping ---------------------------------------------------------------------------------
@pytest.fixture
async def grupo(professor: CogepApplication, tg: FakeTelegram, database: Database) -> JSON:
    gil = await registrar(tg, 1890, "Gil")
    await tornar_gestor(database, gil)
    chat = tg.group(-100180, "Plataforma")
    mark = tg.mark(chat["id"])
    tg.my_chat_member(gil.user, new_status="administrator", chat=chat)
    await tg.wait_for_message(chat["id"], after=mark)
    return chat


async def test_parar_in_a_group_cancels_the_model_request_and_keeps_the_partial_answer(
    grupo: JSON, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana, bia = await registrar(tg, 1801, "Ana"), await registrar(tg, 1802, "Bia")
    ai.roteiro.append(Resposta(texto=LONGA, pedaco=5, intervalo=0.05))

    ana.envia("@cogep_test_bot por onde começo o desenho?", chat=grupo)
    parcial = await tg.wait_for_message(grupo["id"], predicate=lambda m: "Primeiro" in m["text"])
    await bia.toca_dados(parcial["message_id"], bia.botao(parcial, "Parar"))  # not hers to stop
    await ana.toca(parcial, "Parar")
    final = await espera_resposta(tg, grupo["id"], "Resposta interrompida")
    await ai.esperar(lambda: ai.desconexoes == 1)

    assert "Só quem perguntou" in tg.answered_callbacks()[0]["text"]
    assert final["text"].startswith("Primeiro, entenda")
    assert len(final["text"]) < len(LONGA)
    assert ai.concluidas == 0  # the model never finished: the request itself was cancelled
    papel, estado, texto = (await turnos(database))[-1]
    assert (papel, estado) == ("mentor", "parcial") and texto.startswith("Primeiro")


async def test_the_drafts_own_stop_button_stops_a_private_answer(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = await registrar(tg, 1803, "Ana")
    ai.roteiro.append(Resposta(texto=LONGA, pedaco=5, intervalo=0.05))

    ana.envia("Explique DDD")
    draft = await tg.wait_for(lambda: next((d for d in tg.drafts(ana.id) if d["text"]), None))
    tg.stop_generation(ana.user, draft["draft_id"])
    final = await espera_resposta(tg, ana.id, "Resposta interrompida")
    await ai.esperar(lambda: ai.desconexoes == 1)

    assert draft["can_stop"]
    assert final["text"].startswith(draft["text"]) and len(final["text"]) < len(LONGA)
    assert (await turnos(database))[-1][:2] == ("mentor", "parcial")


async def test_cancelar_stops_the_running_answer(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1804, "Ana")
    ai.roteiro.append(Resposta(texto=LONGA, pedaco=5, intervalo=0.05))

    ana.envia("Explique CQRS")
    await tg.wait_for(lambda: [d for d in tg.drafts(ana.id) if d["text"]])
    resposta = await ana.diz("/cancelar")
    await espera_resposta(tg, ana.id, "Resposta interrompida")

    assert "Parei a resposta" in resposta["text"]
    await ai.esperar(lambda: ai.desconexoes == 1)


# -- faults -------------------------------------------------------------------------------------
def porta_fechada() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def impaciente(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI
) -> AsyncIterator[CogepApplication]:
    """The mentor with a 0.5 s timeout and one retry."""
    settings = mentor_settings(tg, database_url, ai, mentor_timeout=0.5)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


FALHAS = {
    "timeout": ([Resposta(texto="tarde demais", atraso=1.5)] * 2, "demorou demais"),
    "429 longo": ([Resposta(status=429, retry_after=30)], "sobrecarregado"),
    "5xx": ([Resposta(status=502)] * 2, "com problemas"),
    "cortada": ([Resposta(texto=LONGA, pedaco=20, cortar_apos=3)], "chegou cortada"),
    "malformada": ([Resposta(texto=LONGA, pedaco=20, malformado=True)], "chegou cortada"),
    "contexto": (  # refused again with a quarter of the memory: then the user is told
        [Resposta(status=400, codigo="context_length_exceeded", texto="maximum context length")]
        * 2,
        "longa demais",
    ),
    "ferramentas": ([Resposta(chamadas=[Chamada("listar_processos", {})])] * 4, "se enrolou"),
}


@pytest.mark.parametrize("falha", list(FALHAS))
async def test_a_model_fault_explains_itself_keeps_the_question_and_retry_answers_it(
    impaciente: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database, falha: str
) -> None:
    ana = await registrar(tg, 1805, "Ana")
    roteiro, motivo = FALHAS[falha]
    ai.roteiro += [*roteiro, Resposta(texto="Agora sim: comece pelo domínio.")]

    inicio = time.monotonic()
    ana.envia("Como desenho o módulo de faturas?")
    aviso = await espera_resposta(tg, ana.id, "Não consegui responder")
    demorou = time.monotonic() - inicio
    guardada = (await turnos(database))[-1]
    await ana.toca(aviso, "Tentar de novo")
    resposta = await espera_resposta(tg, ana.id, "Agora sim")

    assert motivo in aviso["text"] and "Sua pergunta ficou guardada" in aviso["text"]
    assert demorou < 5
    assert guardada == ("usuario", "falhou", "Como desenho o módulo de faturas?")
    assert resposta["text"] == "Agora sim: comece pelo domínio."
    estados = [(papel, estado) for papel, estado, _ in await turnos(database)]
    assert estados == [("usuario", "ok"), ("mentor", "ok")]  # one question, answered once
    assert ai.pedidos[-1]["messages"][-1]["content"] == "Como desenho o módulo de faturas?"
    if falha == "429 longo":
        assert "30 s" in aviso["text"]


async def test_a_refused_connection_explains_itself(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI
) -> None:
    settings = mentor_settings(
        tg, database_url, ai, openai_base_url=f"http://127.0.0.1:{porta_fechada()}/v1"
    )
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        ana = await registrar(tg, 1806, "Ana")
        ana.envia("Olá, professor")
        aviso = await espera_resposta(tg, ana.id, "Não consegui responder")

    assert "não consegui me conectar" in aviso["text"]
    assert "Tentar de novo" in str(aviso["reply_markup"])


async def test_a_short_retry_after_is_waited_out_and_the_answer_arrives(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1807, "Ana")
    ai.roteiro += [Resposta(status=429, retry_after=0.3), Resposta(texto="Respondido.")]

    inicio = time.monotonic()
    ana.envia("Oi")
    await espera_resposta(tg, ana.id, "Respondido.")

    assert len(ai.pedidos) == 2
    assert time.monotonic() - inicio >= 0.3


async def test_while_one_answer_hangs_everyone_else_is_served(
    impaciente: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana, bia = await registrar(tg, 1808, "Ana"), await registrar(tg, 1809, "Bia")

    def modelo(pedido: JSON) -> Resposta:
        resposta = eco(pedido)
        resposta.atraso = 1.5 if "lenta" in resposta.texto else 0.0
        return resposta

    ai.padrao = modelo

    ana.envia("pergunta lenta")
    await ai.esperar(lambda: len(ai.pedidos) == 1)
    bia.envia("pergunta rápida")
    rapida = await espera_resposta(tg, bia.id, "Você perguntou: pergunta rápida", timeout=3)
    lenta = await espera_resposta(tg, ana.id, "Não consegui responder")

    assert rapida["message_id"] and "demorou demais" in lenta["text"]


async def test_a_context_too_long_for_the_model_is_retried_with_less_memory(
    impaciente: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1810, "Ana")
    for numero in range(3):
        ana.envia(f"Contexto {numero}: " + "detalhe " * 300)
        await espera_resposta(tg, ana.id, f"Você perguntou: Contexto {numero}")
    recusa = Resposta(status=400, codigo="context_length_exceeded", texto="maximum context length")
    ai.roteiro += [recusa, Resposta(texto="Cabe agora.")]

    ana.envia("E então?")
    await espera_resposta(tg, ana.id, "Cabe agora.")

    tamanhos = [len(str(p["messages"])) for p in ai.pedidos if p.get("stream")][-2:]
    assert tamanhos[1] < tamanhos[0]  # the second request carried less memory
