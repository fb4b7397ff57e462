"""The mentor remembers a conversation within a token budget, summarises the rest, and forgets
it on /nova_conversa."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from bot.mentor.tokens import Estimador
from db.models import Mensagem
from tests.conftest import mentor_settings
from tests.fake_openai import JSON, FakeOpenAI, Resposta, eco
from tests.fake_telegram import FakeTelegram
from tests.test_mentor import espera_resposta
from tests.test_processos import registrar

ENCHIMENTO = " Isso pede cuidado com contratos, versões e a observabilidade do serviço." * 4


def conteudos(pedido: JSON) -> list[tuple[str, str]]:
    return [(m["role"], str(m["content"])) for m in pedido["messages"]]


async def test_the_previous_turns_go_back_to_the_model(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1501, "Ana")
    ana.envia("Estou desenhando uma fila de pagamentos")
    await espera_resposta(tg, ana.id, "Você perguntou: Estou desenhando")
    ana.envia("Qual o risco principal?")
    await espera_resposta(tg, ana.id, "Você perguntou: Qual o risco")

    turnos = conteudos(ai.pedidos[-1])[1:]
    assert turnos == [
        ("user", "Estou desenhando uma fila de pagamentos"),
        ("assistant", "Você perguntou: Estou desenhando uma fila de pagamentos"),
        ("user", "Qual o risco principal?"),
    ]


@pytest.fixture
async def memoria_curta(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI
) -> AsyncIterator[CogepApplication]:
    """The mentor with a 200-token memory, and a model that summarises when asked."""

    def modelo(pedido: JSON) -> Resposta:
        if not pedido.get("stream"):
            return Resposta(texto="Ana desenha uma fila de pagamentos e prefere Rust.")
        resposta = eco(pedido)
        resposta.texto += ENCHIMENTO
        return resposta

    ai.padrao = modelo
    settings = mentor_settings(tg, database_url, ai, mentor_contexto_tokens=200)
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


async def test_memory_is_trimmed_to_the_budget_and_older_turns_are_summarised(
    memoria_curta: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = await registrar(tg, 1502, "Ana")
    for numero in range(1, 5):
        ana.envia(f"Pergunta {numero}: prefiro Rust para a fila")
        await espera_resposta(tg, ana.id, f"Você perguntou: Pergunta {numero}")
    await ai.esperar(lambda: any(not p.get("stream") for p in ai.pedidos))
    async with database.sessions() as session:
        resumos = list(await session.scalars(select(Mensagem).where(Mensagem.papel == "resumo")))
    ana.envia("Pergunta 5: e agora?")
    await espera_resposta(tg, ana.id, "Você perguntou: Pergunta 5")

    estimador = Estimador()
    ultimo = conteudos(ai.pedidos[-1])
    historico = [texto for papel, texto in ultimo if papel in ("user", "assistant")][:-1]
    assert sum(estimador.tokens(t) for t in historico) <= 200
    assert "Pergunta 1:" not in " ".join(historico)  # the oldest turn left the window...
    assert resumos and resumos[0].texto == "Ana desenha uma fila de pagamentos e prefere Rust."
    assert ("system", "Resumo da conversa até aqui:\n" + resumos[-1].texto) in ultimo  # ...but
    pedido_de_resumo = next(p for p in ai.pedidos if not p.get("stream"))
    assert "Pergunta 1: prefiro Rust" in pedido_de_resumo["messages"][-1]["content"]


async def test_nova_conversa_forgets_this_chat_only(
    professor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana, bia = await registrar(tg, 1503, "Ana"), await registrar(tg, 1504, "Bia")
    ana.envia("Lembre: o banco é PostgreSQL 15")
    await espera_resposta(tg, ana.id, "Você perguntou: Lembre")
    bia.envia("Lembre: uso Kafka")
    await espera_resposta(tg, bia.id, "Você perguntou: Lembre")

    limpa = await ana.diz("/nova_conversa")
    ana.envia("Qual é o banco?")
    await espera_resposta(tg, ana.id, "Você perguntou: Qual é o banco?")
    bia.envia("O que eu uso?")
    await espera_resposta(tg, bia.id, "Você perguntou: O que eu uso?")

    assert "esqueceu as 2 mensagens" in limpa["text"]
    pedido_ana = next(p for p in ai.pedidos if p["messages"][-1]["content"] == "Qual é o banco?")
    assert conteudos(pedido_ana)[1:] == [("user", "Qual é o banco?")]
    assert ("user", "Lembre: uso Kafka") in conteudos(ai.pedidos[-1])


def test_token_estimates_learn_from_the_models_usage() -> None:
    estimador = Estimador()
    texto = "palavra " * 250  # 2,000 characters

    antes = estimador.tokens(texto)
    for _ in range(10):
        estimador.calibrar(caracteres=2000, tokens=1000)  # a tokenizer that is 2 chars/token
    depois = estimador.tokens(texto)
    estimador.calibrar(caracteres=50, tokens=49)  # too small a sample to learn from

    assert antes == 500
    assert 950 <= depois <= 1050
    assert estimador.tokens(texto) == depois
    assert estimador.tokens("") == 0 and estimador.tokens("a") == 1
