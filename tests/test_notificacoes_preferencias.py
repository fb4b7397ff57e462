"""/notificacoes: each switch, the digest hour and the quiet hours — and that they are obeyed."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.database import Database
from db.models import Notificacao, Usuario
from tests.fake_telegram import FakeTelegram
from tests.test_processos import abrir, registrar, tornar_gestor


async def usuario(database: Database, telegram_id: int) -> Usuario:
    async with database.sessions() as session:
        found = await session.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id))
    assert found is not None
    return found


async def test_each_switch_the_digest_hour_and_quiet_hours_are_set_by_buttons(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 101, "Ana")
    tela = await ana.diz("/notificacoes")
    assert "Resumo diário às 08:00" in tela["text"] and "Silêncio: 22:00–08:00" in tela["text"]
    assert not any("parados" in b or "saúde" in b for b in ana.botoes(tela))  # a membro's screen

    for rotulo, coluna in (("Alertas de prazo", "notif_prazos"), ("Resumo diário", "notif_resumo"),
                           ("Mudanças", "notif_processos")):  # fmt: skip
        tela = await ana.toca(tela, rotulo)
        assert getattr(await usuario(database, ana.id), coluna) is False
    assert "🔕 Alertas de prazo" in ana.botoes(tela)

    escolha = await ana.toca(tela, "Resumo às")
    tela = await ana.toca(escolha, "07:00")
    escolha = await ana.toca(tela, "Silêncio")
    tela = await ana.toca(escolha, "23:00–07:00")
    me = await usuario(database, ana.id)
    assert (me.hora_resumo, me.silencio_inicio, me.silencio_fim) == (7, 23, 7)
    assert "Resumo diário às <b>07:00" in tela["text"] or "Resumo diário às 07:00" in tela["text"]

    tela = await ana.toca(tela, "Desligar tudo")
    assert (await usuario(database, ana.id)).notificacoes_ativas is False
    assert "desligadas" in tela["text"]
    await ana.toca(tela, "Ligar tudo")
    assert (await usuario(database, ana.id)).notificacoes_ativas is True


async def test_gestores_and_admins_are_offered_their_own_switches(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    gil = await registrar(tg, 103, "Gil")
    await tornar_gestor(database, gil)
    tela = await gil.diz("/notificacoes")
    assert any("parados" in b for b in gil.botoes(tela))
    assert not any("saúde" in b for b in gil.botoes(tela))
    await gil.toca(tela, "parados")
    assert (await usuario(database, gil.id)).notif_parados is False


async def test_the_processo_changes_switch_is_honoured(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana, gil = await registrar(tg, 101, "Ana"), await registrar(tg, 103, "Gil")
    await tornar_gestor(database, gil)
    numero = await abrir(ana, "Revisar contrato")
    await ana.toca(await ana.diz("/notificacoes"), "Mudanças")

    tela = await gil.diz(f"/processo {numero}")
    await gil.toca(tela, "Comentar")
    await gil.diz("Um comentário que Ana não quer ouvir")
    await asyncio.sleep(0.5)
    assert not any("comentou" in m["text"] for m in tg.chat_messages(ana.id))
    async with database.sessions() as session:
        assert (
            await session.scalar(select(Notificacao).where(Notificacao.tipo == "processo")) is None
        )


async def test_perfil_shows_the_notices_and_sends_to_notificacoes_to_change_them(
    tg: FakeTelegram, bot: object, database: Database
) -> None:
    ana = await registrar(tg, 104, "Ana")
    card = await ana.diz("/perfil")
    assert "Resumo diário: 08:00" in card["text"] and "/notificacoes" in card["text"]
    assert not any("Resumo diário:" in b for b in ana.botoes(card))  # nothing edited here

    tela = await ana.toca(card, "Notificações")
    escolha = await ana.toca(tela, "Resumo às")
    await ana.toca(escolha, "07:00")
    antigo = await ana.toca_dados(card["message_id"], "pf:hora:18")  # a button from before

    assert (await usuario(database, ana.id)).hora_resumo == 18
    assert "Resumo diário às" in antigo["text"]  # it opened /notificacoes, showing the change
    assert "Resumo diário: 18:00" in (await ana.diz("/perfil"))["text"]
