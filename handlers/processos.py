"""/processos, /processo, /buscar and the buttons under a processo."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from telegram import CallbackQuery, Message, Update

from bot import texts
from bot.acentos import sem_acentos
from bot.errors import StaleState
from bot.fluxos import Fluxo
from bot.processos import Detalhe, Pagina, ProcessoService
from bot.processos.servico import FILTROS
from bot.saida.envio import edit_teclado, redesenhar, reply_html
from bot.usuarios.regras import gerencia
from db.models import Processo, Usuario
from handlers import botoes, documentos, teclados
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.formulario import Resposta, encerrar_fluxo, retomar
from handlers.rotas import Comando, Rotas

FLOW_COMENTARIO, FLOW_PRAZO, FLOW_VINCULO = "comentario", "prazo", "vinculo"
FLOW_TITULO, FLOW_DESCRICAO = "titulo", "descricao"
DESVINCULAR = {"remover", "desvincular", "nenhum", "sem contato", "-"}


def _detalhe_html(context: CogepContext, usuario: Usuario, d: Detalhe) -> str:
    agora = context.services.processos.agora()
    return texts.detalhe_processo(
        d.processo, d.eventos, zona=usuario.fuso_horario, agora=agora, total=d.eventos_total
    )


async def _show(
    update: Update, context: CogepContext, usuario: Usuario, d: Detalhe, *, edit: bool
) -> None:
    """Render a processo, replacing the pressed message when there is one."""
    html, teclado = _detalhe_html(context, usuario, d), teclados.detalhe(d)
    await redesenhar(update, context.bot, html, teclado=teclado, no_lugar=edit)


@registered
async def processo(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Show one processo: `/processo 2026-0042`."""
    detalhe = await context.services.processos.detalhe_por_numero(
        usuario, " ".join(context.args or [])
    )
    await _show(update, context, usuario, detalhe, edit=False)


async def mostrar_por_numero(
    update: Update, context: CogepContext, usuario: Usuario, numero: str
) -> None:
    """The card of a processo named by its number (a deep link), or the usual "não encontrado"."""
    detalhe = await context.services.processos.detalhe_por_numero(usuario, numero)
    await _show(update, context, usuario, detalhe, edit=False)


async def link(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoLinkDoProcesso
) -> None:
    """🔗 on a card: the link that opens it in the bot, to paste anywhere."""
    d = await context.services.processos.detalhe(usuario, botao.processo_id)  # refuses the unseen
    await _query(update).answer()
    await reply_html(
        update, context.bot, texts.link_do_processo(d.processo.numero, context.bot.username)
    )


@registered
async def listar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """List the caller's processos: `/processos [abertos|atrasados|concluidos|todos]`."""
    pedido = (context.args or ["abertos"])[0]
    filtro = sem_acentos(pedido.lower())
    if filtro not in FILTROS:
        await reply_html(update, context.bot, texts.filtro_desconhecido(pedido))
        filtro = "abertos"
    await _page(update, context, usuario, filtro=filtro, pagina=0, edit=False)


async def _page(
    update: Update,
    context: CogepContext,
    usuario: Usuario,
    *,
    filtro: str,
    pagina: int,
    edit: bool,
    responsavel_id: int | None = None,
) -> None:
    page = await context.services.processos.listar(
        usuario, filtro=filtro, pagina=pagina, responsavel_id=responsavel_id
    )
    html = texts.lista_processos(
        page.itens,
        filtro=page.filtro,
        pagina=page.pagina,
        zona=usuario.fuso_horario,
        agora=context.services.processos.agora(),
        responsavel=_nome_do_filtro(page),
    )
    # Telegram opens a Mini App button only in private chats; a group gets the menu button.
    privado = update.effective_chat is not None and update.effective_chat.type == "private"
    quadro = context.services.settings.quadro_url if privado else None
    teclado = teclados.lista(page, gestor=gerencia(usuario), quadro=quadro)
    await redesenhar(update, context.bot, html, teclado=teclado, no_lugar=edit)


def _nome_do_filtro(page: Pagina) -> str | None:
    """Who the list is filtered by, for its header."""
    if page.sem_responsavel:
        return texts.NINGUEM
    return page.responsavel.nome if page.responsavel else None


@registered
async def buscar(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """Search processos: `/buscar texto`."""
    busca = " ".join(context.args or [])
    achados = await context.services.processos.buscar(usuario, busca)
    html = texts.resultado_busca(
        busca, achados, zona=usuario.fuso_horario, agora=context.services.processos.agora()
    )
    teclado = teclados.resultados(achados) if achados else None
    teclado = documentos.com_busca_nos_documentos(teclado, busca)
    await reply_html(update, context.bot, html, teclado=teclado)


def _query(update: Update) -> CallbackQuery:
    assert update.callback_query is not None
    return update.callback_query


async def listar_pagina(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoLista
) -> None:
    """A filter or a page of /processos, in place."""
    await _query(update).answer()
    await _page(
        update,
        context,
        usuario,
        filtro=botao.filtro,
        pagina=max(botao.pagina, 0),
        responsavel_id=botao.responsavel_id,
        edit=True,
    )


async def filtrar_por_responsavel(
    update: Update,
    context: CogepContext,
    usuario: Usuario,
    botao: botoes.BotaoFiltrarPorResponsavel,
) -> None:
    """Offer the people to filter /processos by (gestores)."""
    candidatos = await context.services.processos.candidatos_a_responsavel(usuario)
    await _query(update).answer()
    teclado = teclados.filtro_responsavel(botao.filtro, candidatos)
    await reply_html(update, context.bot, texts.ESCOLHA_FILTRO_RESPONSAVEL, teclado=teclado)


async def ver(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoVerProcesso
) -> None:
    """Show (refresh) a processo in place."""
    d = await context.services.processos.detalhe(usuario, botao.processo_id)
    await _query(update).answer()
    await _show(update, context, usuario, d, edit=True)


async def mudar_status(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoMudarStatus
) -> None:
    """Move a processo along its status machine; cancelling asks to confirm first."""
    query, pid, servico = _query(update), botao.processo_id, context.services.processos
    if botao.para == "cancelado" and botao.confirmado is None:
        await servico.detalhe(usuario, pid)  # refuse the unseen before asking
        await query.answer(texts.PERGUNTA_CANCELAMENTO, show_alert=True)
        if isinstance(query.message, Message):
            teclado = teclados.confirmar_cancelamento(pid, botao.versao)
            await edit_teclado(query.message, teclado)
        return
    try:
        d = await servico.mudar_status(usuario, pid, botao.para, versao=botao.versao)
    except StaleState:
        await query.answer(texts.BOTAO_EXPIRADO)
        await _show(update, context, usuario, await servico.detalhe(usuario, pid), edit=True)
        return
    estado = texts.STATUS_NOME[d.processo.status].capitalize()
    await query.answer(texts.oferecer_assumir(estado) if d.assumir else estado)
    await _show(update, context, usuario, d, edit=True)


async def escolher_responsavel(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoEscolherResponsavel
) -> None:
    """Offer the people a processo can be assigned to."""
    servico, pid = context.services.processos, botao.processo_id
    candidatos = await servico.candidatos_a_responsavel(usuario)
    d = await servico.detalhe(usuario, pid)
    await _query(update).answer()
    teclado = teclados.responsaveis(pid, d.versao, candidatos, atual=d.processo.responsavel_id)
    await reply_html(update, context.bot, texts.ESCOLHA_RESPONSAVEL, teclado=teclado)


async def atribuir(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoAtribuir
) -> None:
    """Assign the processo to the person pressed (or to nobody)."""
    query, pid, servico = _query(update), botao.processo_id, context.services.processos
    try:
        d = await servico.atribuir(usuario, pid, botao.usuario_id or None, versao=botao.versao)
    except StaleState:
        await query.answer(texts.BOTAO_EXPIRADO)
        await _show(update, context, usuario, await servico.detalhe(usuario, pid), edit=False)
        return
    await query.answer()
    await _show(update, context, usuario, d, edit=True)


async def prioridade(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoPrioridade
) -> None:
    """Offer the priorities in place of the detail's buttons, or set the one pressed."""
    query, pid, servico = _query(update), botao.processo_id, context.services.processos
    if botao.prioridade is None:
        atual = (await servico.detalhe(usuario, pid)).processo.prioridade  # refuses the unseen
        await query.answer()
        if isinstance(query.message, Message):
            teclado = teclados.prioridades(
                lambda p: botoes.BotaoPrioridade(pid, p),
                voltar=botoes.BotaoVerProcesso(pid),
                atual=atual,
            )
            await edit_teclado(query.message, teclado)
        return
    d = await servico.mudar_prioridade(usuario, pid, botao.prioridade)
    await query.answer()
    await _show(update, context, usuario, d, edit=True)


async def editar(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoEditar
) -> None:
    """Offer what to edit (title, description), in place of the detail's buttons."""
    query = _query(update)
    await context.services.processos.detalhe(usuario, botao.processo_id)  # refuse the unseen
    await query.answer()
    if isinstance(query.message, Message):
        await edit_teclado(query.message, teclados.editar(botao.processo_id))


async def historico(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoHistorico
) -> None:
    """Send the whole history, comments in full."""
    d = await context.services.processos.historico(usuario, botao.processo_id)
    await _query(update).answer()
    html = texts.historico_completo(
        d.processo,
        d.eventos,
        total=d.eventos_total,
        zona=usuario.fuso_horario,
        agora=context.services.processos.agora(),
    )
    await reply_html(update, context.bot, html)  # as many messages as it takes


class _BotaoDeProcesso(Protocol):
    @property
    def processo_id(self) -> int: ...


def _pedir_texto(
    nome: str, pergunta: str | Callable[[Processo], str]
) -> Callable[[Update, CogepContext, Usuario, _BotaoDeProcesso], Awaitable[None]]:
    """A button that asks for a typed answer (comment, deadline, contact name, new title…);
    `pergunta` may show the processo's current value, so a typo is fixed by copying it."""

    async def pedir(
        update: Update, context: CogepContext, usuario: Usuario, botao: _BotaoDeProcesso
    ) -> None:
        pid = botao.processo_id
        d = await context.services.processos.detalhe(usuario, pid)  # refuses the unseen
        assert update.effective_chat is not None
        await context.services.fluxos.salvar(
            chat_id=update.effective_chat.id,
            telegram_id=usuario.telegram_id,
            fluxo=Fluxo(nome, "texto", {"processo_id": pid}),
        )
        await _query(update).answer()
        texto = pergunta if isinstance(pergunta, str) else pergunta(d.processo)
        await reply_html(update, context.bot, texto)

    return pedir


comentar = _pedir_texto(FLOW_COMENTARIO, texts.PERGUNTA_COMENTARIO)
pedir_prazo = _pedir_texto(FLOW_PRAZO, texts.PERGUNTA_PRAZO)
pedir_contato = _pedir_texto(FLOW_VINCULO, texts.PERGUNTA_CONTATO)
pedir_titulo = _pedir_texto(FLOW_TITULO, texts.pergunta_titulo)
pedir_descricao = _pedir_texto(FLOW_DESCRICAO, texts.pergunta_descricao)


async def vincular(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoVincularContato
) -> None:
    """Link the contact picked among several found."""
    servico = context.services.processos
    d = await servico.vincular_contato(usuario, botao.processo_id, botao.contato_id)
    await _query(update).answer()
    await _respondido(update, context, usuario, d)


async def _respondido(update: Update, context: CogepContext, usuario: Usuario, d: Detalhe) -> None:
    """After a typed answer (or the choice it led to): end the prompt, show the processo, and
    take up the draft the prompt had set aside."""
    rascunho = await encerrar_fluxo(update, context)
    await _show(update, context, usuario, d, edit=False)
    await retomar(update, context, rascunho)


def _texto(update: Update) -> str:
    assert update.effective_message is not None
    return update.effective_message.text or ""


def _responder_com(
    mudar: Callable[[ProcessoService], Callable[[Usuario, int, str], Awaitable[Detalhe]]],
) -> Resposta:
    """The answer to a one-question prompt: hand the typed text to one change of the service."""

    async def responder(
        update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo
    ) -> None:
        pid = int(fluxo.dados["processo_id"])
        d = await mudar(context.services.processos)(usuario, pid, _texto(update))
        await _respondido(update, context, usuario, d)

    return responder


comentario = _responder_com(lambda servico: servico.comentar)
prazo = _responder_com(lambda servico: servico.mudar_prazo)
titulo = _responder_com(lambda servico: servico.editar_titulo)
descricao = _responder_com(lambda servico: servico.editar_descricao)


async def vinculo(update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo) -> None:
    """The typed name of the contact to link ("remover" unlinks); several found: buttons."""
    texto, servico = _texto(update), context.services.processos
    pid = int(fluxo.dados["processo_id"])
    if sem_acentos(texto.strip().lower()) in DESVINCULAR:
        d = await servico.vincular_contato(usuario, pid, None)
        await _respondido(update, context, usuario, d)
        return
    achados = await context.services.contatos.buscar(texto)
    if not achados:
        await reply_html(update, context.bot, texts.nenhum_contato(texto))
    elif len(achados) == 1:  # no choice to make
        d = await servico.vincular_contato(usuario, pid, achados[0].id)
        await _respondido(update, context, usuario, d)
    else:
        teclado = teclados.escolher_contato(
            lambda cid: botoes.BotaoVincularContato(pid, cid), achados, pular=False
        )
        await reply_html(update, context.bot, texts.ESCOLHA_CONTATO, teclado=teclado)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[
        Comando("processos", listar, texts.AJUDA_PROCESSOS),
        Comando("processo", processo, texts.AJUDA_PROCESSO),
        Comando("buscar", buscar, texts.AJUDA_BUSCAR),
    ],
    handlers=[
        on_button(botoes.BotaoLista, listar_pagina),
        on_button(botoes.BotaoFiltrarPorResponsavel, filtrar_por_responsavel),
        on_button(botoes.BotaoVerProcesso, ver),
        on_button(botoes.BotaoMudarStatus, mudar_status),
        on_button(botoes.BotaoEscolherResponsavel, escolher_responsavel),
        on_button(botoes.BotaoAtribuir, atribuir),
        on_button(botoes.BotaoPrioridade, prioridade),
        on_button(botoes.BotaoComentar, comentar),
        on_button(botoes.BotaoMudarPrazo, pedir_prazo),
        on_button(botoes.BotaoPedirContato, pedir_contato),
        on_button(botoes.BotaoVincularContato, vincular),
        on_button(botoes.BotaoEditar, editar),
        on_button(botoes.BotaoEditarTitulo, pedir_titulo),
        on_button(botoes.BotaoEditarDescricao, pedir_descricao),
        on_button(botoes.BotaoHistorico, historico),
        on_button(botoes.BotaoLinkDoProcesso, link),
    ],
    perguntas={
        FLOW_COMENTARIO: comentario,
        FLOW_PRAZO: prazo,
        FLOW_VINCULO: vinculo,
        FLOW_TITULO: titulo,
        FLOW_DESCRICAO: descricao,
    },
)
