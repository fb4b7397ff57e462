"""Hostile input gets a clear pt-BR message, is stored clean, and never crashes a handler."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot import texts
from bot.app import CogepApplication
from bot.database import Database
from db.models import Contato, Processo
from tests.conftest import ADMIN_ID
from tests.fake_telegram import FakeTelegram
from tests.test_processos import registrar

GIGANTE = "9" * 26
INVISIVEL = "\u200b\u200c\u2060\ufeff\u3164"


async def _titulos(database: Database) -> list[str]:
    async with database.sessions() as session:
        return list(await session.scalars(select(Processo.titulo).order_by(Processo.id)))


async def test_a_nul_byte_in_a_title_is_dropped_and_the_processo_is_created(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 601, "Ana")

    reply = await ana.diz("/novo Migrar\x00 servidor\x07 \x1b[2Je-mail")

    assert "aberto" in reply["text"]
    assert await _titulos(database) == ["Migrar servidor [2Je-mail"]


async def test_a_guided_draft_with_control_characters_is_kept_clean(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 602, "Ana")

    await ana.diz("/novo")
    await ana.diz("Título\x00 com\x08 lixo")
    descricao = await ana.diz("linha 1\x00\nlinha\t2\x1b")

    assert "Título com lixo" in descricao["text"] or "prazo" in descricao["text"].lower()


async def test_an_invisible_title_is_refused_with_a_clear_message(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 603, "Ana")

    reply = await ana.diz(f"/novo {INVISIVEL}")

    assert "invisíve" in reply["text"]
    assert await _titulos(database) == []


async def test_an_invisible_contact_name_is_refused(
    bot: CogepApplication, tg: FakeTelegram, database: Database
) -> None:
    ana = await registrar(tg, 604, "Ana")

    reply = await ana.diz(f"/contato novo {INVISIVEL}")

    assert "invisíve" in reply["text"]
    async with database.sessions() as session:
        assert list(await session.scalars(select(Contato.nome))) == []


async def test_an_invisible_display_name_is_refused(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 605, "Ana")

    perfil = await ana.diz("/perfil")
    await ana.toca(perfil, texts.BOTAO_NOME)
    reply = await ana.diz(INVISIVEL)

    assert "invisíve" in reply["text"]
    assert "Nome: Ana" in (await ana.diz("/perfil"))["text"]


@pytest.mark.parametrize(
    "comando",
    [
        f"/processo {GIGANTE}",
        f"/processo 2026-{GIGANTE}",
        f"/processo #{GIGANTE}",
        f"/buscar {GIGANTE}",
        f"/papel {GIGANTE} gestor",
        f"/acesso {GIGANTE} liberar",
        "/processo -9223372036854775809",
        "/processo \x00",
        f"/contato {GIGANTE}",
        "/novo \ud800 título com surrogate",
    ],
)
async def test_hostile_numbers_and_bytes_get_an_answer_and_no_traceback(
    bot: CogepApplication,
    tg: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
    comando: str,
) -> None:
    chefe = await registrar(tg, ADMIN_ID, "Chefe")

    with caplog.at_level(logging.WARNING):
        reply = await chefe.diz(comando)

    assert "algo deu errado" not in reply["text"]
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize(
    "dados",
    [
        f"pv:{GIGANTE}",
        f"ct:{GIGANTE}",
        f"pa:1:{GIGANTE}",
        "pv:\x00",
    ],
)
async def test_a_forged_button_is_answered_like_a_stale_one(
    bot: CogepApplication, tg: FakeTelegram, caplog: pytest.LogCaptureFixture, dados: str
) -> None:
    ana = await registrar(tg, 606, "Ana")
    tela = await ana.diz("/ajuda")

    with caplog.at_level(logging.WARNING):
        await ana.toca_dados(tela["message_id"], dados)

    assert not [r for r in caplog.records if r.exc_info]
    assert "algo deu errado" not in (tg.answered_callbacks()[-1].get("text") or "")
