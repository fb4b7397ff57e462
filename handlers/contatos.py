"""/contatos (list and search) and /contato novo (guided creation) — the team's CRM."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from bot import contatos as regras
from bot import texts
from bot.fluxos import Fluxo
from handlers import keyboards
from handlers.common import registered
from handlers.context import CogepContext
from handlers.formulario import Formulario
from handlers.reply import edit_html, reply_html

FORM = Formulario(
    "contato",
    {
        "nome": (texts.CONTATO_NOVO_NOME, None),
        "empresa": (texts.CONTATO_NOVO_EMPRESA, keyboards.pular("cn")),
        "email": (texts.CONTATO_NOVO_EMAIL, keyboards.pular("cn")),
        "telefone": (texts.CONTATO_NOVO_TELEFONE, keyboards.pular("cn")),
        "notas": (texts.CONTATO_NOVO_NOTAS, keyboards.pular("cn")),
    },
)
FLOW = FORM.nome
VALIDAR = {
    "nome": regras.validar_nome,
    "empresa": regras.validar_empresa,
    "email": regras.validar_email,
    "telefone": regras.normalizar_telefone,
    "notas": regras.validar_notas,
}


@registered
async def contatos(update: Update, context: CogepContext) -> None:
    """List contacts, or search them: `/contatos ana`."""
    busca = " ".join(context.args or [])
    servico = context.services.contatos
    if busca:
        achados = await servico.buscar(busca)
        html = (
            texts.lista_contatos(achados, titulo=f"Contatos: {busca}")
            if achados
            else (texts.contato_ambiguo(busca, 0))
        )
        teclado = keyboards.contatos(achados, pagina=0, tem_mais=False)
    else:
        page = await servico.listar()
        html = texts.lista_contatos(page.itens, titulo="Contatos")
        teclado = keyboards.contatos(page.itens, pagina=0, tem_mais=page.tem_mais)
    await reply_html(update, context.bot, html, keyboard=teclado)


@registered
async def contato(update: Update, context: CogepContext) -> None:
    """`/contato novo` starts the guided creation."""
    if [a.lower() for a in context.args or []] != ["novo"]:
        await reply_html(update, context.bot, texts.CONTATO_USO)
        return
    await FORM.perguntar(update, context, "nome", {})


@registered
async def botao(update: Update, context: CogepContext) -> None:
    """Open a card (`ct:`), page the list (`cl:`) or skip a question (`cn:pular`)."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.usuario is not None
    acao, _, valor = query.data.partition(":")
    await query.answer()
    if acao == "ct" and valor.isdigit():
        cartao = await context.services.contatos.cartao(context.usuario, int(valor))
        html = texts.cartao_contato(
            cartao.contato,
            cartao.processos,
            zona=context.usuario.fuso_horario,
            agora=context.services.processos.agora(),
        )
        await reply_html(update, context.bot, html)
    elif acao == "cl" and valor.isdigit():
        page = await context.services.contatos.listar(pagina=int(valor))
        html = texts.lista_contatos(page.itens, titulo="Contatos")
        teclado = keyboards.contatos(page.itens, pagina=page.pagina, tem_mais=page.tem_mais)
        if isinstance(query.message, Message):
            await edit_html(query.message, html, keyboard=teclado)
    elif acao == "cn" and valor == "pular":
        fluxo = await FORM.atual(update, context)
        if fluxo is not None and fluxo.passo != "nome":
            await _avancar(update, context, fluxo, dict(fluxo.dados))


async def resposta(update: Update, context: CogepContext, fluxo: Fluxo) -> None:
    """Validate the typed answer and move to the next question."""
    assert update.effective_message is not None
    dados = dict(fluxo.dados)
    dados[fluxo.passo] = VALIDAR[fluxo.passo](update.effective_message.text or "")
    await _avancar(update, context, fluxo, dados)


async def _avancar(
    update: Update, context: CogepContext, fluxo: Fluxo, dados: dict[str, Any]
) -> None:
    """Ask the next question, or create the contact after the last one."""
    if await FORM.avancar(update, context, fluxo, dados):
        return
    assert context.usuario is not None
    novo = await context.services.contatos.criar(
        context.usuario, **{k: v for k, v in dados.items() if k in FORM.passos}
    )
    await FORM.encerrar(update, context)
    await reply_html(update, context.bot, texts.contato_criado(novo))
