"""Telegram adapters. `register` is the one place that shows the whole bot.

Group -1 is the gate for group chats (`grupos.porteiro`): a group nobody authorised gets no
further. Then one group, in order: commands and buttons, then the catch-alls (unknown command,
free text, unsupported media), so nothing falls through silently. The caller's row is loaded
on demand by `CogepContext.carregar_usuario` (the `registered` guard), not for every update.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import (
    admin,
    aviso,
    common,
    contatos,
    grupos,
    inicio,
    lembretes,
    notificacoes,
    novo,
    perfil,
    processos,
)
from handlers.texto import FlowStep, text_router

FLOWS: dict[str, FlowStep] = {
    perfil.FLOW: perfil.perfil_resposta,
    novo.FLOW: novo.resposta,
    contatos.FLOW: contatos.resposta,
    contatos.FLOW_EDICAO: contatos.resposta_edicao,
    processos.FLOW_COMENTARIO: processos.resposta,
    processos.FLOW_PRAZO: processos.resposta,
    processos.FLOW_VINCULO: processos.resposta,
    processos.FLOW_TITULO: processos.resposta,
    processos.FLOW_DESCRICAO: processos.resposta,
}

# Edited messages and channel posts are ignored on purpose: re-running an edited command would
# surprise people, and Cogep has no business in channels.
MESSAGES = filters.UpdateType.MESSAGE


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach every handler, in order."""
    app.add_handler(TypeHandler(Update, grupos.porteiro), group=-1)
    app.add_handlers(
        [
            CommandHandler("start", inicio.start, filters=MESSAGES),
            CommandHandler("ajuda", inicio.ajuda, filters=MESSAGES),
            CommandHandler("help", inicio.ajuda, filters=MESSAGES),
            CommandHandler("cancelar", inicio.cancelar, filters=MESSAGES),
            CommandHandler("perfil", perfil.perfil, filters=MESSAGES),
            CallbackQueryHandler(perfil.perfil_botao, pattern=r"^pf:"),
            CommandHandler("novo", novo.novo, filters=MESSAGES),
            CallbackQueryHandler(novo.botao, pattern=r"^nv:"),
            CommandHandler("processos", processos.listar, filters=MESSAGES),
            CommandHandler("processo", processos.processo, filters=MESSAGES),
            CommandHandler("buscar", processos.buscar, filters=MESSAGES),
            CallbackQueryHandler(processos.botao, pattern=r"^p[a-z]+:"),
            CommandHandler("contatos", contatos.contatos, filters=MESSAGES),
            CommandHandler("contato", contatos.contato, filters=MESSAGES),
            CallbackQueryHandler(contatos.botao, pattern=r"^c[tlnefv]:"),
            CommandHandler("lembrar", lembretes.lembrar, filters=MESSAGES),
            CommandHandler("lembretes", lembretes.lembretes, filters=MESSAGES),
            CallbackQueryHandler(lembretes.botao, pattern=lembretes.CancelarLembrete.pattern()),
            CallbackQueryHandler(lembretes.botao, pattern=lembretes.AdiarLembrete.pattern()),
            CommandHandler("notificacoes", notificacoes.notificacoes, filters=MESSAGES),
            CallbackQueryHandler(notificacoes.botao, pattern=notificacoes.NotifBotao.pattern()),
            CommandHandler("aviso", aviso.aviso, filters=MESSAGES),
            CallbackQueryHandler(aviso.botao, pattern=aviso.AvisoBotao.pattern()),
            CommandHandler("usuarios", admin.usuarios, filters=MESSAGES),
            CommandHandler("papel", admin.papel, filters=MESSAGES),
            CommandHandler("acesso", admin.acesso, filters=MESSAGES),
            CallbackQueryHandler(admin.decidir, pattern=r"^ua:"),
            CommandHandler("autorizar", grupos.autorizar, filters=MESSAGES),
            CommandHandler("desautorizar", grupos.desautorizar, filters=MESSAGES),
            ChatMemberHandler(grupos.participacao, ChatMemberHandler.MY_CHAT_MEMBER),
            # Catch-alls, last:
            MessageHandler(
                MESSAGES & filters.COMMAND & filters.ChatType.PRIVATE, inicio.comando_desconhecido
            ),
            MessageHandler(MESSAGES & filters.TEXT, text_router(FLOWS)),
            MessageHandler(
                MESSAGES & filters.ChatType.PRIVATE & ~filters.TEXT, inicio.nao_suportado
            ),
        ]
    )
    app.add_error_handler(common.on_error)
