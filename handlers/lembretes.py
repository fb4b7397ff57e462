"""/lembrar and /lembretes: personal reminders, with cancel and snooze buttons.

lc:<id>            cancel a reminder
la:<id>            show the snooze choices;  la:<id>:10m|1h|am  snooze (am: tomorrow 09:00)
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.errors import StaleState
from db.models import Lembrete, Usuario
from handlers.callbacks import Callback
from handlers.common import registered
from handlers.context import CogepContext
from handlers.reply import edit_html, edit_keyboard, reply_html

BOTOES_NA_LISTA = 20  # buttons for the soonest reminders (Telegram allows 100 per message)


@dataclass(frozen=True)
class CancelarLembrete(Callback, prefixo="lc"):
    """❌ under a reminder."""

    lembrete_id: int
    lista: int = 0  # 1: pressed in /lembretes, which is redrawn


@dataclass(frozen=True)
class AdiarLembrete(Callback, prefixo="la"):
    """💤: without `opcao`, the choices; with it, the snooze (bot.notificacoes.lembretes)."""

    lembrete_id: int
    opcao: str = ""
    lista: int = 0


def _argumento(update: Update) -> str:
    """The text after the command, line breaks kept."""
    texto = update.effective_message.text if update.effective_message else None
    return (texto or "").partition(" ")[2].strip() if texto and " " in texto else ""


def _adiar(lembrete_id: int, lista: int) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            rotulo, callback_data=AdiarLembrete(lembrete_id, opcao, lista).encode()
        )
        for rotulo, opcao in (
            (texts.BOTAO_ADIAR_10MIN, "10m"),
            (texts.BOTAO_ADIAR_1H, "1h"),
            (texts.BOTAO_ADIAR_AMANHA, "am"),
        )
    ]


def _cancelar(
    lembrete: Lembrete, rotulo: str = texts.BOTAO_CANCELAR_LEMBRETE, *, lista: int = 0
) -> InlineKeyboardButton:
    return InlineKeyboardButton(rotulo, callback_data=CancelarLembrete(lembrete.id, lista).encode())


@registered
async def lembrar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Create a reminder: `/lembrar amanhã 9h revisar o PR`, `/lembrar toda segunda 9h daily`."""
    linha = _argumento(update)
    if not linha:
        await reply_html(update, context.bot, texts.LEMBRAR_USO)
        return
    servico = context.services.lembretes
    lembrete = await servico.criar_de_texto(usuario, linha)
    html = texts.lembrete_criado(lembrete, zona=usuario.fuso_horario, agora=servico.agora())
    await reply_html(
        update, context.bot, html, keyboard=InlineKeyboardMarkup([[_cancelar(lembrete)]])
    )


@registered
async def lembretes(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """List the caller's active reminders with cancel and snooze buttons."""
    html, teclado = await _lista(context, usuario)
    await reply_html(update, context.bot, html, keyboard=teclado)


async def _lista(
    context: CogepContext, usuario: Usuario
) -> tuple[str, InlineKeyboardMarkup | None]:
    servico = context.services.lembretes
    itens = await servico.listar(usuario)
    if not itens:
        return texts.NENHUM_LEMBRETE, None
    html = texts.lembretes_lista(itens, zona=usuario.fuso_horario, agora=servico.agora())
    linhas = [
        [
            _cancelar(lembrete, f"❌ {i}", lista=1),
            InlineKeyboardButton(
                f"💤 {i}", callback_data=AdiarLembrete(lembrete.id, lista=1).encode()
            ),
        ]
        for i, lembrete in enumerate(itens[:BOTOES_NA_LISTA], 1)
    ]
    return html, InlineKeyboardMarkup(linhas)


@registered
async def botao(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Cancel or snooze a reminder (from /lembretes, /lembrar or the reminder itself)."""
    query = update.callback_query
    assert query is not None
    servico = context.services.lembretes
    cancelar, adiar = CancelarLembrete.decode(query.data), AdiarLembrete.decode(query.data)
    if cancelar is None and adiar is None:
        raise StaleState(texts.BOTAO_EXPIRADO)
    if adiar is not None and not adiar.opcao:  # 💤 in /lembretes: the list offers the choices
        await query.answer()
        escolhas = InlineKeyboardMarkup([_adiar(adiar.lembrete_id, adiar.lista)])
        if isinstance(query.message, Message):
            await edit_keyboard(query.message, escolhas)
        else:
            await reply_html(update, context.bot, texts.BOTAO_ADIAR, keyboard=escolhas)
        return
    if cancelar is not None:
        await servico.cancelar(usuario, cancelar.lembrete_id)
        aviso = texts.LEMBRETE_CANCELADO
    else:
        assert adiar is not None
        novo = await servico.adiar(usuario, adiar.lembrete_id, adiar.opcao)
        aviso = texts.lembrete_adiado(novo.quando, zona=usuario.fuso_horario, agora=servico.agora())
    await query.answer()
    botao = cancelar or adiar
    if botao is not None and botao.lista and isinstance(query.message, Message):
        html, teclado = await _lista(context, usuario)
        await edit_html(
            query.message, f"{aviso}\n\n{html}", keyboard=teclado or InlineKeyboardMarkup([])
        )
    elif isinstance(query.message, Message) and query.message.text:
        await edit_html(query.message, f"{query.message.text_html}\n\n{aviso}")
    else:
        await reply_html(update, context.bot, aviso)
