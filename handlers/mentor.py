"""The mentor in the chat: free text, its buttons, /nova_conversa, /uso, /persona.

A question is queued per (chat, person) in a `Fila` (in PostgreSQL, so in order whichever
replica received it) and answered in a task of its own, so the update that brought it returns
at once: the person's next update (⏹ Parar, /cancelar, another question, which is told it is
queued) is never stuck behind a running answer, and nobody else waits for it either. A stop
may arrive at any replica: it goes through the queue's row to the one answering. What the Bot
API server refused (rich messages, drafts) is read from `RecursosDoServidor` for each answer.
The question is stored and counted against the limits when it is queued
(`MentorService.admitir`). The answer streams through `bot.saida.transmissao`.

`vigiar` (started with the app) keeps the heartbeat of this process's questions and, for the
ones a killed process left pending, finishes their frozen group placeholders (the service
offers 🔁 through the outbox).

Its buttons are kinds of `handlers.botoes` (PerguntarAoProfessor, PararResposta, TentarDeNovo,
ConfirmarAcao, RecusarAcao), routed here by `on_button` already decoded.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot, TypeHandler

from bot import texts
from bot.database import is_outage
from bot.errors import CogepError, explicavel
from bot.fluxos import Fluxo
from bot.mentor.fila import Atendimento, Fila
from bot.mentor.recursos import RASCUNHO, RICO, RecursosDoServidor
from bot.mentor.servico import Interrompida, Pergunta, Resposta
from bot.mentor.voz import TOKENS_POR_SEGUNDO
from bot.render import to_plain
from bot.saida.envio import edit_teclado, reply_html
from bot.saida.transmissao import Servidor, Transmissao
from bot.services import Services
from bot.usuarios.regras import administra
from db.models import Processo, Usuario
from handlers import botoes as b
from handlers import teclados
from handlers.common import on_button, registered
from handlers.context import CogepApplication, CogepContext
from handlers.rotas import Comando, Rotas

log = logging.getLogger("cogep.mentor.handlers")

FLOW = "mentor"  # the next message is a question about a processo (after 🎓 on its card)
STOPPED_UPDATE = "stopped_message_generation"  # Bot API 10.3; PTB 22.8 keeps it in api_kwargs
VIGIA_INTERVALO = 15.0  # seconds between heartbeats of the questions in flight
VIGIA_SILENCIO = timedelta(seconds=60)  # a question silent this long lost its process


def _fila(context: CogepContext) -> Fila:
    return _fila_de(context.application)


def _fila_de(app: CogepApplication) -> Fila:
    estado = app.bot_data
    if estado.fila_do_mentor is None:
        estado.fila_do_mentor = Fila(estado.services.sessions, app.create_task)
    return estado.fila_do_mentor


def _recursos(context: CogepContext) -> RecursosDoServidor:
    estado = context.bot_data
    if estado.recursos_do_mentor is None:
        estado.recursos_do_mentor = RecursosDoServidor(estado.services.sessions)
    return estado.recursos_do_mentor


def _sem_mencao(texto: str, bot_username: str) -> str:
    """The question without the @mention that addressed it to the bot in a group."""
    return re.sub(rf"@{re.escape(bot_username)}\b", "", texto, flags=re.IGNORECASE).strip()


# -- asking ---------------------------------------------------------------------------------
async def perguntar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Free text (private, or addressed to the bot in a group): a question for the mentor."""
    await _perguntar(update, context, usuario)


async def pergunta_sobre_processo(
    update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo
) -> None:
    """The message after 🎓: a question about that processo."""
    assert update.effective_chat is not None
    await context.services.fluxos.encerrar(
        chat_id=update.effective_chat.id, telegram_id=usuario.telegram_id
    )
    await _perguntar(update, context, usuario, processo_id=int(fluxo.dados["processo_id"]))


async def _perguntar(
    update: Update, context: CogepContext, usuario: Usuario, *, processo_id: int | None = None
) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    texto = _sem_mencao(message.text or "", context.bot.username)
    if not texto:
        await reply_html(update, context.bot, texts.AJUDA_MENTOR_VAZIA)
        return
    pergunta = Pergunta(
        usuario=usuario,
        chat_id=message.chat_id,
        texto=texto,
        grupo=message.chat.type != "private",
        processo_id=processo_id,
    )
    await _enfileirar(update, context, pergunta, responder_a=message.message_id)


async def perguntar_com_imagem(
    update: Update, context: CogepContext, usuario: Usuario, *, legenda: str, imagem: str
) -> None:
    """A photo (a data URL), its caption as the question: for the mentor, image and all."""
    message = update.effective_message
    assert message is not None
    pergunta = Pergunta(
        usuario=usuario,
        chat_id=message.chat_id,
        texto=texts.pergunta_com_imagem(_sem_mencao(legenda, context.bot.username)),
        grupo=message.chat.type != "private",
        imagem=imagem,
    )
    await _enfileirar(update, context, pergunta, responder_a=message.message_id)


async def _enfileirar(
    update: Update, context: CogepContext, pedida: Pergunta, *, responder_a: int | None
) -> None:
    """Store the question (counted against the limits now) and queue its answer."""
    assert update.effective_user is not None
    services, bot, recursos = context.services, context.bot, _recursos(context)
    pergunta = await services.mentor.admitir(pedida)
    if pergunta is None:  # the rest of a burst whose refusal was already told
        return

    async def trabalho(atendimento: Atendimento) -> None:
        recusados = await recursos.recusados()
        ricas = services.settings.mensagens_ricas and RICO not in recusados  # opt-in
        servidor = Servidor(rico=ricas, rascunho=RASCUNHO not in recusados)
        try:
            await _atender(bot, services, servidor, pergunta, atendimento, responder_a=responder_a)
        finally:  # what this answer learnt, every replica knows from now on
            tentados = ((RICO, ricas, servidor.rico),
                        (RASCUNHO, RASCUNHO not in recusados, servidor.rascunho))  # fmt: skip
            for nome, tentou, sabe in tentados:
                if tentou and not sabe:
                    await recursos.recusar(nome)

    chave = (pergunta.chat_id, update.effective_user.id)
    a_frente = await _fila(context).enfileirar(chave, trabalho, pergunta_id=pergunta.pergunta_id)
    if a_frente:
        await reply_html(update, context.bot, texts.mentor_na_fila(a_frente))


async def _atender(
    bot: ExtBot[None],
    services: Services,
    servidor: Servidor,
    pergunta: Pergunta,
    atendimento: Atendimento,
    *,
    responder_a: int | None,
) -> None:
    """Answer one question in the chat, from the first visible piece to the final message."""
    parar = teclados.parar_resposta(atendimento.numero)
    transmissao = Transmissao(
        bot, servidor, chat_id=pergunta.chat_id, privado=not pergunta.grupo,
        numero=atendimento.numero, responder_a=responder_a, parar=parar,
    )  # fmt: skip
    try:
        await transmissao.comecar()
        if transmissao.marcador_id is not None:
            await services.mentor.guardar_marcador(pergunta, transmissao.marcador_id)
        resposta = await services.mentor.responder(
            pergunta, transmissao.crescer, atendimento.parar, ao_consultar=transmissao.consultar
        )
    except Exception as exc:  # the processo in focus vanished, the database is down, a bug
        await _abandonar(services, pergunta)
        if isinstance(exc, CogepError) and explicavel(exc):
            aviso = exc.message or texts.ERRO_INTERNO
        elif is_outage(exc):
            log.error("mentor answer in chat %s: database unreachable: %s", pergunta.chat_id, exc)
            aviso = texts.BANCO_INDISPONIVEL
        else:
            log.exception("mentor answer in chat %s failed", pergunta.chat_id)
            aviso = texts.ERRO_INTERNO
        try:  # replaces the placeholder or the draft, like an answer would
            await transmissao.terminar(to_plain(aviso), teclado=None)
        except TelegramError:
            log.warning("could not tell chat %s that its answer failed", pergunta.chat_id)
        return
    try:
        await transmissao.terminar(_markdown_final(resposta), teclado=_teclado_final(resposta))
    except TelegramError as exc:  # even plain text was refused: the answer stays stored
        log.warning("answer in chat %s not delivered: %s", pergunta.chat_id, exc)
    await services.mentor.resumir(pergunta.chat_id, pergunta.usuario, resposta)


async def _abandonar(services: Services, pergunta: Pergunta) -> None:
    """A question whose answer broke waits for 🔁 instead of staying pending."""
    try:
        await services.mentor.abandonar(pergunta)
    except Exception as exc:  # the database is down: the start-up sweep will find it
        log.warning("could not mark question %s failed: %s", pergunta.pergunta_id, exc)


def _markdown_final(resposta: Resposta) -> str:
    texto = resposta.texto
    if resposta.sem_imagem:
        texto = f"{texts.MENTOR_SEM_IMAGEM_MD}\n\n{texto}"
    if resposta.fontes:
        texto += texts.fontes_md(resposta.fontes)
    if resposta.parada:
        texto += texts.MENTOR_PARADO_MD
    if resposta.estado == "falhou" and resposta.falha is not None:
        aviso = texts.falha_md(resposta.falha, espera=resposta.espera)
        texto = f"{texto}\n\n{aviso}" if texto else aviso
    return texto


def _teclado_final(resposta: Resposta) -> InlineKeyboardMarkup | None:
    repetir = resposta.pergunta_id if resposta.estado == "falhou" else None
    propostas = [(p.acao_id, p.resumo) for p in resposta.propostas]
    return teclados.fim_da_resposta(propostas, repetir=repetir)


# -- questions in flight, and those a crash cut off ------------------------------------------
async def vigiar(app: CogepApplication) -> None:
    """Every VIGIA_INTERVALO: renew the heartbeat of this process's questions, fail those of
    a dead process (silent past VIGIA_SILENCIO; at start-up that is a crash before it), which
    offers 🔁 through the outbox, and finish their frozen group placeholders with a note."""
    services = app.bot_data.services
    try:
        while True:
            try:
                await services.mentor.manter_vivas(_fila_de(app).perguntas())
                interrompidas = await services.mentor.recolher_interrompidas(
                    silencio=VIGIA_SILENCIO
                )
                for interrompida in interrompidas:
                    if interrompida.marcador_id is not None:
                        await _finalizar_marcador(app.bot, interrompida)
            except Exception as exc:  # the database is down: next round
                log.warning("mentor watch round failed: %s", exc)
            await asyncio.sleep(VIGIA_INTERVALO)
    finally:  # stopped with the app: the queue stops looking too
        await _fila_de(app).fechar()


async def _finalizar_marcador(bot: Bot, interrompida: Interrompida) -> None:
    assert interrompida.marcador_id is not None
    try:
        await bot.edit_message_text(
            texts.MENTOR_INTERROMPIDA_NO_MARCADOR,
            chat_id=interrompida.chat_id,
            message_id=interrompida.marcador_id,
            reply_markup=InlineKeyboardMarkup([]),
        )
    except TelegramError as exc:  # deleted, too old, or the group is gone: nothing to finish
        log.info("could not finish placeholder in chat %s: %s", interrompida.chat_id, exc)


# -- stopping -------------------------------------------------------------------------------
async def parar_resposta(update: Update, context: CogepContext) -> bool:
    """/cancelar: stop the caller's running answer in this chat; whether there was one."""
    if update.effective_chat is None or update.effective_user is None:
        return False
    chave = (update.effective_chat.id, update.effective_user.id)
    return await _fila(context).parar(chave)


async def botao_parar(
    update: Update, context: CogepContext, usuario: Usuario, botao: b.BotaoPararResposta
) -> None:
    """⏹ Parar: only the person who asked can stop their answer."""
    query = update.callback_query
    assert query is not None
    fila = _fila(context)
    chave = await fila.dono(botao.numero)
    if chave is not None and chave[1] != usuario.telegram_id:
        await query.answer(texts.MENTOR_PARAR_ALHEIO, show_alert=True)
        return
    if chave is None or not await fila.parar(chave, numero=botao.numero):
        await query.answer(texts.MENTOR_NADA_PARA_PARAR)
        return
    await query.answer(to_plain(texts.MENTOR_PARADA))


async def rascunho_parado(update: Update, context: CogepContext) -> None:
    """The stop button of a draft (Bot API 10.3 `stopped_message_generation`)."""
    evento: Any = update.api_kwargs.get(STOPPED_UPDATE)
    if not isinstance(evento, dict):
        return
    chat = (evento.get("chat") or {}).get("id")
    numero = int(evento.get("draft_id") or 0)
    fila = _fila(context)
    chave = await fila.dono(numero)
    # Drafts live in private chats only, where the chat is the person.
    if chave is not None and chave == (chat, chat):
        await fila.parar(chave, numero=numero)


# -- buttons ----------------------------------------------------------------------------------
async def botao_repetir(
    update: Update, context: CogepContext, usuario: Usuario, botao: b.BotaoTentarDeNovo
) -> None:
    """🔁 Tentar de novo: ask the stored question again."""
    query = update.callback_query
    assert query is not None
    pergunta = await context.services.mentor.pergunta_guardada(usuario, botao.mensagem_id)
    await query.answer()
    if isinstance(query.message, Message):
        await edit_teclado(query.message, InlineKeyboardMarkup([]))
    await _enfileirar(update, context, pergunta, responder_a=None)


async def botao_perguntar_sobre(
    update: Update, context: CogepContext, usuario: Usuario, botao: b.BotaoPerguntarAoProfessor
) -> None:
    """🎓 on a processo card: the next message is a question about it."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    processo = await context.services.mentor.processo_em_foco(usuario, botao.processo_id)
    await context.services.fluxos.salvar(
        chat_id=update.effective_chat.id,
        telegram_id=usuario.telegram_id,
        fluxo=Fluxo(FLOW, "pergunta", {"processo_id": processo.id}),
    )
    await query.answer()
    await reply_html(update, context.bot, texts.pergunte_sobre(processo))


async def botao_confirmar(
    update: Update, context: CogepContext, usuario: Usuario, botao: b.BotaoConfirmarAcao
) -> None:
    """✅ under a proposal: open the processo (or set the reminder), if it was proposed to this
    user."""
    query = update.callback_query
    assert query is not None
    feito = await context.services.mentor.confirmar(usuario, botao.acao_id)
    await query.answer()
    if isinstance(query.message, Message):
        await edit_teclado(query.message, InlineKeyboardMarkup([]))
    agora, zona = context.services.processos.agora(), usuario.fuso_horario
    if isinstance(feito, Processo):
        html = texts.processo_criado(feito, zona=zona, agora=agora)
    else:
        html = texts.lembrete_do_mentor(feito.texto, feito.quando, zona=zona, agora=agora)
    await reply_html(update, context.bot, html)


async def botao_recusar(
    update: Update, context: CogepContext, usuario: Usuario, botao: b.BotaoRecusarAcao
) -> None:
    """✖️ under a proposal: drop it."""
    query = update.callback_query
    assert query is not None
    await context.services.mentor.recusar(usuario, botao.acao_id)
    await query.answer(texts.MENTOR_PROPOSTA_RECUSADA)
    if isinstance(query.message, Message):
        await edit_teclado(query.message, InlineKeyboardMarkup([]))


# -- commands -------------------------------------------------------------------------------
@registered
async def nova_conversa(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Start a fresh conversation with the mentor in this chat."""
    assert update.effective_chat is not None
    esquecidas = await context.services.mentor.nova_conversa(update.effective_chat.id)
    await reply_html(update, context.bot, texts.nova_conversa(esquecidas))


@registered
async def uso(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Tokens and estimated cost: your own; admins see everyone's too."""
    mentor = context.services.mentor
    meu = await mentor.uso(usuario)
    html = texts.uso_pessoal(
        meu.hoje, meu.mes, custo_hoje=mentor.custo(*meu.hoje), custo_mes=mentor.custo(*meu.mes),
        limite=meu.limite_diario, voz=(meu.voz_hoje, meu.voz_mes),
        custo_voz=mentor.custo_voz(meu.voz_mes), voz_em_tokens=meu.voz_hoje * TOKENS_POR_SEGUNDO,
    )  # fmt: skip
    if administra(usuario):
        equipe = await mentor.uso_da_equipe(usuario)
        linhas = [(u, e, s, mentor.custo(e, s)) for u, e, s in equipe]
        html += "\n\n" + texts.uso_da_equipe(linhas)
    await reply_html(update, context.bot, html)


@registered
async def persona(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Show the mentor's persona (admins)."""
    mentor = context.services.mentor
    texto = mentor.persona_para(usuario)
    modelo = mentor.modelo.nome if mentor.modelo is not None else None
    await reply_html(update, context.bot, texts.persona(texto, modelo=modelo))


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[
        Comando("nova_conversa", nova_conversa, texts.AJUDA_NOVA_CONVERSA),
        Comando("uso", uso, texts.AJUDA_USO),
        Comando("persona", persona, texts.AJUDA_PERSONA, secao="admin"),
    ],
    handlers=[
        on_button(b.BotaoPararResposta, botao_parar),
        on_button(b.BotaoTentarDeNovo, botao_repetir),
        on_button(b.BotaoPerguntarAoProfessor, botao_perguntar_sobre),
        on_button(b.BotaoConfirmarAcao, botao_confirmar),
        on_button(b.BotaoRecusarAcao, botao_recusar),
    ],
    perguntas={FLOW: pergunta_sobre_processo},
    # Bot API 10.3's `stopped_message_generation` (a draft's stop button) has no PTB type yet.
    grupos={1: [TypeHandler(Update, rascunho_parado)]},
)
