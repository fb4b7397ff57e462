"""Admin commands: /usuarios lists people (newcomers with buttons, everyone's card a tap away),
/papel and /acesso (by name, @username or id; a name several people fit offers them as buttons).
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.render import to_plain
from bot.saida.envio import edit_html, redesenhar, reply_html
from bot.usuarios import Decisao, VariosUsuarios, ler_papel
from db.models import Usuario
from handlers import botoes, teclados
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.rotas import Comando, Rotas


@registered
async def usuarios(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """List every user with papel and access; newcomers waiting get Liberar/Recusar buttons."""
    todos = await context.services.usuarios.listar(usuario)
    html, teclado = _lista(todos)
    await reply_html(update, context.bot, html, teclado=teclado)


def _lista(todos: list[Usuario]) -> tuple[str, InlineKeyboardMarkup]:
    """The /usuarios text, Liberar/Recusar for whoever is waiting, and a card button each."""
    esperando = [u for u in todos if u.acesso == "pendente"]
    html = texts.lista_usuarios(todos) + (texts.pendentes(len(esperando)) if esperando else "")
    linhas = [list(r) for r in teclados.pendentes(esperando).inline_keyboard] if esperando else []
    return html, InlineKeyboardMarkup(linhas + teclados.usuarios(todos))


@registered
async def papel(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Set someone's papel: `/papel Ana Souza gestor` (a name, @username or id)."""
    args = context.args or []
    if len(args) < 2:
        await reply_html(update, context.bot, texts.PAPEL_USO)
        return
    quem, escolhido = " ".join(args[:-1]), args[-1]
    try:
        alvo, mudou = await context.services.usuarios.definir_papel(usuario, quem, escolhido)
    except VariosUsuarios as varios:
        papel_ = ler_papel(escolhido)
        teclado = teclados.escolher_usuario(
            varios.candidatos, lambda u: botoes.BotaoDefinirPapel(u.id, papel_)
        )
        await reply_html(update, context.bot, varios.message, teclado=teclado)
        return
    await reply_html(update, context.bot, texts.papel_definido(alvo.nome, alvo.papel, mudou=mudou))


@registered
async def acesso(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Let someone in or revoke them: `/acesso Ana liberar`, `/acesso @ana revogar`."""
    args = context.args or []
    if len(args) < 2:
        await reply_html(update, context.bot, texts.ACESSO_USO)
        return
    quem, acao = " ".join(args[:-1]), args[-1]
    try:
        decisao = await context.services.usuarios.definir_acesso(usuario, quem, acao)
    except VariosUsuarios as varios:
        resposta = "s" if acao.strip().lower() == "liberar" else "n"
        teclado = teclados.escolher_usuario(
            varios.candidatos, lambda u: botoes.BotaoDecidirAcesso(u.id, resposta, "c")
        )
        await reply_html(update, context.bot, varios.message, teclado=teclado)
        return
    await reply_html(update, context.bot, _decisao_html(decisao, usuario.nome))


async def cartao(
    update: Update, context: CogepContext, admin: Usuario, botao: botoes.BotaoCartaoUsuario
) -> None:
    """A name tapped under /usuarios: that person's card, with papel and access buttons."""
    query = update.callback_query
    assert query is not None
    alvo = await context.services.usuarios.ver(admin, botao.usuario_id)
    await query.answer()
    await _mostrar_cartao(update, context, alvo)


async def definir_papel(
    update: Update, context: CogepContext, admin: Usuario, botao: botoes.BotaoDefinirPapel
) -> None:
    """A papel button on a card (or under a name several people fit): set it, show the card."""
    query = update.callback_query
    assert query is not None
    alvo, mudou = await context.services.usuarios.definir_papel(
        admin, botao.usuario_id, botao.papel
    )
    await query.answer(to_plain(texts.papel_definido(alvo.nome, alvo.papel, mudou=mudou))[:200])
    await _mostrar_cartao(update, context, alvo)


async def _mostrar_cartao(update: Update, context: CogepContext, alvo: Usuario) -> None:
    """Draw the card over the message pressed (or below it, when that one is gone)."""
    html, teclado = texts.cartao_usuario(alvo), teclados.cartao_usuario(alvo)
    await redesenhar(update, context.bot, html, teclado=teclado)


async def decidir(
    update: Update, context: CogepContext, admin: Usuario, botao: botoes.BotaoDecidirAcesso
) -> None:
    """A Liberar/Recusar button under a request, or under /usuarios (which is redrawn)."""
    query = update.callback_query
    assert query is not None
    decisao = await context.services.usuarios.decidir_acesso(
        admin, botao.usuario_id, liberar=botao.resposta == "s", so_pendente=botao.origem != "c"
    )
    html = _decisao_html(decisao, admin.nome)
    if botao.origem == "c":  # from a card: the decision as a toast, the card redrawn
        await query.answer(to_plain(html)[:200])
        await _mostrar_cartao(update, context, decisao.usuario)
    elif not isinstance(query.message, Message):
        await query.answer()
        await reply_html(update, context.bot, html)
    elif botao.origem is None:
        await query.answer()
        await edit_html(query.message, html)  # the request is settled: its buttons go
    else:  # the list is redrawn as it is now, for the other newcomers; the decision as a toast
        await query.answer(to_plain(html)[:200])
        todos = await context.services.usuarios.listar(admin)
        lista, teclado = _lista(todos)
        await edit_html(query.message, lista, teclado=teclado)


def _decisao_html(decisao: Decisao, por: str) -> str:
    alvo = decisao.usuario
    return texts.acesso_decidido(alvo.nome, acesso=alvo.acesso, antes=decisao.antes, por=por)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[
        Comando("usuarios", usuarios, texts.AJUDA_USUARIOS, secao="admin"),
        Comando("papel", papel, texts.AJUDA_PAPEL, secao="admin", uso=texts.USO_PAPEL),
        Comando("acesso", acesso, texts.AJUDA_ACESSO, secao="admin", uso=texts.USO_ACESSO),
    ],
    handlers=[
        on_button(botoes.BotaoDecidirAcesso, decidir),
        on_button(botoes.BotaoCartaoUsuario, cartao),
        on_button(botoes.BotaoDefinirPapel, definir_papel),
    ],
)
