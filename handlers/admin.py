"""Admin commands: /usuarios lists people, /papel promotes or demotes them."""

from __future__ import annotations

from telegram import Update

from bot import texts
from handlers.common import registered
from handlers.context import CogepContext
from handlers.reply import reply_html


@registered
async def usuarios(update: Update, context: CogepContext) -> None:
    """List every user with papel and whether they still accept messages."""
    assert context.usuario is not None
    todos = await context.services.usuarios.listar(context.usuario)
    linhas = [(u.nome, u.username, u.telegram_id, u.papel, u.ativo) for u in todos]
    await reply_html(update, context.bot, texts.lista_usuarios(linhas))


@registered
async def papel(update: Update, context: CogepContext) -> None:
    """Set someone's papel: `/papel @ana gestor`."""
    assert context.usuario is not None
    args = context.args or []
    if len(args) != 2:
        await reply_html(update, context.bot, texts.PAPEL_USO)
        return
    alvo = await context.services.usuarios.definir_papel(context.usuario, args[0], args[1])
    await reply_html(update, context.bot, texts.papel_definido(alvo.nome, alvo.papel))
