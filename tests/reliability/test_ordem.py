"""A user's updates run in order, except a stop or a cancel: it never waits behind what it stops."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.app import CogepApplication
from bot.ordering import Interrupcao
from tests.fake_telegram import FakeTelegram
from tests.test_processos import registrar


async def test_cancelar_is_answered_while_the_same_users_slow_request_runs(
    bot: CogepApplication, tg: FakeTelegram
) -> None:
    ana = await registrar(tg, 1001, "Ana")
    services = bot.bot_data.services
    liberar = asyncio.Event()
    original = services.processos.listar

    async def lento(*args: Any, **kwargs: Any) -> Any:
        await liberar.wait()
        return await original(*args, **kwargs)

    object.__setattr__(services.processos, "listar", lento)
    try:
        ana.envia("/processos")
        cancelou = await ana.diz("/cancelar")  # answered although /processos still runs
        ana.envia("/ajuda")
        await asyncio.sleep(0.3)
        antes = [m["text"] for m in tg.chat_messages(ana.id)]
        assert not any(t.startswith("Comandos") for t in antes)  # the rest still waits its turn
        liberar.set()
        await ana.ve("Comandos")
    finally:
        object.__setattr__(services.processos, "listar", original)

    assert "cancel" in cancelou["text"].lower() or "nada" in cancelou["text"].lower()
    textos = [m["text"] for m in tg.chat_messages(ana.id)]
    assert textos[-2].startswith("Processos") and textos[-1].startswith("Comandos")


def test_the_rule_names_what_may_skip_the_queue() -> None:
    regra = Interrupcao(prefixos_de_botao=frozenset({"mp:"}))
    chat = {"id": 5, "type": "private", "first_name": "Ana"}
    user = {"id": 5, "is_bot": False, "first_name": "Ana"}

    def mensagem(texto: str) -> Update:
        return Update.de_json(
            {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat,
                                         "from": user, "text": texto}}, None)  # fmt: skip

    def botao(dados: str) -> Update:
        return Update.de_json(
            {"update_id": 2, "callback_query": {"id": "1", "from": user, "chat_instance": "x",
                                                "data": dados}}, None)  # fmt: skip

    parada = Update.de_json(
        {"update_id": 3, "stopped_message_generation": {"chat": chat, "draft_id": 7}}, None
    )

    assert regra(mensagem("/cancelar")) and regra(mensagem("/cancelar@cogep_bot"))
    assert regra(mensagem("Cancelar")) and regra(parada) and regra(botao("mp:parar:1"))
    assert not regra(mensagem("/novo cancelar tudo")) and not regra(mensagem("/processos"))
    assert not regra(botao("pv:1")) and not regra(mensagem("quero cancelar o 42"))
