"""Hybrid search: with an embedding model, a question in other words finds the passage.

Runs where pgvector is: the run's database when it has the extension, else an embedded
PostgreSQL (which ships pgvector) started for this module. The model is tests.fake_embeddings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import migrations
from bot.conhecimento import ConhecimentoService
from bot.conhecimento.vetores import Vetores, criar
from bot.settings import Settings
from db.engine import Sessions, create_engine, create_sessions
from db.models import Base, Usuario
from tests.fake_embeddings import FakeEmbeddings
from tests.test_conhecimento import Caixa
from tests.throwaway import execute_admin

FROTA = "# Frota\n\nO carro da equipe fica no estacionamento do prédio, vaga 12."
DEPLOY = "# Deploy\n\nA versão nova sobe às sextas depois dos testes de carga."


async def _tem_pgvector(engine: AsyncEngine) -> bool:
    async with engine.connect() as conexao:
        return bool(
            await conexao.scalar(
                text("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
            )
        )


@pytest.fixture(scope="module")
async def motor_vetorial(
    engine: AsyncEngine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """An engine on a migrated database whose server has pgvector."""
    if await _tem_pgvector(engine):
        yield engine
        return
    from bot.embedded_db import EmbeddedPostgres

    servidor = EmbeddedPostgres(tmp_path_factory.mktemp("pgvector") / "pgdata")
    try:
        url = make_url(await asyncio.to_thread(servidor.start))
    except Exception as exc:  # no embedded binaries on this machine
        pytest.skip(f"no PostgreSQL with pgvector here: {exc}")
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    await execute_admin(admin, 'CREATE DATABASE "cogep_vetores"')
    motor = create_engine(url.set(database="cogep_vetores").render_as_string(hide_password=False))
    await migrations.upgrade(motor)
    yield motor
    await motor.dispose()
    servidor.stop()


@pytest.fixture
async def sessoes(motor_vetorial: AsyncEngine) -> Sessions:
    tabelas = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with motor_vetorial.begin() as conexao:
        await conexao.execute(text(f"TRUNCATE {tabelas} RESTART IDENTITY CASCADE"))
    return create_sessions(motor_vetorial)


@pytest.fixture
async def modelo() -> AsyncIterator[FakeEmbeddings]:
    async with FakeEmbeddings() as fake:
        yield fake


def _settings(fake: FakeEmbeddings, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        openai_api_key="sk-test",
        openai_base_url=fake.base_url,
        openai_embedding_model="fake-embed",
        **extra,
    )


@pytest.fixture
async def servico(sessoes: Sessions, modelo: FakeEmbeddings) -> AsyncIterator[ConhecimentoService]:
    settings = _settings(modelo)
    vetores = criar(settings)
    assert isinstance(vetores, Vetores)
    vetores_rapidos = Vetores(vetores._cliente, "fake-embed", espera_maxima=0.05)
    servico = ConhecimentoService(sessoes, settings, Caixa(), vetores=vetores_rapidos)
    await servico.iniciar()
    yield servico
    await servico.parar()


async def _pessoa(sessoes: Sessions, telegram_id: int, nome: str) -> Usuario:
    async with sessoes.begin() as session:
        usuario = Usuario(telegram_id=telegram_id, nome=nome)
        session.add(usuario)
    return usuario


async def _ingerir(
    servico: ConhecimentoService, pasta: Path, nome: str, texto: str, **kw: Any
) -> Any:
    (pasta / nome).write_text(texto)
    doc = await servico.registrar_arquivo(pasta / nome, **kw)
    return await servico.processar(doc.id)


async def test_a_question_in_other_words_finds_the_passage_by_meaning(
    servico: ConhecimentoService, sessoes: Sessions, modelo: FakeEmbeddings, tmp_path: Path
) -> None:
    ana = await _pessoa(sessoes, 1, "Ana")
    await _ingerir(servico, tmp_path, "frota.md", FROTA, dono=ana)
    await _ingerir(servico, tmp_path, "deploy.md", DEPLOY, dono=ana)

    passagens = await servico.buscar(ana, "onde guardam o automóvel")
    por_palavra = await servico.buscar(ana, "testes de carga")

    assert passagens and passagens[0].titulo == "Frota"
    assert por_palavra[0].titulo == "Deploy"  # full text still leads when words match
    async with sessoes() as session:
        assert await session.scalar(text("SELECT count(*) FROM trecho_vetores")) == 2


async def test_the_vector_side_respects_privacy_too(
    servico: ConhecimentoService, sessoes: Sessions, tmp_path: Path
) -> None:
    ana = await _pessoa(sessoes, 1, "Ana")
    bruno = await _pessoa(sessoes, 2, "Bruno")
    await _ingerir(servico, tmp_path, "frota.md", FROTA, dono=ana, privado=True)

    assert [p.titulo for p in await servico.buscar(ana, "automóvel")] == ["Frota"]
    assert await servico.buscar(bruno, "automóvel") == []


async def test_a_flaky_model_is_retried_and_a_dead_one_costs_only_the_vectors(
    servico: ConhecimentoService, sessoes: Sessions, modelo: FakeEmbeddings, tmp_path: Path
) -> None:
    ana = await _pessoa(sessoes, 1, "Ana")
    modelo.fail_next(429, times=2)
    primeiro = await _ingerir(servico, tmp_path, "frota.md", FROTA, dono=ana)
    modelo.fail_next(500, times=10)
    segundo = await _ingerir(servico, tmp_path, "deploy.md", DEPLOY, dono=ana)

    assert primeiro.desfecho == "pronto" and segundo.desfecho == "pronto"
    assert len(modelo.requests) == 3 + 4  # two refusals then success; four failed tries
    por_palavra = await servico.buscar(ana, "sextas")  # the model is still down: full text
    assert [p.titulo for p in por_palavra] == ["Deploy"]
    async with sessoes() as session:
        assert await session.scalar(text("SELECT count(*) FROM trecho_vetores")) == 1


async def test_without_pgvector_or_a_model_search_is_full_text_and_says_so(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cogep.conhecimento")
    sem_modelo = criar(Settings(_env_file=None))

    assert sem_modelo is None
    assert "full-text search only (OPENAI_EMBEDDING_MODEL not set)" in caplog.text
    if not await _tem_pgvector(engine):  # the machine's PostgreSQL: the model is not enough
        vetores = criar(Settings(_env_file=None, openai_embedding_model="x"))
        assert vetores is not None
        assert not await vetores.preparar(create_sessions(engine))
        assert "no pgvector" in caplog.text
