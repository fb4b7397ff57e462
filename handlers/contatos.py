"""/contatos (list and search), /contato novo (guided creation) and card edits — the CRM."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from bot import contatos as regras
from bot import texts
from bot.errors import InvalidInput
from bot.fluxos import Fluxo
from handlers import keyboards
from handlers.common import registered
from handlers.context import CogepContext
from handlers.formulario import Formulario, encerrar_fluxo, retomar
from handlers.reply import edit_html, edit_keyboard, reply_html

FORM = Formulario(
    "contato",
    {
        "nome": (texts.CONTATO_NOVO_NOME, None),
        "empresa": (texts.CONTATO_NOVO_EMPRESA, keyboards.pular("cn", "empresa")),
        "email": (texts.CONTATO_NOVO_EMAIL, keyboards.pular("cn", "email")),
        "telefone": (texts.CONTATO_NOVO_TELEFONE, keyboards.pular("cn", "telefone")),
        "notas": (texts.CONTATO_NOVO_NOTAS, keyboards.pular("cn", "notas")),
    },
)
FLOW = FORM.nome
FLOW_EDICAO = "contato_edicao"


@registered
async def contatos(update: Update, context: CogepContext) -> None:
    """List contacts, or search them: `/contatos ana`."""
    await _listar_ou_buscar(update, context, " ".join(context.args or []))


async def _listar_ou_buscar(update: Update, context: CogepContext, busca: str) -> None:
    servico = context.services.contatos
    if busca:
        achados = await servico.buscar(busca)
        html = (
            texts.lista_contatos(achados, titulo=f"Contatos: {busca}")
            if achados
            else texts.nenhum_contato(busca)
        )
        teclado = keyboards.contatos(achados, pagina=0, tem_mais=False)
    else:
        page = await servico.listar()
        html = texts.lista_contatos(page.itens, titulo="Contatos")
        teclado = keyboards.contatos(page.itens, pagina=0, tem_mais=page.tem_mais)
    await reply_html(update, context.bot, html, keyboard=teclado)


@registered
async def contato(update: Update, context: CogepContext) -> None:
    """`/contato novo` starts the guided creation; `/contato novo Maria Silva` answers the name."""
    args = context.args or []
    if not args:
        await reply_html(update, context.bot, texts.CONTATO_USO)
        return
    if args[0].lower() != "novo":  # `/contato Carlos`: they are looking for Carlos
        await _listar_ou_buscar(update, context, " ".join(args))
        return
    if len(args) == 1:
        await FORM.comecar(update, context, "cn")
        return
    nome = regras.validar_nome(" ".join(args[1:]))
    await _avisar_homonimos(update, context, nome)
    await _avancar(update, context, Fluxo(FORM.nome, "nome", {}), {"nome": nome})


async def _avisar_homonimos(update: Update, context: CogepContext, nome: str) -> None:
    """Point out a contact of the same name before a second one is made."""
    iguais = await context.services.contatos.homonimos(nome)
    if iguais:
        await reply_html(update, context.bot, texts.contato_homonimo(iguais[0]))


@registered
async def botao(update: Update, context: CogepContext) -> None:
    """Open a card (`ct:`), page the list (`cl:`) or skip a question (`cn:pular`)."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.usuario is not None
    acao, _, valor = query.data.partition(":")
    if acao == "cn":
        await _pular(update, context, valor)
        return
    await query.answer()
    if acao == "ct" and valor.isdigit():
        await _mostrar_cartao(update, context, int(valor))
    elif acao in ("ce", "cv") and valor.isdigit() and isinstance(query.message, Message):
        contato_id = int(valor)
        cartao = await context.services.contatos.cartao(context.usuario, contato_id)
        opcoes = (
            keyboards.editar_contato(contato_id)
            if acao == "ce"
            else keyboards.cartao_contato(contato_id, cartao.processos)
        )
        await edit_keyboard(query.message, opcoes)
    elif acao == "cf":
        await _pedir_campo(update, context, valor)
    elif acao == "cl" and valor.isdigit():
        page = await context.services.contatos.listar(pagina=int(valor))
        html = texts.lista_contatos(page.itens, titulo="Contatos")
        teclado = keyboards.contatos(page.itens, pagina=page.pagina, tem_mais=page.tem_mais)
        if isinstance(query.message, Message):
            await edit_html(query.message, html, keyboard=teclado)


async def _pular(update: Update, context: CogepContext, valor: str) -> None:
    """`cn:pular:<passo>` skips that question, if still asked; `cn:rascunho:…` decides a draft."""
    assert update.callback_query is not None
    if valor.startswith("rascunho:"):
        await update.callback_query.answer()
        await FORM.decidir_rascunho(update, context, valor.partition(":")[2])
        return
    fluxo = await FORM.atual(update, context)
    if fluxo is None:
        await update.callback_query.answer(texts.FORMULARIO_TERMINADO)
        return
    if fluxo.passo == "nome" or valor != f"pular:{fluxo.passo}":
        await update.callback_query.answer(texts.PERGUNTA_JA_RESPONDIDA)
        return
    await update.callback_query.answer()
    await _avancar(update, context, fluxo, dict(fluxo.dados))


async def _mostrar_cartao(update: Update, context: CogepContext, contato_id: int) -> None:
    assert context.usuario is not None
    cartao = await context.services.contatos.cartao(context.usuario, contato_id)
    html = texts.cartao_contato(
        cartao.contato,
        cartao.processos,
        zona=context.usuario.fuso_horario,
        agora=context.services.processos.agora(),
    )
    teclado = keyboards.cartao_contato(contato_id, cartao.processos)
    await reply_html(update, context.bot, html, keyboard=teclado)


async def _pedir_campo(update: Update, context: CogepContext, valor: str) -> None:
    """Remember which field of which contact the next message replaces, and ask for it."""
    contato_id, _, campo = valor.partition(":")
    if not contato_id.isdigit() or campo not in texts.CAMPO_CONTATO:
        raise InvalidInput(texts.BOTAO_EXPIRADO)
    assert update.effective_chat is not None and update.effective_user is not None
    await context.services.fluxos.salvar(
        chat_id=update.effective_chat.id,
        telegram_id=update.effective_user.id,
        fluxo=Fluxo(FLOW_EDICAO, campo, {"contato_id": int(contato_id)}),
    )
    await reply_html(update, context.bot, texts.pergunta_campo_contato(campo))


async def resposta(update: Update, context: CogepContext, fluxo: Fluxo) -> None:
    """Validate the typed answer and move to the next question."""
    assert update.effective_message is not None
    texto, servico = update.effective_message.text or "", context.services.contatos
    dados = dict(fluxo.dados)
    if FORM.quer_pular(fluxo, texto):
        await _avancar(update, context, fluxo, dados)
        return
    if fluxo.passo == "email":  # a taken address is refused now, not after three more questions
        dados["email"] = await servico.verificar_email(texto)
    else:
        dados[fluxo.passo] = regras.CAMPOS[fluxo.passo](texto)
    if fluxo.passo == "nome":
        await _avisar_homonimos(update, context, dados["nome"])
    await _avancar(update, context, fluxo, dados)


async def resposta_edicao(update: Update, context: CogepContext, fluxo: Fluxo) -> None:
    """The new value of the field being edited; then the updated card."""
    assert update.effective_message is not None
    contato_id = int(fluxo.dados["contato_id"])
    texto = update.effective_message.text or ""
    await context.services.contatos.editar(contato_id, fluxo.passo, texto)
    rascunho = await encerrar_fluxo(update, context)
    await _mostrar_cartao(update, context, contato_id)
    await retomar(update, context, rascunho)


async def _avancar(
    update: Update, context: CogepContext, fluxo: Fluxo, dados: dict[str, Any]
) -> None:
    """Ask the next question, or create the contact after the last one."""
    if await FORM.avancar(update, context, fluxo, dados):
        return
    assert context.usuario is not None and update.effective_chat is not None
    novo = await context.services.contatos.criar(
        context.usuario,
        **{k: v for k, v in dados.items() if k in FORM.passos},
        formulario=(update.effective_chat.id, context.usuario.telegram_id),
    )
    await reply_html(update, context.bot, texts.contato_criado(novo))
    rascunho = await context.services.fluxos.atual(
        chat_id=update.effective_chat.id, telegram_id=context.usuario.telegram_id
    )
    if rascunho is not None and (rascunho.nome, rascunho.passo) == ("novo", "contato"):
        # The detour was made for this very contact: offer it rather than ask for its name.
        await reply_html(update, context.bot, texts.retomando(rascunho.nome, rascunho.dados))
        teclado = keyboards.escolher_contato("nv:ct", [novo], pular=True)
        await reply_html(update, context.bot, texts.VINCULAR_O_NOVO, keyboard=teclado)
    else:
        await retomar(update, context, rascunho)
