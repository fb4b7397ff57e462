"""/novo: open a processo in one line, or step by step (título, descrição, prazo, prioridade,
contato); as a reply to a message, that message's text is the description and its author (a
forward's original sender) is named in the history. Each answer is validated before the flow
moves on, and the flow lives in PostgreSQL, so a restart in the middle continues at the same
question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from telegram import (
    Message,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)

from bot import texts
from bot.errors import CogepError
from bot.fluxos import Fluxo
from bot.processos import Rascunho, interpretar_linha
from bot.saida.envio import reply_html
from db.models import Processo, Usuario
from handlers import botoes, teclados
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.formulario import Formulario, retomar_se_houver
from handlers.rotas import Comando, Rotas

FLOW = "novo"
PERGUNTAS = {
    "titulo": (texts.NOVO_TITULO, None),
    "descricao": (texts.NOVO_DESCRICAO, teclados.pular(FLOW, "descricao")),
    "prazo": (texts.NOVO_PRAZO, teclados.pular(FLOW, "prazo")),
    "prioridade": (texts.NOVO_PRIORIDADE, teclados.prioridades()),
    "contato": (texts.NOVO_CONTATO, teclados.pular(FLOW, "contato")),
}


@registered
async def novo(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Open a processo: `/novo Título | prazo sexta 18h | prioridade alta`, or guided."""
    assert update.effective_message is not None
    linha = (update.effective_message.text or "").partition(" ")[2].strip()
    citada = await _citada(update, context)
    if not linha and citada is not None:  # a reply: its text is the description; ask the rest
        await FORM.perguntar(update, context, "titulo", citada)
        return
    if not linha:
        await FORM.comecar(update, context)
        return
    rascunho = interpretar_linha(linha)
    if citada is not None and rascunho.descricao is None:
        rascunho = replace(rascunho, descricao=citada["descricao"], origem=citada["origem"])
    dados, falha = await _validar_linha(context, usuario, rascunho)
    if falha is None:  # the contact found while validating is linked by id: no second search
        resolvido = replace(rascunho, contato=None, contato_id=dados.get("contato_id"))
        processo = await context.services.processos.abrir(usuario, resolvido)
        await _criado(update, context, usuario, processo)
        return
    # Keep what was right and ask again only for what was not, as the guided form would.
    passo, erros = falha
    if erros:
        await reply_html(update, context.bot, "\n".join(erros))
    if passo == "contato" and rascunho.contato is not None:  # the question says what matched
        fluxo = Fluxo(FORM.nome, "contato", dados)
        await FORM.salvar(update, context, fluxo)
        await _responder_contato(update, context, usuario, fluxo, rascunho.contato)
    else:
        await FORM.perguntar(update, context, passo, dados)


async def _citada(update: Update, context: CogepContext) -> dict[str, Any] | None:
    """/novo as a reply: the replied-to message's text as the description and its author's
    name (a forwarded message's original sender) for the history; None when it has no text,
    or its text is too long to be one (said, and the form goes on without it)."""
    assert update.effective_message is not None
    alvo = update.effective_message.reply_to_message
    texto = (alvo.text or alvo.caption) if alvo is not None else None
    if alvo is None or not texto:
        return None
    try:
        descricao = context.services.processos.validar_descricao(texto)
    except CogepError as erro:
        await reply_html(update, context.bot, erro.message)
        return None
    return {"descricao": descricao, "origem": _autor(alvo)}


def _autor(mensagem: Message) -> str | None:
    """Who wrote a message: a forward's original sender (user, hidden user, chat, channel)."""
    origem = mensagem.forward_origin
    if isinstance(origem, MessageOriginUser):
        return origem.sender_user.full_name
    if isinstance(origem, MessageOriginHiddenUser):
        return origem.sender_user_name
    if isinstance(origem, MessageOriginChat):
        return origem.sender_chat.title or origem.sender_chat.full_name
    if isinstance(origem, MessageOriginChannel):
        return origem.chat.title
    return mensagem.from_user.full_name if mensagem.from_user else None


async def _validar_linha(
    context: CogepContext, usuario: Usuario, rascunho: Rascunho
) -> tuple[dict[str, Any], tuple[str, list[str]] | None]:
    """The form's answers a one-line /novo gives, and its first faulty step (with why).

    A field left empty (`| prazo |`) is asked again; after a part naming no known field
    (`| foo bar`) every field the line did not give is asked (each may be skipped), since that
    part may have meant any of them.
    """
    servico = context.services.processos
    validar: dict[str, Callable[[str], object]] = {
        "titulo": servico.validar_titulo,
        "descricao": servico.validar_descricao,
        "prazo": lambda texto: servico.interpretar_prazo(usuario, texto),
        "prioridade": servico.validar_prioridade,
    }
    vazios = {f.campo for f in rascunho.faltas if f.campo is not None}
    perguntar_o_resto = any(f.campo is None for f in rascunho.faltas)
    erros = [f.mensagem for f in rascunho.faltas]
    dados: dict[str, Any] = {}
    faltosos: list[str] = list(vazios)
    for passo, checar in validar.items():
        valor = getattr(rascunho, passo)
        if valor is None:
            if passo not in vazios and not perguntar_o_resto:
                dados[passo] = None  # not given: not asked either
            continue
        try:
            checar(valor)
        except CogepError as erro:
            faltosos.append(passo)
            erros.append(erro.message)
        else:
            dados[passo] = valor
    if rascunho.origem is not None:
        dados["origem"] = rascunho.origem
    if rascunho.contato is None:
        if "contato" not in vazios and not perguntar_o_resto:
            dados["contato"] = None
    else:
        achados = await context.services.contatos.buscar(rascunho.contato)
        if len(achados) == 1:
            dados["contato"], dados["contato_id"] = achados[0].nome, achados[0].id
        else:
            faltosos.append("contato")
    pendentes = [passo for passo in FORM.passos if passo not in dados]
    if not faltosos and not erros:
        return dados, None
    primeiro = next(p for p in FORM.passos if p in faltosos or p in pendentes)
    return dados, (primeiro, erros)


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
        teclado = teclados.escolher_contato(botoes.BotaoNovoContato, achados, pular=True)
        await reply_html(update, context.bot, pergunta, teclado=teclado)
        return
    dados = {**fluxo.dados, "contato_id": achados[0].id}
    await FORM.avancar(update, context, usuario, fluxo, dados)


async def escolher_prioridade(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoNovoPrioridade
) -> None:
    """A priority button under the priority question."""
    validar = context.services.processos.validar_prioridade
    await FORM.responder_botao(
        update, context, usuario, "prioridade", lambda: {"prioridade": validar(botao.prioridade)}
    )


async def escolher_contato(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoNovoContato
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
        origem=dados.get("origem"),
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
        on_button(botoes.BotaoNovoPrioridade, escolher_prioridade),
        on_button(botoes.BotaoNovoContato, escolher_contato),
    ],
    formularios=[FORM],
)
