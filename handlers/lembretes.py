"""/lembrar and /lembretes: personal reminders, with cancel and snooze buttons (lc:, la:)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.saida.envio import edit_html, edit_teclado, reply_html
from db.models import Lembrete, Usuario
from handlers import teclados
from handlers.botoes import BotaoAdiarLembrete, BotaoCancelarLembrete
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.rotas import Comando, Rotas

BOTOES_NA_LISTA = 20  # buttons for the soonest reminders (Telegram allows 100 per message)


def _argumento(update: Update) -> str:
    """The text after the command, line breaks kept."""
    texto = update.effective_message.text if update.effective_message else None
    return (texto or "").partition(" ")[2].strip() if texto and " " in texto else ""


def _adiar(lembrete_id: int, lista: int) -> list[InlineKeyboardButton]:
    acoes = teclados.adiar_lembrete(lembrete_id, lista)
    return [InlineKeyboardButton(rotulo, callback_data=dados) for rotulo, dados in acoes]


def _cancelar(
    lembrete: Lembrete, rotulo: str = texts.BOTAO_CANCELAR_LEMBRETE, *, lista: int = 0
) -> InlineKeyboardButton:
    return teclados.botao(rotulo, BotaoCancelarLembrete(lembrete.id, lista))


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
        update, context.bot, html, teclado=InlineKeyboardMarkup([[_cancelar(lembrete)]])
    )


@registered
async def lembretes(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """List the caller's active reminders with cancel and snooze buttons."""
    html, teclado = await _lista(context, usuario)
    await reply_html(update, context.bot, html, teclado=teclado)


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
            teclados.botao(f"💤 {i}", BotaoAdiarLembrete(lembrete.id, lista=1)),
        ]
        for i, lembrete in enumerate(itens[:BOTOES_NA_LISTA], 1)
    ]
    return html, InlineKeyboardMarkup(linhas)


async def cancelar(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoCancelarLembrete
) -> None:
    """❌ of a reminder (from /lembretes, /lembrar or the reminder itself)."""
    await context.services.lembretes.cancelar(usuario, botao.lembrete_id)
    await _mostrar(update, context, usuario, texts.LEMBRETE_CANCELADO, lista=botao.lista)


async def adiar(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoAdiarLembrete
) -> None:
    """💤 of a reminder: without a choice, offer them; with one, snooze."""
    query = update.callback_query
    assert query is not None
    if not botao.opcao:  # 💤 in /lembretes: the list offers the choices
        await context.services.lembretes.adiavel(usuario, botao.lembrete_id)
        await query.answer()
        escolhas = InlineKeyboardMarkup([_adiar(botao.lembrete_id, botao.lista)])
        if isinstance(query.message, Message):
            await edit_teclado(query.message, escolhas)
        else:
            await reply_html(update, context.bot, texts.BOTAO_ADIAR, teclado=escolhas)
        return
    servico = context.services.lembretes
    # Under the fired notice, the snooze counts from when it fired: that message's date.
    disparo = query.message.date if not botao.lista and isinstance(query.message, Message) else None
    novo = await servico.adiar(usuario, botao.lembrete_id, botao.opcao, disparado_em=disparo)
    aviso = texts.lembrete_adiado(novo.quando, zona=usuario.fuso_horario, agora=servico.agora())
    await _mostrar(update, context, usuario, aviso, lista=botao.lista)


async def _mostrar(
    update: Update, context: CogepContext, usuario: Usuario, aviso: str, *, lista: int
) -> None:
    """Tell what was done: redraw /lembretes, or add it below the message pressed."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if lista and isinstance(query.message, Message):
        html, teclado = await _lista(context, usuario)
        await edit_html(
            query.message, f"{aviso}\n\n{html}", teclado=teclado or InlineKeyboardMarkup([])
        )
    elif isinstance(query.message, Message) and query.message.text:
        await edit_html(query.message, f"{query.message.text_html}\n\n{aviso}")
    else:
        await reply_html(update, context.bot, aviso)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[
        Comando("lembrar", lembrar, texts.AJUDA_LEMBRAR),
        Comando("lembretes", lembretes, texts.AJUDA_LEMBRETES),
    ],
    handlers=[on_button(BotaoCancelarLembrete, cancelar), on_button(BotaoAdiarLembrete, adiar)],
)
