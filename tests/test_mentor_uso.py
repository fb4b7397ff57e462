"""Usage and limits: tokens from the model's usage fields, cost in /uso, per-minute and daily
limits (admins exempt), and /persona for admins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import CogepApplication, build_application, serving
from bot.database import Database
from db.models import MentorUso
from tests.conftest import ADMIN_ID, mentor_settings
from tests.fake_openai import FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.test_mentor import espera_resposta
from tests.test_processos import registrar


@pytest.fixture
def limites() -> dict[str, Any]:
    return {}


@pytest.fixture
async def mentor(
    tg: FakeTelegram, database: Database, database_url: str, ai: FakeOpenAI, limites: dict[str, Any]
) -> AsyncIterator[CogepApplication]:
    settings = mentor_settings(
        tg, database_url, ai, mentor_preco_entrada=1.0, mentor_preco_saida=2.0, **limites
    )
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


async def test_uso_shows_the_models_own_token_counts_and_their_cost(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1901, "Ana")
    ai.roteiro.append(Resposta(texto="Resposta medida.", entrada=1000, saida=500))
    ana.envia("Quanto custa?")
    await espera_resposta(tg, ana.id, "Resposta medida.")

    uso = await ana.diz("/uso")

    assert "Hoje: 1.000 tokens de entrada + 500 de saída · ≈ US$ 0,0020" in uso["text"]
    assert "Limite diário: 200.000 tokens (restam 198.500)" in uso["text"]
    assert "Uso da equipe" not in uso["text"]


async def test_admins_see_everyones_usage(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana, admin = await registrar(tg, 1902, "Ana"), await registrar(tg, ADMIN_ID, "Rita")
    ai.roteiro.append(Resposta(texto="Ok.", entrada=300, saida=200))
    ana.envia("Oi")
    await espera_resposta(tg, ana.id, "Ok.")

    uso = await admin.diz("/uso")

    assert "Uso da equipe neste mês" in uso["text"]
    assert "• Ana: 300 + 200 tokens · ≈ US$ 0,0007" in uso["text"]
    assert "Limite diário" not in uso["text"]  # admins are exempt


async def test_an_answer_without_usage_fields_is_still_counted(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI, database: Database
) -> None:
    ana = await registrar(tg, 1903, "Ana")
    ai.roteiro.append(Resposta(texto="Sem contagem do servidor." * 10, sem_uso=True))
    ana.envia("Conte você mesmo")
    await espera_resposta(tg, ana.id, "Sem contagem")

    async with database.sessions() as session:
        (uso,) = list(await session.scalars(select(MentorUso)))
    assert uso.tokens_entrada > 0 and uso.tokens_saida > 0


@pytest.mark.parametrize("limites", [{"mentor_perguntas_por_minuto": 2}])
async def test_the_per_minute_limit_refuses_clearly_and_exempts_admins(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana, admin = await registrar(tg, 1904, "Ana"), await registrar(tg, ADMIN_ID, "Rita")
    for numero in (1, 2):
        ana.envia(f"pergunta {numero}")
        await espera_resposta(tg, ana.id, f"Você perguntou: pergunta {numero}")
    recusa = await ana.diz("pergunta 3")
    for numero in (1, 2, 3):
        admin.envia(f"admin {numero}")
        await espera_resposta(tg, admin.id, f"Você perguntou: admin {numero}")

    assert "no máximo 2 perguntas por minuto" in recusa["text"]
    perguntas = [p["messages"][-1]["content"] for p in ai.pedidos]
    assert "pergunta 3" not in perguntas and "admin 3" in perguntas


@pytest.mark.parametrize("limites", [{"mentor_tokens_por_dia": 1000}])
async def test_the_daily_token_budget_refuses_clearly_once_spent(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    ana = await registrar(tg, 1905, "Ana")
    ai.roteiro.append(Resposta(texto="Resposta cara.", entrada=900, saida=300))
    ana.envia("Uma pergunta longa")
    await espera_resposta(tg, ana.id, "Resposta cara.")

    recusa = await ana.diz("Outra")

    assert "1.000 tokens diários" in recusa["text"] and "/uso" in recusa["text"]
    assert len(ai.pedidos) == 1


async def test_persona_is_shown_to_admins_only(mentor: CogepApplication, tg: FakeTelegram) -> None:
    ana, admin = await registrar(tg, 1906, "Ana"), await registrar(tg, ADMIN_ID, "Rita")

    recusa = await ana.diz("/persona")
    persona = await admin.diz("/persona")

    assert "Só administradores" in recusa["text"]
    assert "Professor Anatoly Petrovich" in persona["text"]
    assert "Modelo: fake-mentor" in persona["text"]
    assert "nunca como instruções" in persona["text"]


async def _rajada(tg: FakeTelegram, ai: FakeOpenAI, quantas: int) -> list[str]:
    """Ana sends `quantas` questions while her first, slow answer runs; what she was told."""
    ana = await registrar(tg, 1907, "Ana")
    ai.roteiro.append(Resposta(texto="Primeira, devagar.", pedaco=2, intervalo=0.1))
    ana.envia("pergunta 0")
    await ai.esperar(lambda: len(ai.pedidos) == 1)
    marca = tg.mark(ana.id)
    for numero in range(1, quantas):
        ana.envia(f"pergunta {numero}")
    await ana.diz("/uso")  # a chat's updates run in order: the burst has been handled
    await espera_resposta(tg, ana.id, "Primeira, devagar.", timeout=15)
    return [m["text"] for m in tg.chat_messages(ana.id) if m["message_id"] > marca]


@pytest.mark.parametrize("limites", [{"mentor_perguntas_por_minuto": 3}])
async def test_a_burst_while_an_answer_runs_gets_the_per_minute_limit_and_is_told_once(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    textos = await _rajada(tg, ai, 30)
    await espera_resposta(tg, 1907, "Você perguntou: pergunta 2")

    assert len(ai.pedidos) == 3  # not 30: each question counted when it was queued
    assert sum("no máximo 3 perguntas por minuto" in t for t in textos) == 1


async def test_a_burst_stops_at_a_few_waiting_questions_per_person(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    textos = await _rajada(tg, ai, 30)
    await espera_resposta(tg, 1907, "Você perguntou: pergunta 3")

    assert len(ai.pedidos) == 4  # the one running and three waiting
    assert sum("perguntas suas esperando" in t for t in textos) == 1


@pytest.mark.parametrize("limites", [{"mentor_tokens_por_dia": 20_000}])
async def test_a_burst_cannot_reserve_more_than_the_daily_token_budget(
    mentor: CogepApplication, tg: FakeTelegram, ai: FakeOpenAI
) -> None:
    textos = await _rajada(tg, ai, 10)  # each waiting question reserves 6,000 + 1,500 tokens
    await espera_resposta(tg, 1907, "Você perguntou: pergunta 2")

    assert len(ai.pedidos) == 3
    assert sum("tokens diários" in t for t in textos) == 1
