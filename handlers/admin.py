"""Admin commands: /usuarios lists people (newcomers with buttons), /papel and /acesso."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot import texts
from bot.render import to_plain
from bot.saida.envio import edit_html, reply_html
from bot.usuarios import Decisao
from db.models import Usuario
from handlers import botoes, keyboards
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.rotas import Comando, Rotas


@registered
async def usuarios(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """List every user with papel and access; newcomers waiting get Liberar/Recusar buttons."""
    todos = await context.services.usuarios.listar(usuario)
    html, teclado = _lista(todos)
    await reply_html(update, context.bot, html, keyboard=teclado)


def _lista(todos: list[Usuario]) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /usuarios text, and Liberar/Recusar buttons for whoever is waiting."""
    esperando = [u for u in todos if u.acesso == "pendente"]
    html = texts.lista_usuarios(todos) + (texts.pendentes(len(esperando)) if esperando else "")
    return html, keyboards.pendentes(esperando) if esperando else None


@registered
async def papel(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Set someone's papel: `/papel @ana gestor`."""
    args = context.args or []
    if len(args) != 2:
        await reply_html(update, context.bot, texts.PAPEL_USO)
        return
    alvo, mudou = await context.services.usuarios.definir_papel(usuario, args[0], args[1])
    await reply_html(update, context.bot, texts.papel_definido(alvo.nome, alvo.papel, mudou=mudou))


@registered
async def acesso(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Let someone in or revoke them: `/acesso @ana liberar`, `/acesso @ana revogar`."""
    args = context.args or []
    if len(args) != 2:
        await reply_html(update, context.bot, texts.ACESSO_USO)
        return
    decisao = await context.services.usuarios.definir_acesso(usuario, args[0], args[1])
    await reply_html(update, context.bot, _decisao_html(decisao, usuario.nome))


async def decidir(
    update: Update, context: CogepContext, admin: Usuario, botao: botoes.DecidirAcesso
) -> None:
    """A Liberar/Recusar button under a request, or under /usuarios (which is redrawn)."""
    query = update.callback_query
    assert query is not None
    decisao = await context.services.usuarios.decidir_acesso(
        admin, botao.usuario_id, liberar=botao.resposta == "s", so_pendente=True
    )
    html = _decisao_html(decisao, admin.nome)
    if not isinstance(query.message, Message):
        await query.answer()
        await reply_html(update, context.bot, html)
    elif botao.origem is None:
        await query.answer()
        await edit_html(query.message, html)  # the request is settled: its buttons go
    else:  # the list is redrawn as it is now, for the other newcomers; the decision as a toast
        await query.answer(to_plain(html)[:200])
        todos = await context.services.usuarios.listar(admin)
        lista, teclado = _lista(todos)
        await edit_html(query.message, lista, keyboard=teclado)


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
    handlers=[on_button(botoes.DecidirAcesso, decidir)],
)
