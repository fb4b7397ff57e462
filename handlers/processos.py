"""/processos, /processo, /buscar and the buttons under a processo."""

from __future__ import annotations

from telegram import Message, Update

from bot import texts
from bot.errors import InvalidInput, StaleState
from bot.fluxos import Fluxo
from bot.processos import Detalhe
from bot.processos.regras import CODIGO_STATUS, gerencia
from db.models import Usuario
from handlers import keyboards
from handlers.common import registered
from handlers.context import CogepContext
from handlers.reply import edit_html, reply_html

FLOW_COMENTARIO, FLOW_PRAZO, FLOW_VINCULO = "comentario", "prazo", "vinculo"


def _detalhe_html(context: CogepContext, usuario: Usuario, d: Detalhe) -> str:
    agora = context.services.processos.agora()
    return texts.detalhe_processo(d.processo, d.eventos, zona=usuario.fuso_horario, agora=agora)


async def _show(update: Update, context: CogepContext, d: Detalhe, *, edit: bool) -> None:
    """Render a processo, replacing the pressed message when there is one."""
    assert context.usuario is not None
    html, keyboard = _detalhe_html(context, context.usuario, d), keyboards.detalhe(d)
    query = update.callback_query
    if edit and query is not None and isinstance(query.message, Message):
        await edit_html(query.message, html, keyboard=keyboard)
    else:
        await reply_html(update, context.bot, html, keyboard=keyboard)


def _ids(data: str, count: int) -> list[int]:
    """The first `count` integer fields after the prefix; a forged button gets a clear error."""
    parts = data.split(":")[1 : count + 1]
    if len(parts) != count or not all(p.isdigit() for p in parts):
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    return [int(p) for p in parts]


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
    filtro = (context.args or ["abertos"])[0].lower().replace("í", "i")
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
        responsavel=page.responsavel.nome if page.responsavel else None,
    )
    teclado = keyboards.lista(page, gestor=gerencia(usuario))
    query = update.callback_query
    if edit and query is not None and isinstance(query.message, Message):
        await edit_html(query.message, html, keyboard=teclado)
    else:
        await reply_html(update, context.bot, html, keyboard=teclado)


@registered
async def buscar(update: Update, context: CogepContext) -> None:
    """Search processos: `/buscar texto`."""
    assert context.usuario is not None
    busca = " ".join(context.args or [])
    achados = await context.services.processos.buscar(context.usuario, busca)
    html = texts.resultado_busca(
        busca, achados, zona=context.usuario.fuso_horario, agora=context.services.processos.agora()
    )
    await reply_html(update, context.bot, html)


@registered
async def botao(update: Update, context: CogepContext) -> None:
    """Act on a button under a processo or a list."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.usuario is not None
    acao, data, usuario = query.data.split(":", 1)[0], query.data, context.usuario
    servico = context.services.processos
    if acao == "pl":
        _, filtro, pagina, quem = [*data.split(":"), "", "0", ""][:4]
        await query.answer()
        await _page(
            update,
            context,
            filtro=filtro,
            pagina=int(pagina) if pagina.isdigit() else 0,
            responsavel_id=int(quem) if quem.isdigit() else None,
            edit=True,
        )
    elif acao == "pu":
        candidatos = await servico.candidatos_a_responsavel(usuario)
        await query.answer()
        teclado = keyboards.filtro_responsavel(data.partition(":")[2], candidatos)
        await reply_html(update, context.bot, texts.ESCOLHA_FILTRO_RESPONSAVEL, keyboard=teclado)
    elif acao == "pv":
        (pid,) = _ids(data, 1)
        d = await servico.detalhe(usuario, pid)
        await query.answer()
        await _show(update, context, d, edit=True)
    elif acao == "ps":
        await _mudar_status(update, context, data)
    elif acao == "pr":
        (pid,) = _ids(data, 1)
        d = await servico.detalhe(usuario, pid)
        candidatos = await servico.candidatos_a_responsavel(usuario)
        await query.answer()
        await reply_html(
            update, context.bot, texts.ESCOLHA_RESPONSAVEL,
            keyboard=keyboards.responsaveis(pid, d.versao, candidatos),
        )  # fmt: skip
    elif acao == "pa":
        pid, uid, versao = _ids(data, 3)
        try:
            d = await servico.atribuir(usuario, pid, uid, versao=versao)
        except StaleState:
            await query.answer(texts.BOTAO_EXPIRADO)
            d = await servico.detalhe(usuario, pid)
            await _show(update, context, d, edit=False)
            return
        await query.answer()
        await _show(update, context, d, edit=True)
    elif acao in ("pc", "pp", "pk"):
        (pid,) = _ids(data, 1)
        await servico.detalhe(usuario, pid)  # refuses what the user cannot see, before asking
        nome, pergunta = {
            "pc": (FLOW_COMENTARIO, texts.PERGUNTA_COMENTARIO),
            "pp": (FLOW_PRAZO, texts.PERGUNTA_PRAZO),
            "pk": (FLOW_VINCULO, texts.PERGUNTA_CONTATO),
        }[acao]
        assert update.effective_chat is not None
        await context.services.fluxos.salvar(
            chat_id=update.effective_chat.id,
            telegram_id=usuario.telegram_id,
            fluxo=Fluxo(nome, "texto", {"processo_id": pid}),
        )
        await query.answer()
        await reply_html(update, context.bot, pergunta)
    elif acao == "pkc":
        pid, cid = _ids(data, 2)
        d = await servico.vincular_contato(usuario, pid, cid)
        await _encerrar_fluxo(update, context)
        await query.answer()
        await _show(update, context, d, edit=False)
    else:
        await query.answer()


async def _mudar_status(update: Update, context: CogepContext, data: str) -> None:
    query, usuario = update.callback_query, context.usuario
    assert query is not None and usuario is not None
    partes = data.split(":")
    valido = len(partes) == 4 and partes[1].isdigit() and partes[3].isdigit()
    if not valido or partes[2] not in CODIGO_STATUS:
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    pid, para, versao = int(partes[1]), CODIGO_STATUS[partes[2]], int(partes[3])
    servico = context.services.processos
    try:
        d = await servico.mudar_status(usuario, pid, para, versao=versao)
    except StaleState:
        await query.answer(texts.BOTAO_EXPIRADO)
        await _show(update, context, await servico.detalhe(usuario, pid), edit=True)
        return
    await query.answer(texts.STATUS_NOME[d.processo.status].capitalize())
    await _show(update, context, d, edit=True)


async def _encerrar_fluxo(update: Update, context: CogepContext) -> None:
    assert update.effective_chat is not None and update.effective_user is not None
    await context.services.fluxos.encerrar(
        chat_id=update.effective_chat.id, telegram_id=update.effective_user.id
    )


async def resposta(update: Update, context: CogepContext, fluxo: Fluxo) -> None:
    """Take the typed comment, deadline or contact name for a processo."""
    assert update.effective_message is not None and context.usuario is not None
    texto, usuario = update.effective_message.text or "", context.usuario
    servico, pid = context.services.processos, int(fluxo.dados["processo_id"])
    if fluxo.nome == FLOW_COMENTARIO:
        d = await servico.comentar(usuario, pid, texto)
    elif fluxo.nome == FLOW_PRAZO:
        d = await servico.mudar_prazo(usuario, pid, texto)
    else:
        achados = await context.services.contatos.buscar(texto)
        if not achados:
            await reply_html(update, context.bot, texts.contato_ambiguo(texto, 0))
            return
        await reply_html(
            update, context.bot, texts.ESCOLHA_CONTATO,
            keyboard=keyboards.escolher_contato(f"pkc:{pid}", achados, pular=False),
        )  # fmt: skip
        return
    await _encerrar_fluxo(update, context)
    await _show(update, context, d, edit=False)
