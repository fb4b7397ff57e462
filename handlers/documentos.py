"""The knowledge base in the chat: uploads, /ingerir, /documentos and its cards, /conhecimento.

Buttons (typed callbacks in handlers.botoes):

    dv:<doc>          open a document's card          dl:<pagina>     a page of /documentos
    dp:<doc>          toggle private / team-wide      dr:<doc>[:1]    remove: ask, then confirmed
    dn:<doc>          keep it (remove cancelled)      kv:<trecho>[:<consulta>]  'ver mais'
    kb:<consulta>     /buscar's "look in the documents too"

`TelegramBaixador` is how the background ingestion downloads a chat upload (getFile, then the
file), so the service never imports telegram.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot, MessageHandler, filters

from bot import texts
from bot.conhecimento import PaginaDocumentos, Passagem, pode_remover
from bot.conhecimento.extracao import Recusado
from bot.errors import InvalidInput
from bot.render import shorten, to_plain
from bot.saida.envio import edit_html, reply_html
from db.models import Documento, Usuario
from handlers.botoes import (
    BotaoAbrirDocumento,
    BotaoAlternarPrivado,
    BotaoBuscarNosDocumentos,
    BotaoManterDocumento,
    BotaoPaginaDeDocumentos,
    BotaoRemoverDocumento,
    BotaoVerMais,
)
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.rotas import MESSAGES, Comando, Rotas
from handlers.teclados import botao as tecla

MARCA_PRIVADO = "#privado"
TELEGRAM_MAX_DOWNLOAD = 20 * 1024 * 1024  # what the Bot API lets a bot download


class TelegramBaixador:
    """Downloads chat uploads for the background ingestion."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self._bot = bot

    async def baixar(self, file_id: str, *, limite: int) -> bytes:
        """The file's bytes; `Recusado` with the reason when Telegram will not give them."""
        try:
            arquivo = await self._bot.get_file(file_id)
            if arquivo.file_size is not None and arquivo.file_size > limite:
                raise Recusado(texts.falha_grande(arquivo.file_size, limite))
            return bytes(await arquivo.download_as_bytearray())
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise Recusado(texts.falha_grande(TELEGRAM_MAX_DOWNLOAD + 1, limite)) from None
            raise Recusado(texts.falha_download(exc.message)) from None
        except TelegramError as exc:
            raise Recusado(texts.falha_download(exc.message)) from None


# -- receiving --------------------------------------------------------------------------------
@registered
async def receber(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Take a document sent in the chat into the knowledge base (in the background)."""
    message = update.effective_message
    assert message is not None
    await _receber_anexo(update, context, usuario, message, privado=_privado(message.caption))


async def _receber_anexo(
    update: Update, context: CogepContext, usuario: Usuario, message: Message, *, privado: bool
) -> None:
    documento = message.document
    assert documento is not None
    nome = documento.file_name or "documento"
    await context.services.conhecimento.receber_arquivo(
        usuario,
        file_id=documento.file_id,
        nome=nome,
        mime=documento.mime_type,
        tamanho=documento.file_size,
        privado=privado,
    )
    await reply_html(update, context.bot, texts.processando(nome))


@registered
async def ingerir(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """`/ingerir <url>` (or as a reply to a document): add it to the knowledge base."""
    message = update.effective_message
    assert message is not None
    args = context.args or []
    privado = any(a.lower() == MARCA_PRIVADO for a in args)
    enderecos = [a for a in args if a.lower() != MARCA_PRIVADO]
    respondida = message.reply_to_message
    if not enderecos and respondida is not None and respondida.document is not None:
        await _receber_anexo(update, context, usuario, respondida, privado=privado)
        return
    if len(enderecos) != 1:
        await reply_html(update, context.bot, texts.INGERIR_USO)
        return
    doc = await context.services.conhecimento.receber_url(usuario, enderecos[0], privado=privado)
    await reply_html(update, context.bot, texts.processando(doc.referencia))


def _privado(legenda: str | None) -> bool:
    return MARCA_PRIVADO in (legenda or "").lower()


def _em_grupo(update: Update) -> bool:
    """Whether everyone in a group reads the reply: then only team-wide documents show."""
    return update.effective_chat is not None and update.effective_chat.type != "private"


# -- /documentos ------------------------------------------------------------------------------
@registered
async def documentos(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """List the documents the caller may see, with buttons to their cards."""
    pagina = await context.services.conhecimento.listar(usuario, so_da_equipe=_em_grupo(update))
    html, teclado = _lista(pagina, usuario)
    await reply_html(update, context.bot, html, teclado=teclado)


def _lista(pagina: PaginaDocumentos, usuario: Usuario) -> tuple[str, InlineKeyboardMarkup | None]:
    html = texts.lista_documentos(
        pagina.itens, pagina=pagina.pagina, total=pagina.total, zona=usuario.fuso_horario
    )
    linhas = [
        [tecla(f"📄 {shorten(d.titulo, 40)}", BotaoAbrirDocumento(d.id))] for d in pagina.itens
    ]
    navegacao = []
    if pagina.pagina > 0:
        navegacao.append(tecla("◀️ Anteriores", BotaoPaginaDeDocumentos(pagina.pagina - 1)))
    if pagina.tem_mais:
        navegacao.append(tecla("Próximos ▶️", BotaoPaginaDeDocumentos(pagina.pagina + 1)))
    if navegacao:
        linhas.append(navegacao)
    return html, InlineKeyboardMarkup(linhas) if linhas else None


def _cartao(doc: Documento, usuario: Usuario) -> tuple[str, InlineKeyboardMarkup]:
    linhas: list[list[InlineKeyboardButton]] = []
    if doc.enviado_por_id == usuario.id and doc.status == "pronto":
        rotulo = "👥 Liberar para a equipe" if doc.privado else "🔒 Tornar privado"
        linhas.append([tecla(rotulo, BotaoAlternarPrivado(doc.id))])
    if pode_remover(usuario, doc):
        linhas.append([tecla("🗑 Remover", BotaoRemoverDocumento(doc.id))])
    linhas.append([tecla("↩️ Documentos", BotaoPaginaDeDocumentos(0))])
    return texts.cartao_documento(doc, zona=usuario.fuso_horario), InlineKeyboardMarkup(linhas)


async def abrir(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoAbrirDocumento
) -> None:
    """Open a document's card."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    doc = await context.services.conhecimento.documento(
        usuario, botao.documento_id, so_da_equipe=_em_grupo(update)
    )
    html, teclado = _cartao(doc, usuario)
    await reply_html(update, context.bot, html, teclado=teclado)


async def paginar(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoPaginaDeDocumentos
) -> None:
    """Show another page of /documentos."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    pagina = await context.services.conhecimento.listar(
        usuario, pagina=botao.pagina, so_da_equipe=_em_grupo(update)
    )
    html, lista = _lista(pagina, usuario)
    await _mostrar(update, context, html, lista)


async def alternar_privado(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoAlternarPrivado
) -> None:
    """Make a document private to its sender, or team-wide again."""
    assert update.callback_query is not None
    doc = await context.services.conhecimento.alternar_privado(usuario, botao.documento_id)
    await update.callback_query.answer(to_plain(texts.privacidade_mudou(doc)))
    html, teclado = _cartao(doc, usuario)
    await _mostrar(update, context, html, teclado)


async def manter(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoManterDocumento
) -> None:
    """Keep a document whose removal was asked for."""
    assert update.callback_query is not None
    await update.callback_query.answer(texts.REMOCAO_CANCELADA)
    doc = await context.services.conhecimento.documento(
        usuario, botao.documento_id, so_da_equipe=_em_grupo(update)
    )
    html, teclado = _cartao(doc, usuario)
    await _mostrar(update, context, html, teclado)


async def remover(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoRemoverDocumento
) -> None:
    """Remove a document: the first press asks, the confirmation removes."""
    query = update.callback_query
    assert query is not None and usuario is not None
    servico = context.services.conhecimento
    if not botao.confirmado:
        doc = await servico.documento(usuario, botao.documento_id, so_da_equipe=_em_grupo(update))
        if not pode_remover(usuario, doc):
            raise InvalidInput(texts.SO_QUEM_ENVIOU_OU_ADMIN)
        await query.answer()
        teclado = InlineKeyboardMarkup(
            [
                [
                    tecla("🗑 Sim, remover", BotaoRemoverDocumento(doc.id, confirmado=1)),
                    tecla("Não", BotaoManterDocumento(doc.id)),
                ]
            ]
        )
        await _mostrar(update, context, texts.confirmar_remocao(doc), teclado)
        return
    doc = await servico.remover(usuario, botao.documento_id)
    await query.answer()
    await _mostrar(update, context, texts.documento_removido(doc.titulo), None)


async def _mostrar(
    update: Update, context: CogepContext, html: str, teclado: InlineKeyboardMarkup | None
) -> None:
    """Redraw the message the button is on (or send a new one when it is gone)."""
    query = update.callback_query
    mensagem = query.message if query is not None and isinstance(query.message, Message) else None
    if mensagem is not None:
        await edit_html(mensagem, html, teclado=teclado)
    else:
        await reply_html(update, context.bot, html, teclado=teclado)


# -- /conhecimento ----------------------------------------------------------------------------
@registered
async def conhecimento(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Search the knowledge base: `/conhecimento rollback do deploy`."""
    consulta = " ".join(context.args or [])
    if not consulta.strip():
        await reply_html(update, context.bot, texts.CONHECIMENTO_USO)
        return
    passagens = await context.services.conhecimento.buscar(
        usuario, consulta, so_da_equipe=_em_grupo(update)
    )
    await reply_html(
        update,
        context.bot,
        texts.resultado_conhecimento(consulta, passagens),
        teclado=_ver_mais(passagens, consulta),
    )


def _ver_mais(passagens: list[Passagem], consulta: str) -> InlineKeyboardMarkup | None:
    if not passagens:
        return None
    botoes = [
        tecla(f"🔎 Ver mais {i}", BotaoVerMais.de(p.trecho_id, consulta))
        for i, p in enumerate(passagens, 1)
    ]
    return InlineKeyboardMarkup([botoes[:3], botoes[3:]] if len(botoes) > 3 else [botoes])


def com_busca_nos_documentos(
    teclado: InlineKeyboardMarkup | None, consulta: str
) -> InlineKeyboardMarkup | None:
    """/buscar's buttons plus one that looks for the same words in the knowledge base."""
    if not consulta.strip():
        return teclado
    botao = tecla("📚 Procurar nos documentos", BotaoBuscarNosDocumentos.de(consulta))
    linhas = [list(linha) for linha in teclado.inline_keyboard] if teclado else []
    return InlineKeyboardMarkup([*linhas, [botao]])


async def buscar_nos_documentos(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoBuscarNosDocumentos
) -> None:
    """The knowledge-base results for a /buscar query."""
    assert update.callback_query is not None
    if not botao.consulta:
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    await update.callback_query.answer()
    passagens = await context.services.conhecimento.buscar(
        usuario, botao.consulta, so_da_equipe=_em_grupo(update)
    )
    await reply_html(
        update,
        context.bot,
        texts.resultado_conhecimento(botao.consulta, passagens),
        teclado=_ver_mais(passagens, botao.consulta),
    )


async def ver_mais(
    update: Update, context: CogepContext, usuario: Usuario, botao: BotaoVerMais
) -> None:
    """Show a whole passage, its matched words in bold."""
    assert update.callback_query is not None
    passagem = await context.services.conhecimento.trecho(
        usuario, botao.trecho_id, consulta=botao.consulta, so_da_equipe=_em_grupo(update)
    )
    await update.callback_query.answer()
    await reply_html(update, context.bot, texts.trecho_completo(passagem))


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[
        Comando("documentos", documentos, texts.AJUDA_DOCUMENTOS),
        Comando("ingerir", ingerir, texts.AJUDA_INGERIR),
        Comando("conhecimento", conhecimento, texts.AJUDA_CONHECIMENTO),
    ],
    handlers=[
        on_button(BotaoAbrirDocumento, abrir),
        on_button(BotaoPaginaDeDocumentos, paginar),
        on_button(BotaoAlternarPrivado, alternar_privado),
        on_button(BotaoRemoverDocumento, remover),
        on_button(BotaoManterDocumento, manter),
        on_button(BotaoVerMais, ver_mais),
        on_button(BotaoBuscarNosDocumentos, buscar_nos_documentos),
        MessageHandler(MESSAGES & filters.ChatType.PRIVATE & filters.Document.ALL, receber),
    ],
)
