"""/processos, /processo, /buscar and the buttons under a processo."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Message, Update

from bot import texts
from bot.acentos import sem_acentos
from bot.errors import InvalidInput, StaleState
from bot.fluxos import Fluxo
from bot.processos import Detalhe, Pagina
from bot.processos.regras import CODIGO_STATUS, gerencia
from bot.processos.servico import FILTROS
from db.models import Processo, Usuario
from handlers import documentos, keyboards
from handlers.common import registered
from handlers.context import CogepContext
from handlers.formulario import encerrar_fluxo, retomar
from handlers.reply import edit_html, edit_keyboard, reply_html

FLOW_COMENTARIO, FLOW_PRAZO, FLOW_VINCULO = "comentario", "prazo", "vinculo"
FLOW_TITULO, FLOW_DESCRICAO = "titulo", "descricao"
DESVINCULAR = {"remover", "desvincular", "nenhum", "sem contato", "-"}


def _detalhe_html(context: CogepContext, usuario: Usuario, d: Detalhe) -> str:
    agora = context.services.processos.agora()
    return texts.detalhe_processo(
        d.processo, d.eventos, zona=usuario.fuso_horario, agora=agora, total=d.eventos_total
    )


async def _show(update: Update, context: CogepContext, d: Detalhe, *, edit: bool) -> None:
    """Render a processo, replacing the pressed message when there is one."""
    assert context.usuario is not None
    html, keyboard = _detalhe_html(context, context.usuario, d), keyboards.detalhe(d)
    query = update.callback_query
    if edit and query is not None and isinstance(query.message, Message):
        await edit_html(query.message, html, keyboard=keyboard)
    else:
        await reply_html(update, context.bot, html, keyboard=keyboard)


@registered
async def processo(update: Update, context: CogepContext) -> None:
    """Show one processo: `/processo 2026-0042`."""
    assert context.usuario is not None
    detalhe = await context.services.processos.detalhe_por_numero(
        context.usuario, " ".join(context.args or [])
    )
    await _show(update, context, detalhe, edit=False)


@registered
async def listar(update: Update, context: CogepContext) -> None:
    """List the caller's processos: `/processos [abertos|atrasados|concluidos|todos]`."""
    assert context.usuario is not None
    pedido = (context.args or ["abertos"])[0]
    filtro = sem_acentos(pedido.lower())
    if filtro not in FILTROS:
        await reply_html(update, context.bot, texts.filtro_desconhecido(pedido))
        filtro = "abertos"
    await _page(update, context, filtro=filtro, pagina=0, edit=False)


async def _page(
    update: Update,
    context: CogepContext,
    *,
    filtro: str,
    pagina: int,
    edit: bool,
    responsavel_id: int | None = None,
) -> None:
    assert context.usuario is not None
    usuario = context.usuario
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
    teclado = keyboards.lista(page, gestor=gerencia(usuario))
    query = update.callback_query
    if edit and query is not None and isinstance(query.message, Message):
        await edit_html(query.message, html, keyboard=teclado)
    else:
        await reply_html(update, context.bot, html, keyboard=teclado)


def _nome_do_filtro(page: Pagina) -> str | None:
    """Who the list is filtered by, for its header."""
    if page.sem_responsavel:
        return texts.NINGUEM
    return page.responsavel.nome if page.responsavel else None


@registered
async def buscar(update: Update, context: CogepContext) -> None:
    """Search processos: `/buscar texto`."""
    assert context.usuario is not None
    busca = " ".join(context.args or [])
    achados = await context.services.processos.buscar(context.usuario, busca)
    html = texts.resultado_busca(
        busca, achados, zona=context.usuario.fuso_horario, agora=context.services.processos.agora()
    )
    teclado = keyboards.resultados(achados) if achados else None
    teclado = documentos.com_busca_nos_documentos(teclado, busca)
    await reply_html(update, context.bot, html, keyboard=teclado)


@registered
async def botao(update: Update, context: CogepContext) -> None:
    """Act on a button under a processo or a list (see `handlers.keyboards` for the data)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    prefixo, _, resto = query.data.partition(":")
    acao = BOTOES.get(prefixo)
    if acao is None:
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    await acao(update, context, resto.split(":"))


Acao = Callable[[Update, CogepContext, list[str]], Awaitable[None]]


def _ints(campos: list[str], count: int) -> list[int]:
    """The first `count` fields as integers; a forged button gets a clear refusal."""
    if len(campos) < count or not all(c.isdigit() for c in campos[:count]):
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    return [int(c) for c in campos[:count]]


def _partes(update: Update, context: CogepContext) -> tuple[CallbackQuery, Usuario]:
    assert update.callback_query is not None and context.usuario is not None
    return update.callback_query, context.usuario


async def _listar(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, _ = _partes(update, context)
    filtro, pagina, quem = [*campos, "", "0", ""][:3]
    await query.answer()
    await _page(
        update,
        context,
        filtro=filtro,
        pagina=int(pagina) if pagina.isdigit() else 0,
        responsavel_id=int(quem) if quem.isdigit() else None,
        edit=True,
    )


async def _filtrar_por_responsavel(
    update: Update, context: CogepContext, campos: list[str]
) -> None:
    query, usuario = _partes(update, context)
    candidatos = await context.services.processos.candidatos_a_responsavel(usuario)
    await query.answer()
    teclado = keyboards.filtro_responsavel(campos[0], candidatos)
    await reply_html(update, context.bot, texts.ESCOLHA_FILTRO_RESPONSAVEL, keyboard=teclado)


async def _ver(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    (pid,) = _ints(campos, 1)
    d = await context.services.processos.detalhe(usuario, pid)
    await query.answer()
    await _show(update, context, d, edit=True)


async def _mudar_status(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    confirmado = campos[3:] == ["ok"]
    pid, versao = _ints(campos[:3:2] if len(campos) in (3, 4) else [], 2)
    para = CODIGO_STATUS.get(campos[1]) if len(campos) > 1 else None
    if para is None or (len(campos) == 4 and not confirmado):
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    servico = context.services.processos
    if para == "cancelado" and not confirmado:
        await servico.detalhe(usuario, pid)  # refuse the unseen before asking
        await query.answer(texts.PERGUNTA_CANCELAMENTO, show_alert=True)
        if isinstance(query.message, Message):
            await edit_keyboard(query.message, keyboards.confirmar_cancelamento(pid, versao))
        return
    try:
        d = await servico.mudar_status(usuario, pid, para, versao=versao)
    except StaleState:
        await query.answer(texts.BOTAO_EXPIRADO)
        await _show(update, context, await servico.detalhe(usuario, pid), edit=True)
        return
    await query.answer(texts.STATUS_NOME[d.processo.status].capitalize())
    await _show(update, context, d, edit=True)


async def _escolher_responsavel(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    (pid,) = _ints(campos, 1)
    servico = context.services.processos
    candidatos = await servico.candidatos_a_responsavel(usuario)
    d = await servico.detalhe(usuario, pid)
    await query.answer()
    teclado = keyboards.responsaveis(pid, d.versao, candidatos, atual=d.processo.responsavel_id)
    await reply_html(update, context.bot, texts.ESCOLHA_RESPONSAVEL, keyboard=teclado)


async def _atribuir(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    pid, uid, versao = _ints(campos, 3)
    servico = context.services.processos
    try:
        d = await servico.atribuir(usuario, pid, uid or None, versao=versao)
    except StaleState:
        await query.answer(texts.BOTAO_EXPIRADO)
        await _show(update, context, await servico.detalhe(usuario, pid), edit=False)
        return
    await query.answer()
    await _show(update, context, d, edit=True)


async def _prioridade(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    (pid,) = _ints(campos, 1)
    servico = context.services.processos
    if len(campos) == 1:  # the choice first, in place of the detail's buttons
        atual = (await servico.detalhe(usuario, pid)).processo.prioridade  # refuses the unseen
        await query.answer()
        if isinstance(query.message, Message):
            teclado = keyboards.prioridades(f"pi:{pid}", voltar=f"pv:{pid}", atual=atual)
            await edit_keyboard(query.message, teclado)
        return
    d = await servico.mudar_prioridade(usuario, pid, campos[1])
    await query.answer()
    await _show(update, context, d, edit=True)


async def _editar(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    (pid,) = _ints(campos, 1)
    await context.services.processos.detalhe(usuario, pid)  # refuse the unseen before offering
    await query.answer()
    if isinstance(query.message, Message):
        await edit_keyboard(query.message, keyboards.editar(pid))


async def _historico(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    (pid,) = _ints(campos, 1)
    d = await context.services.processos.historico(usuario, pid)
    await query.answer()
    html = texts.historico_completo(
        d.processo,
        d.eventos,
        total=d.eventos_total,
        zona=usuario.fuso_horario,
        agora=context.services.processos.agora(),
    )
    await reply_html(update, context.bot, html)  # as many messages as it takes


def _pedir_texto(nome: str, pergunta: str | Callable[[Processo], str]) -> Acao:
    """A button that asks for a typed answer (comment, deadline, contact name, new title…);
    `pergunta` may show the processo's current value, so a typo is fixed by copying it."""

    async def pedir(update: Update, context: CogepContext, campos: list[str]) -> None:
        query, usuario = _partes(update, context)
        (pid,) = _ints(campos, 1)
        d = await context.services.processos.detalhe(usuario, pid)  # refuses the unseen
        assert update.effective_chat is not None
        await context.services.fluxos.salvar(
            chat_id=update.effective_chat.id,
            telegram_id=usuario.telegram_id,
            fluxo=Fluxo(nome, "texto", {"processo_id": pid}),
        )
        await query.answer()
        texto = pergunta if isinstance(pergunta, str) else pergunta(d.processo)
        await reply_html(update, context.bot, texto)

    return pedir


async def _vincular(update: Update, context: CogepContext, campos: list[str]) -> None:
    query, usuario = _partes(update, context)
    pid, cid = _ints(campos, 2)
    d = await context.services.processos.vincular_contato(usuario, pid, cid)
    rascunho = await encerrar_fluxo(update, context)
    await query.answer()
    await _show(update, context, d, edit=False)
    await retomar(update, context, rascunho)


BOTOES: dict[str, Acao] = {
    "pl": _listar,
    "pu": _filtrar_por_responsavel,
    "pv": _ver,
    "ps": _mudar_status,
    "pr": _escolher_responsavel,
    "pa": _atribuir,
    "pi": _prioridade,
    "pc": _pedir_texto(FLOW_COMENTARIO, texts.PERGUNTA_COMENTARIO),
    "pp": _pedir_texto(FLOW_PRAZO, texts.PERGUNTA_PRAZO),
    "pk": _pedir_texto(FLOW_VINCULO, texts.PERGUNTA_CONTATO),
    "pe": _editar,
    "ph": _historico,
    "pet": _pedir_texto(FLOW_TITULO, texts.pergunta_titulo),
    "ped": _pedir_texto(FLOW_DESCRICAO, texts.pergunta_descricao),
    "pkc": _vincular,
}


async def resposta(update: Update, context: CogepContext, fluxo: Fluxo) -> None:
    """Take the typed comment, deadline, title, description or contact name for a processo."""
    assert update.effective_message is not None and context.usuario is not None
    texto, usuario = update.effective_message.text or "", context.usuario
    servico, pid = context.services.processos, int(fluxo.dados["processo_id"])
    if fluxo.nome == FLOW_COMENTARIO:
        d = await servico.comentar(usuario, pid, texto)
    elif fluxo.nome == FLOW_PRAZO:
        d = await servico.mudar_prazo(usuario, pid, texto)
    elif fluxo.nome == FLOW_TITULO:
        d = await servico.editar_titulo(usuario, pid, texto)
    elif fluxo.nome == FLOW_DESCRICAO:
        d = await servico.editar_descricao(usuario, pid, texto)
    elif sem_acentos(texto.strip().lower()) in DESVINCULAR:
        d = await servico.vincular_contato(usuario, pid, None)
    else:
        achados = await context.services.contatos.buscar(texto)
        if not achados:
            await reply_html(update, context.bot, texts.nenhum_contato(texto))
            return
        if len(achados) == 1:  # no choice to make
            d = await servico.vincular_contato(usuario, pid, achados[0].id)
            rascunho = await encerrar_fluxo(update, context)
            await _show(update, context, d, edit=False)
            await retomar(update, context, rascunho)
            return
        await reply_html(
            update, context.bot, texts.ESCOLHA_CONTATO,
            keyboard=keyboards.escolher_contato(f"pkc:{pid}", achados, pular=False),
        )  # fmt: skip
        return
    rascunho = await encerrar_fluxo(update, context)
    await _show(update, context, d, edit=False)
    await retomar(update, context, rascunho)
