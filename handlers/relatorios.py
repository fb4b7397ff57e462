"""/exportar (a CSV of the processos the caller may see) and /relatorio (a chart and numbers),
sent through `bot.saida` (a 429 waited out, as for every other send).

Both read through `ProcessoService`, whose queries are scoped by `visivel_para` in SQL, so a
file or a chart never holds a processo its reader could not open.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot import texts
from bot.render import to_plain
from bot.saida.envio import com_esperas, reply_html
from db.models import Usuario
from handlers.common import registered
from handlers.context import CogepContext
from handlers.rotas import Comando, Rotas


@registered
async def exportar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Send the processos of a /processos filter as a CSV: `/exportar atrasados`."""
    assert update.effective_message is not None
    feito = await context.services.processos.exportar(usuario, " ".join(context.args or []))
    if not feito.quantos:
        await reply_html(update, context.bot, texts.exportacao_vazia(feito.filtro))
        return
    mensagem = update.effective_message
    legenda = texts.exportacao_legenda(feito.quantos, feito.filtro, cortado=feito.cortado)
    await com_esperas(
        context.bot,
        mensagem.chat_id,
        lambda: mensagem.reply_document(
            document=feito.conteudo, filename=feito.nome, caption=legenda, parse_mode=ParseMode.HTML
        ),
    )


@registered
async def relatorio(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Send the chart and the numbers of the week or month: `/relatorio mes`."""
    assert update.effective_message is not None
    feito = await context.services.relatorios.gerar(usuario, " ".join(context.args or []))
    mensagem = update.effective_message
    cabe = len(to_plain(feito.texto)) <= LEGENDA_MAX  # else the text follows the chart
    await com_esperas(
        context.bot,
        mensagem.chat_id,
        lambda: mensagem.reply_photo(
            photo=feito.png,
            filename="relatorio.png",
            caption=feito.texto if cabe else None,
            parse_mode=ParseMode.HTML,
        ),
    )
    if not cabe:
        await reply_html(update, context.bot, feito.texto)


LEGENDA_MAX = 1024  # Telegram's limit for a photo's caption


# -- declarations -------------------------------------------------------------------------------
ROTAS = Rotas(
    comandos=[
        Comando("exportar", exportar, texts.AJUDA_EXPORTAR, uso=texts.USO_EXPORTAR),
        Comando("relatorio", relatorio, texts.AJUDA_RELATORIO, uso=texts.USO_RELATORIO),
        Comando("estatisticas", relatorio, None),  # the name people looked for: /relatorio
    ],
)
