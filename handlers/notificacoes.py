"""/notificacoes: a switch per kind, the digest hour and the quiet hours, all by buttons (nf:).

The one place a user changes notice preferences (`NotificacaoService` owns them); /perfil shows
them and its 🔔 button opens this screen.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.errors import StaleState
from bot.notificacoes.preferencias import ligados
from bot.saida.envio import edit_html, reply_html
from db.models import Usuario
from handlers import teclados
from handlers.botoes import BotaoNotificacoes
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.rotas import Comando, Rotas

HORAS = (6, 7, 8, 9, 10, 12, 14, 18)
SILENCIOS = ((22, 8), (23, 7), (21, 7), (20, 9), (0, 0))


def _botao(
    rotulo: str, acao: str, a: int | None = None, b: int | None = None
) -> InlineKeyboardButton:
    return teclados.botao(rotulo, BotaoNotificacoes(acao, a, b))


def tela(usuario: Usuario) -> tuple[str, InlineKeyboardMarkup]:
    """The /notificacoes screen (also opened from /perfil's 🔔 button)."""
    chaves = ligados(usuario)
    html = texts.notificacoes_tela(
        geral=usuario.notificacoes_ativas, ligados=chaves, hora_resumo=usuario.hora_resumo,
        silencio=(usuario.silencio_inicio, usuario.silencio_fim), fuso=usuario.fuso_horario,
    )  # fmt: skip
    geral = texts.BOTAO_DESLIGAR_TUDO if usuario.notificacoes_ativas else texts.BOTAO_LIGAR_TUDO
    linhas = [[_botao(geral, "tudo")]]
    linhas += [
        [_botao(texts.botao_alternar(tipo, ligado), tipo)] for tipo, ligado in chaves.items()
    ]
    silencio = texts.silencio_rotulo(usuario.silencio_inicio, usuario.silencio_fim)
    linhas.append([
        _botao(texts.BOTAO_HORA_RESUMO.format(hora=usuario.hora_resumo), "hora"),
        _botao(texts.BOTAO_SILENCIO.format(silencio=silencio), "sil"),
    ])  # fmt: skip
    return html, InlineKeyboardMarkup(linhas)


@registered
async def notificacoes(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Show the caller's notice switches."""
    html, teclado = tela(usuario)
    await reply_html(update, context.bot, html, teclado=teclado)


async def botao(
    update: Update, context: CogepContext, usuario: Usuario, dados: BotaoNotificacoes
) -> None:
    """Flip a switch or set the digest hour / quiet hours, then redraw the screen."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message):
        raise StaleState(texts.BOTAO_EXPIRADO)
    servico, me = context.services.notificacoes, usuario
    await query.answer()
    if dados.acao == "hora" and dados.a is None:
        escolhas = [_botao(f"{h:02d}:00", "hora", h) for h in HORAS]
        teclado = InlineKeyboardMarkup([escolhas[:4], escolhas[4:]])
        await edit_html(query.message, texts.PERGUNTA_HORA_RESUMO_NOTIF, teclado=teclado)
        return
    if dados.acao == "sil" and dados.a is None:
        linhas = [[_botao(texts.silencio_rotulo(i, f), "sil", i, f)] for i, f in SILENCIOS]
        await edit_html(
            query.message, texts.PERGUNTA_SILENCIO, teclado=InlineKeyboardMarkup(linhas)
        )
        return
    if dados.acao == "hora" and dados.a is not None:
        me = await servico.definir_hora_resumo(me, dados.a)
    elif dados.acao == "sil" and dados.a is not None and dados.b is not None:
        me = await servico.definir_silencio(me, dados.a, dados.b)
    else:
        me = await servico.alternar(me, dados.acao)
    html, teclado = tela(me)
    await edit_html(query.message, html, teclado=teclado)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[Comando("notificacoes", notificacoes, texts.AJUDA_NOTIFICACOES)],
    handlers=[on_button(BotaoNotificacoes, botao)],
)
