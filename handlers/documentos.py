"""The knowledge base in the chat: uploads, /ingerir, /documentos and its cards, /conhecimento.

Buttons (typed callbacks, see handlers.callbacks):

    dv:<doc>          open a document's card          dl:<pagina>     a page of /documentos
    dp:<doc>          toggle private / team-wide      dr:<doc>[:1]    remove: ask, then confirmed
    dn:<doc>          keep it (remove cancelled)      kv:<trecho>[:<consulta>]  'ver mais'
    kb:<consulta>     /buscar's "look in the documents too"

`TelegramBaixador` is how the background ingestion downloads a chat upload (getFile, then the
file), so the service never imports telegram.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot import texts
from bot.conhecimento import PaginaDocumentos, Passagem, pode_remover
from bot.conhecimento.extracao import Recusado
from bot.errors import InvalidInput
from bot.render import shorten, to_plain
from db.models import Documento, Usuario
from handlers.callbacks import Callback
from handlers.common import registered
from handlers.context import CogepContext
from handlers.reply import edit_html, reply_html

Button = InlineKeyboardButton
MARCA_PRIVADO = "#privado"
TELEGRAM_MAX_DOWNLOAD = 20 * 1024 * 1024  # what the Bot API lets a bot download


@dataclass(frozen=True)
class AbrirDocumento(Callback, prefixo="dv"):
    documento_id: int


@dataclass(frozen=True)
class PaginaDeDocumentos(Callback, prefixo="dl"):
    pagina: int


@dataclass(frozen=True)
class AlternarPrivado(Callback, prefixo="dp"):
    documento_id: int


@dataclass(frozen=True)
class RemoverDocumento(Callback, prefixo="dr"):
    documento_id: int
    confirmado: int = 0


@dataclass(frozen=True)
class ManterDocumento(Callback, prefixo="dn"):
    documento_id: int


@dataclass(frozen=True)
class VerMais(Callback, prefixo="kv"):
    trecho_id: int
    consulta: str = ""

    @classmethod
    def de(cls, trecho_id: int, consulta: str) -> VerMais:
        """The button, carrying as much of the query (for highlighting) as fits in 64 bytes."""
        limpa = " ".join(consulta.replace(":", " ").split())
        while len(f"kv:{trecho_id}:{limpa}".encode()) > 64:
            limpa = limpa[:-1]
        return cls(trecho_id, limpa)


@dataclass(frozen=True)
class BuscarNosDocumentos(Callback, prefixo="kb"):
    consulta: str

    @classmethod
    def de(cls, consulta: str) -> BuscarNosDocumentos:
        """The button, with as much of the query as fits in 64 bytes."""
        limpa = " ".join(consulta.replace(":", " ").split())
        while len(f"kb:{limpa}".encode()) > 64:
            limpa = limpa[:-1]
        return cls(limpa)


BOTOES = (AbrirDocumento, PaginaDeDocumentos, AlternarPrivado, RemoverDocumento, ManterDocumento)
PADRAO_BOTOES = "|".join(b.pattern() for b in BOTOES)


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
async def receber(update: Update, context: CogepContext) -> None:
    """Take a document sent in the chat into the knowledge base (in the background)."""
    message = update.effective_message
    assert message is not None and context.usuario is not None
    await _receber_anexo(update, context, message, privado=_privado(message.caption))


async def _receber_anexo(
    update: Update, context: CogepContext, message: Message, *, privado: bool
) -> None:
    documento = message.document
    assert documento is not None and context.usuario is not None
    nome = documento.file_name or "documento"
    await context.services.conhecimento.receber_arquivo(
        context.usuario,
        file_id=documento.file_id,
        nome=nome,
        mime=documento.mime_type,
        tamanho=documento.file_size,
        privado=privado,
    )
    await reply_html(update, context.bot, texts.processando(nome))


@registered
async def ingerir(update: Update, context: CogepContext) -> None:
    """`/ingerir <url>` (or as a reply to a document): add it to the knowledge base."""
    message = update.effective_message
    assert message is not None and context.usuario is not None
    args = context.args or []
    privado = any(a.lower() == MARCA_PRIVADO for a in args)
    enderecos = [a for a in args if a.lower() != MARCA_PRIVADO]
    respondida = message.reply_to_message
    if not enderecos and respondida is not None and respondida.document is not None:
        await _receber_anexo(update, context, respondida, privado=privado)
        return
    if len(enderecos) != 1:
        await reply_html(update, context.bot, texts.INGERIR_USO)
        return
    doc = await context.services.conhecimento.receber_url(
        context.usuario, enderecos[0], privado=privado
    )
    await reply_html(update, context.bot, texts.processando(doc.referencia))


def _privado(legenda: str | None) -> bool:
    return MARCA_PRIVADO in (legenda or "").lower()


# -- /documentos ------------------------------------------------------------------------------
@registered
async def documentos(update: Update, context: CogepContext) -> None:
    """List the documents the caller may see, with buttons to their cards."""
    assert context.usuario is not None
    pagina = await context.services.conhecimento.listar(context.usuario)
    html, teclado = _lista(pagina, context.usuario)
    await reply_html(update, context.bot, html, keyboard=teclado)


def _lista(pagina: PaginaDocumentos, usuario: Usuario) -> tuple[str, InlineKeyboardMarkup | None]:
    html = texts.lista_documentos(
        pagina.itens, pagina=pagina.pagina, total=pagina.total, zona=usuario.fuso_horario
    )
    linhas = [
        [Button(f"📄 {shorten(d.titulo, 40)}", callback_data=AbrirDocumento(d.id).encode())]
        for d in pagina.itens
    ]
    navegacao = []
    if pagina.pagina > 0:
        navegacao.append(
            Button("◀️ Anteriores", callback_data=PaginaDeDocumentos(pagina.pagina - 1).encode())
        )
    if pagina.tem_mais:
        navegacao.append(
            Button("Próximos ▶️", callback_data=PaginaDeDocumentos(pagina.pagina + 1).encode())
        )
    if navegacao:
        linhas.append(navegacao)
    return html, InlineKeyboardMarkup(linhas) if linhas else None


def _cartao(doc: Documento, usuario: Usuario) -> tuple[str, InlineKeyboardMarkup]:
    linhas: list[list[Button]] = []
    if doc.enviado_por_id == usuario.id and doc.status == "pronto":
        rotulo = "👥 Liberar para a equipe" if doc.privado else "🔒 Tornar privado"
        linhas.append([Button(rotulo, callback_data=AlternarPrivado(doc.id).encode())])
    if pode_remover(usuario, doc):
        linhas.append([Button("🗑 Remover", callback_data=RemoverDocumento(doc.id).encode())])
    linhas.append([Button("↩️ Documentos", callback_data=PaginaDeDocumentos(0).encode())])
    return texts.cartao_documento(doc, zona=usuario.fuso_horario), InlineKeyboardMarkup(linhas)


@registered
async def botao(update: Update, context: CogepContext) -> None:
    """The buttons of /documentos and of a document's card."""
    query = update.callback_query
    assert query is not None and context.usuario is not None
    servico, usuario = context.services.conhecimento, context.usuario
    mensagem = query.message if isinstance(query.message, Message) else None
    if (abrir := AbrirDocumento.decode(query.data)) is not None:
        await query.answer()
        html, teclado = _cartao(await servico.documento(usuario, abrir.documento_id), usuario)
        await reply_html(update, context.bot, html, keyboard=teclado)
        return
    if (pagina := PaginaDeDocumentos.decode(query.data)) is not None:
        await query.answer()
        html, lista = _lista(await servico.listar(usuario, pagina=pagina.pagina), usuario)
        await _mostrar(update, context, mensagem, html, lista)
        return
    if (alternar := AlternarPrivado.decode(query.data)) is not None:
        doc = await servico.alternar_privado(usuario, alternar.documento_id)
        await query.answer(to_plain(texts.privacidade_mudou(doc)))
        html, teclado = _cartao(doc, usuario)
        await _mostrar(update, context, mensagem, html, teclado)
        return
    if (remover := RemoverDocumento.decode(query.data)) is not None:
        await _remover(update, context, mensagem, remover)
        return
    if (manter := ManterDocumento.decode(query.data)) is not None:
        await query.answer(texts.REMOCAO_CANCELADA)
        html, teclado = _cartao(await servico.documento(usuario, manter.documento_id), usuario)
        await _mostrar(update, context, mensagem, html, teclado)
        return
    raise InvalidInput(texts.BOTAO_EXPIRADO)


async def _remover(
    update: Update, context: CogepContext, mensagem: Message | None, botao: RemoverDocumento
) -> None:
    """First press asks; the confirmation removes."""
    query = update.callback_query
    assert query is not None and context.usuario is not None
    servico = context.services.conhecimento
    if not botao.confirmado:
        doc = await servico.documento(context.usuario, botao.documento_id)
        if not pode_remover(context.usuario, doc):
            raise InvalidInput(texts.SO_QUEM_ENVIOU_OU_ADMIN)
        await query.answer()
        teclado = InlineKeyboardMarkup(
            [
                [
                    Button(
                        "🗑 Sim, remover",
                        callback_data=RemoverDocumento(doc.id, confirmado=1).encode(),
                    ),
                    Button("Não", callback_data=ManterDocumento(doc.id).encode()),
                ]
            ]
        )
        await _mostrar(update, context, mensagem, texts.confirmar_remocao(doc), teclado)
        return
    doc = await servico.remover(context.usuario, botao.documento_id)
    await query.answer()
    await _mostrar(update, context, mensagem, texts.documento_removido(doc.titulo), None)


async def _mostrar(
    update: Update,
    context: CogepContext,
    mensagem: Message | None,
    html: str,
    teclado: InlineKeyboardMarkup | None,
) -> None:
    if mensagem is not None:
        await edit_html(mensagem, html, keyboard=teclado)
    else:
        await reply_html(update, context.bot, html, keyboard=teclado)


# -- /conhecimento ----------------------------------------------------------------------------
@registered
async def conhecimento(update: Update, context: CogepContext) -> None:
    """Search the knowledge base: `/conhecimento rollback do deploy`."""
    assert context.usuario is not None
    consulta = " ".join(context.args or [])
    if not consulta.strip():
        await reply_html(update, context.bot, texts.CONHECIMENTO_USO)
        return
    passagens = await context.services.conhecimento.buscar(context.usuario, consulta)
    await reply_html(
        update,
        context.bot,
        texts.resultado_conhecimento(consulta, passagens),
        keyboard=_ver_mais(passagens, consulta),
    )


def _ver_mais(passagens: list[Passagem], consulta: str) -> InlineKeyboardMarkup | None:
    if not passagens:
        return None
    botoes = [
        Button(f"🔎 Ver mais {i}", callback_data=VerMais.de(p.trecho_id, consulta).encode())
        for i, p in enumerate(passagens, 1)
    ]
    return InlineKeyboardMarkup([botoes[:3], botoes[3:]] if len(botoes) > 3 else [botoes])


def com_busca_nos_documentos(
    teclado: InlineKeyboardMarkup | None, consulta: str
) -> InlineKeyboardMarkup | None:
    """/buscar's buttons plus one that looks for the same words in the knowledge base."""
    if not consulta.strip():
        return teclado
    botao = Button(
        "📚 Procurar nos documentos", callback_data=BuscarNosDocumentos.de(consulta).encode()
    )
    linhas = [list(linha) for linha in teclado.inline_keyboard] if teclado else []
    return InlineKeyboardMarkup([*linhas, [botao]])


@registered
async def buscar_nos_documentos(update: Update, context: CogepContext) -> None:
    """The knowledge-base results for a /buscar query."""
    query = update.callback_query
    assert query is not None and context.usuario is not None
    botao = BuscarNosDocumentos.decode(query.data)
    if botao is None or not botao.consulta:
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    await query.answer()
    passagens = await context.services.conhecimento.buscar(context.usuario, botao.consulta)
    await reply_html(
        update,
        context.bot,
        texts.resultado_conhecimento(botao.consulta, passagens),
        keyboard=_ver_mais(passagens, botao.consulta),
    )


@registered
async def ver_mais(update: Update, context: CogepContext) -> None:
    """Show a whole passage, its matched words in bold."""
    query = update.callback_query
    assert query is not None and context.usuario is not None
    botao = VerMais.decode(query.data)
    if botao is None:
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    passagem = await context.services.conhecimento.trecho(
        context.usuario, botao.trecho_id, consulta=botao.consulta
    )
    await query.answer()
    await reply_html(update, context.bot, texts.trecho_completo(passagem))
