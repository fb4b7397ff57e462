"""Telegram adapters. `register` is the one place that shows the whole bot.

A handler parses the update, calls one service and sends one text; it never touches the
database (no sqlalchemy here). A new command is a `@registered` function in its feature module
and one line below; a new button is a kind in `handlers.botoes` and one `on_button` line; a new
guided question joins `CONVERSAS`. See docs/architecture.md.

Group -1 is the gate for group chats (`grupos.porteiro`): a group nobody authorised gets no
further. Then one group, in order: commands and buttons, then the catch-alls (unknown command,
free text, unsupported media, a button of no known kind), so nothing falls through silently.
Each kind of button (`handlers.botoes`) is routed by `on_button` to one handler, decoded.
The caller's row is loaded on demand by `CogepContext.carregar_usuario` (the `registered` and
`on_button` guards), not for every update.
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
    documentos,
    formulario,
    grupos,
    inicio,
    lembretes,
    mentor,
    notificacoes,
    novo,
    perfil,
    processos,
)
from handlers import botoes as b
from handlers.common import on_button
from handlers.formulario import CONVERSAS_KEY, Conversas
from handlers.texto import text_router

# Every persisted conversation by flow name: the guided forms, then the one-question prompts.
CONVERSAS = Conversas.de(
    [novo.FORM, contatos.FORM],
    {
        perfil.FLOW: perfil.perfil_resposta,
        contatos.FLOW_EDICAO: contatos.resposta_edicao,
        processos.FLOW_COMENTARIO: processos.comentario,
        processos.FLOW_PRAZO: processos.prazo,
        processos.FLOW_VINCULO: processos.vinculo,
        processos.FLOW_TITULO: processos.titulo,
        processos.FLOW_DESCRICAO: processos.descricao,
        mentor.FLOW: mentor.pergunta_sobre_processo,
    },
)

# Edited messages and channel posts are ignored on purpose: re-running an edited command would
# surprise people, and Cogep has no business in channels.
MESSAGES = filters.UpdateType.MESSAGE


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach every handler, in order."""
    app.bot_data[CONVERSAS_KEY] = CONVERSAS
    app.add_handler(TypeHandler(Update, grupos.porteiro), group=-1)
    app.add_handlers(
        [
            CommandHandler("start", inicio.start, filters=MESSAGES),
            CommandHandler("ajuda", inicio.ajuda, filters=MESSAGES),
            CommandHandler("help", inicio.ajuda, filters=MESSAGES),
            CommandHandler("cancelar", inicio.cancelar, filters=MESSAGES),
            CommandHandler("perfil", perfil.perfil, filters=MESSAGES),
            on_button(b.Perfil, perfil.perfil_botao),
            # Buttons of the guided forms (/novo, /contato novo):
            on_button(b.Pular, formulario.pular),
            on_button(b.Rascunho, formulario.decidir_rascunho),
            CommandHandler("novo", novo.novo, filters=MESSAGES),
            on_button(b.NovoPrioridade, novo.escolher_prioridade),
            on_button(b.NovoContato, novo.escolher_contato),
            CommandHandler("processos", processos.listar, filters=MESSAGES),
            CommandHandler("processo", processos.processo, filters=MESSAGES),
            CommandHandler("buscar", processos.buscar, filters=MESSAGES),
            on_button(b.Lista, processos.listar_pagina),
            on_button(b.FiltrarPorResponsavel, processos.filtrar_por_responsavel),
            on_button(b.VerProcesso, processos.ver),
            on_button(b.MudarStatus, processos.mudar_status),
            on_button(b.EscolherResponsavel, processos.escolher_responsavel),
            on_button(b.Atribuir, processos.atribuir),
            on_button(b.Prioridade, processos.prioridade),
            on_button(b.Comentar, processos.comentar),
            on_button(b.MudarPrazo, processos.pedir_prazo),
            on_button(b.PedirContato, processos.pedir_contato),
            on_button(b.VincularContato, processos.vincular),
            on_button(b.Editar, processos.editar),
            on_button(b.EditarTitulo, processos.pedir_titulo),
            on_button(b.EditarDescricao, processos.pedir_descricao),
            on_button(b.Historico, processos.historico),
            CommandHandler("contatos", contatos.contatos, filters=MESSAGES),
            CommandHandler("contato", contatos.contato, filters=MESSAGES),
            on_button(b.CartaoContato, contatos.abrir_cartao),
            on_button(b.PaginaContatos, contatos.paginar),
            on_button(b.EditarContato, contatos.editar),
            on_button(b.VoltarAoContato, contatos.voltar),
            on_button(b.EditarCampo, contatos.pedir_campo),
            on_button(b.ArquivarContato, contatos.arquivar),
            on_button(b.RemoverContato, contatos.remover),
            CommandHandler("documentos", documentos.documentos, filters=MESSAGES),
            CommandHandler("ingerir", documentos.ingerir, filters=MESSAGES),
            CommandHandler("conhecimento", documentos.conhecimento, filters=MESSAGES),
            on_button(b.AbrirDocumento, documentos.abrir),
            on_button(b.PaginaDeDocumentos, documentos.paginar),
            on_button(b.AlternarPrivado, documentos.alternar_privado),
            on_button(b.RemoverDocumento, documentos.remover),
            on_button(b.ManterDocumento, documentos.manter),
            on_button(b.VerMais, documentos.ver_mais),
            on_button(b.BuscarNosDocumentos, documentos.buscar_nos_documentos),
            MessageHandler(
                MESSAGES & filters.ChatType.PRIVATE & filters.Document.ALL, documentos.receber
            ),
            CommandHandler("lembrar", lembretes.lembrar, filters=MESSAGES),
            CommandHandler("lembretes", lembretes.lembretes, filters=MESSAGES),
            on_button(b.CancelarLembrete, lembretes.cancelar),
            on_button(b.AdiarLembrete, lembretes.adiar),
            CommandHandler("notificacoes", notificacoes.notificacoes, filters=MESSAGES),
            on_button(b.Notificacoes, notificacoes.botao),
            CommandHandler("aviso", aviso.aviso, filters=MESSAGES),
            on_button(b.Aviso, aviso.botao),
            CommandHandler("usuarios", admin.usuarios, filters=MESSAGES),
            CommandHandler("papel", admin.papel, filters=MESSAGES),
            CommandHandler("acesso", admin.acesso, filters=MESSAGES),
            on_button(b.DecidirAcesso, admin.decidir),
            on_button(b.CartaoUsuario, admin.cartao),
            on_button(b.DefinirPapel, admin.definir_papel),
            CommandHandler("autorizar", grupos.autorizar, filters=MESSAGES),
            CommandHandler("desautorizar", grupos.desautorizar, filters=MESSAGES),
            ChatMemberHandler(grupos.participacao, ChatMemberHandler.MY_CHAT_MEMBER),
            CommandHandler("nova_conversa", mentor.nova_conversa, filters=MESSAGES),
            CommandHandler("uso", mentor.uso, filters=MESSAGES),
            CommandHandler("persona", mentor.persona, filters=MESSAGES),
            on_button(b.PararResposta, mentor.botao_parar),
            on_button(b.TentarDeNovo, mentor.botao_repetir),
            on_button(b.PerguntarAoProfessor, mentor.botao_perguntar_sobre),
            on_button(b.ConfirmarAcao, mentor.botao_confirmar),
            on_button(b.RecusarAcao, mentor.botao_recusar),
            # Catch-alls, last:
            MessageHandler(
                MESSAGES & filters.COMMAND & filters.ChatType.PRIVATE, inicio.comando_desconhecido
            ),
            MessageHandler(MESSAGES & filters.TEXT, text_router(CONVERSAS)),
            MessageHandler(
                MESSAGES & filters.ChatType.PRIVATE & ~filters.TEXT, inicio.nao_suportado
            ),
            CallbackQueryHandler(common.botao_desconhecido),
        ]
    )
    # Bot API 10.3's `stopped_message_generation` (a draft's stop button) has no PTB type yet.
    app.add_handler(TypeHandler(Update, mentor.rascunho_parado), group=1)
    app.add_error_handler(common.on_error)
