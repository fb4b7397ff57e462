"""/aviso: an admin previews, confirms, watches the progress, and may stop it midway."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from bot import texts
from bot.database import Database
from db.models import Usuario
from tests.conftest import ADMIN_ID
from tests.fake_telegram import FakeTelegram
from tests.test_notificacoes import pessoas
from tests.test_processos import registrar


def anuncios(tg: FakeTelegram) -> list[int]:
    return [
        c.params["chat_id"]
        for c in tg.calls_to("sendMessage")
        if c.error is None and c.result["text"].startswith("📣 Aviso\n")
    ]


async def test_an_admin_previews_confirms_and_reads_the_final_counts(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    admin = await registrar(tg, ADMIN_ID, "Ada")
    ids = await pessoas(tg, database, 12)
    tg.block(ids[0])
    tg.block(ids[1])
    async with database.sessions.begin() as session:  # an inactive user is not counted
        await session.execute(
            update(Usuario).where(Usuario.telegram_id == ids[2]).values(ativo=False)
        )

    previa = await admin.diz("/aviso Amanhã não haverá <expediente> & pronto")
    assert "vai para 11 pessoas" in previa["text"] and "<expediente> & pronto" in previa["text"]
    assert anuncios(tg) == []
    enviar = admin.botao(previa, "Enviar")
    await admin.toca(previa, "Enviar")
    final = await admin.ve("Aviso concluído", timeout=10)

    assert "✅ 9 enviados" in final["text"] and "🚫 2 bloquearam" in final["text"]
    assert sorted(anuncios(tg)) == sorted(ids[3:])
    assert admin.botoes(final) == []
    await admin.toca_dados(previa["message_id"], enviar)  # a second tap sends nothing more
    assert "já foi confirmado" in tg.answered_callbacks()[-1].get("text", "")
    assert len(anuncios(tg)) == 9


async def test_a_cancelled_announcement_stops(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    admin = await registrar(tg, ADMIN_ID, "Ada")
    await pessoas(tg, database, 150)  # five seconds at 30 a second
    previa = await admin.diz("/aviso Teste de envio")
    enviando = await admin.toca(previa, "Enviar")
    parar = admin.botao(enviando, "Parar")
    await tg.wait_for(lambda: len(anuncios(tg)) >= 10 or None, timeout=5)
    admin.tg.press(admin.user, previa["message_id"], parar)
    final = await admin.ve("Aviso concluído", timeout=10)

    enviados = len(anuncios(tg))
    assert "Envio interrompido" in final["text"] and enviados < 150
    await asyncio.sleep(1.0)
    assert len(anuncios(tg)) == enviados  # nothing goes out after the stop


async def test_a_membro_cannot_send_an_announcement(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    resposta = await ana.diz("/aviso oi a todos")
    assert "Só administradores" in resposta["text"]


async def test_an_announcement_to_nobody_is_refused_at_the_preview(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    admin = await registrar(tg, ADMIN_ID, "Ada")

    resposta = await admin.diz("/aviso Alguém aí?")

    assert "Não há ninguém ativo" in resposta["text"] and admin.botoes(resposta) == []


def test_the_counts_agree_with_their_numbers() -> None:
    final = texts.aviso_final(total=1, enviadas=1, bloqueados=1, falhas=1, cancelados=1)

    assert "(1 destinatário)" in final and "✅ 1 enviado ·" in final
    assert "🚫 1 bloqueou o bot" in final and "⚠️ 1 falhou" in final
    assert "1 não recebeu." in final
