"""/novo: open a processo in one line, or step by step (título, descrição, prazo, prioridade,
contato). Each answer is validated before the flow moves on, and the flow lives in PostgreSQL,
so a restart in the middle continues at the same question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from telegram import Update

from bot import texts
from bot.errors import CogepError
from bot.fluxos import Fluxo
from bot.processos import Rascunho, interpretar_linha
from bot.saida.envio import reply_html
from db.models import Processo, Usuario
from handlers import botoes, keyboards
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.formulario import Formulario, retomar_se_houver
from handlers.rotas import Comando, Rotas

FLOW = "novo"
PERGUNTAS = {
    "titulo": (texts.NOVO_TITULO, None),
    "descricao": (texts.NOVO_DESCRICAO, keyboards.pular(FLOW, "descricao")),
    "prazo": (texts.NOVO_PRAZO, keyboards.pular(FLOW, "prazo")),
    "prioridade": (texts.NOVO_PRIORIDADE, keyboards.prioridades()),
    "contato": (texts.NOVO_CONTATO, keyboards.pular(FLOW, "contato")),
}


@registered
async def novo(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Open a processo: `/novo Título | prazo sexta 18h | prioridade alta`, or guided."""
    assert update.effective_message is not None
    linha = (update.effective_message.text or "").partition(" ")[2].strip()
    if not linha:
        await FORM.comecar(update, context)
        return
    rascunho = interpretar_linha(linha)
    dados, falha = await _validar_linha(context, usuario, rascunho)
    if falha is None:  # the contact found while validating is linked by id: no second search
        resolvido = replace(rascunho, contato=None, contato_id=dados.get("contato_id"))
        processo = await context.services.processos.abrir(usuario, resolvido)
        await _criado(update, context, usuario, processo)
        return
    # Keep what was right and ask again for what was not, as the guided form would.
    passo, erro = falha
    if passo == "contato":  # the contact question itself says what matched
        assert rascunho.contato is not None
        fluxo = Fluxo(FORM.nome, "contato", dados)
        await FORM.salvar(update, context, fluxo)
        await _responder_contato(update, context, usuario, fluxo, rascunho.contato)
    else:
        await reply_html(update, context.bot, erro.message)
        await FORM.perguntar(update, context, passo, dados)


async def _validar_linha(
    context: CogepContext, usuario: Usuario, rascunho: Rascunho
) -> tuple[dict[str, Any], tuple[str, CogepError] | None]:
    """The form's answers a one-line /novo gives, and its first faulty step (with why)."""
    servico = context.services.processos
    validar: dict[str, Callable[[str], object]] = {
        "titulo": servico.validar_titulo,
        "descricao": servico.validar_descricao,
        "prazo": lambda texto: servico.interpretar_prazo(usuario, texto),
        "prioridade": servico.validar_prioridade,
    }
    dados: dict[str, Any] = {}
    falha: tuple[str, CogepError] | None = None
    for passo, checar in validar.items():
        valor = getattr(rascunho, passo)
        if valor is None:
            dados[passo] = None  # not given: not asked either
            continue
        try:
            checar(valor)
        except CogepError as erro:
            falha = falha or (passo, erro)
        else:
            dados[passo] = valor
    if rascunho.contato is None:
        dados["contato"] = None
    else:
        achados = await context.services.contatos.buscar(rascunho.contato)
        if len(achados) == 1:
            dados["contato"], dados["contato_id"] = achados[0].nome, achados[0].id
        else:
            ambiguo = CogepError(texts.contato_ambiguo(rascunho.contato, len(achados)))
            falha = falha or ("contato", ambiguo)
    return dados, falha


async def resposta(update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo) -> None:
    """Validate the typed answer to the current question and move on."""
    assert update.effective_message is not None
    texto, servico = update.effective_message.text or "", context.services.processos
    dados = dict(fluxo.dados)
    if fluxo.passo == "titulo":
        dados["titulo"] = servico.validar_titulo(texto)
    elif fluxo.passo == "descricao":
        dados["descricao"] = servico.validar_descricao(texto)
    elif fluxo.passo == "prazo":
        servico.interpretar_prazo(usuario, texto)  # refuse now, not at the end
        dados["prazo"] = texto
    elif fluxo.passo == "prioridade":
        dados["prioridade"] = servico.validar_prioridade(texto)
    else:
        await _responder_contato(update, context, usuario, fluxo, texto)
        return
    await FORM.avancar(update, context, usuario, fluxo, dados)


async def _responder_contato(
    update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo, texto: str
) -> None:
    """Link the one contact the text names, or offer the candidates as buttons."""
    achados = await context.services.contatos.buscar(texto)
    if len(achados) != 1:
        pergunta = texts.ESCOLHA_CONTATO if achados else texts.contato_ambiguo(texto, 0)
        teclado = keyboards.escolher_contato(botoes.NovoContato, achados, pular=True)
        await reply_html(update, context.bot, pergunta, keyboard=teclado)
        return
    dados = {**fluxo.dados, "contato_id": achados[0].id}
    await FORM.avancar(update, context, usuario, fluxo, dados)


async def escolher_prioridade(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.NovoPrioridade
) -> None:
    """A priority button under the priority question."""
    validar = context.services.processos.validar_prioridade
    await FORM.responder_botao(
        update, context, usuario, "prioridade", lambda: {"prioridade": validar(botao.prioridade)}
    )


async def escolher_contato(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.NovoContato
) -> None:
    """One of the contacts offered under the contact question."""
    await FORM.responder_botao(
        update, context, usuario, "contato", lambda: {"contato_id": botao.contato_id}
    )


async def _abrir(
    update: Update, context: CogepContext, usuario: Usuario, dados: dict[str, Any]
) -> None:
    """Create the processo from the complete answers."""
    rascunho = Rascunho(
        titulo=dados["titulo"],
        descricao=dados.get("descricao"),
        prazo=dados.get("prazo"),
        prioridade=dados.get("prioridade"),
        contato_id=dados.get("contato_id"),
    )
    assert update.effective_chat is not None
    formulario = (update.effective_chat.id, usuario.telegram_id)
    processo = await context.services.processos.abrir(usuario, rascunho, formulario=formulario)
    await _criado(update, context, usuario, processo)
    await retomar_se_houver(update, context)


async def _criado(
    update: Update, context: CogepContext, usuario: Usuario, processo: Processo
) -> None:
    contato = processo.contato.nome if processo.contato_id and processo.contato else None
    html = texts.processo_criado(
        processo,
        zona=usuario.fuso_horario,
        agora=context.services.processos.agora(),
        contato=contato,
    )
    await reply_html(update, context.bot, html)


FORM = Formulario(FLOW, PERGUNTAS, responder=resposta, concluir=_abrir)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[Comando("novo", novo, texts.AJUDA_NOVO)],
    handlers=[
        on_button(botoes.NovoPrioridade, escolher_prioridade),
        on_button(botoes.NovoContato, escolher_contato),
    ],
    formularios=[FORM],
)
