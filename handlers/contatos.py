"""/contatos (list and search), /contato novo (guided creation) and the card's edits, archive
and removal — the CRM."""

from __future__ import annotations

from typing import Any

from telegram import Message, Update

from bot import texts
from bot.contatos import regras
from bot.fluxos import Fluxo
from bot.saida.envio import edit_html, edit_teclado, redesenhar, reply_html
from db.models import Usuario
from handlers import botoes, teclados
from handlers.common import on_button, registered
from handlers.context import CogepContext
from handlers.formulario import Formulario, encerrar_fluxo, retomar
from handlers.rotas import Comando, Rotas

FLOW = "contato"
FLOW_EDICAO = "contato_edicao"
PERGUNTAS = {
    "nome": (texts.CONTATO_NOVO_NOME, None),
    "empresa": (texts.CONTATO_NOVO_EMPRESA, teclados.pular(FLOW, "empresa")),
    "email": (texts.CONTATO_NOVO_EMAIL, teclados.pular(FLOW, "email")),
    "telefone": (texts.CONTATO_NOVO_TELEFONE, teclados.pular(FLOW, "telefone")),
    "notas": (texts.CONTATO_NOVO_NOTAS, teclados.pular(FLOW, "notas")),
}


@registered
async def contatos(update: Update, context: CogepContext, usuario: Usuario) -> None:
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
        teclado = teclados.contatos(achados, pagina=0, tem_mais=False)
    else:
        page = await servico.listar()
        html = texts.lista_contatos(page.itens, titulo="Contatos")
        teclado = teclados.contatos(page.itens, pagina=0, tem_mais=page.tem_mais)
    await reply_html(update, context.bot, html, teclado=teclado)


@registered
async def contato(update: Update, context: CogepContext, usuario: Usuario) -> None:
    """`/contato novo` starts the guided creation; `/contato novo Maria Silva` answers the name."""
    args = context.args or []
    if not args:
        await reply_html(update, context.bot, texts.CONTATO_USO)
        return
    if args[0].lower() != "novo":  # `/contato Carlos`: they are looking for Carlos
        await _listar_ou_buscar(update, context, " ".join(args))
        return
    if len(args) == 1:
        await FORM.comecar(update, context)
        return
    nome = regras.validar_nome(" ".join(args[1:]))
    await _avisar_homonimos(update, context, nome)
    await FORM.avancar(update, context, usuario, Fluxo(FORM.nome, "nome", {}), {"nome": nome})


async def _avisar_homonimos(update: Update, context: CogepContext, nome: str) -> None:
    """Point out a contact of the same name before a second one is made."""
    iguais = await context.services.contatos.homonimos(nome)
    if iguais:
        await reply_html(update, context.bot, texts.contato_homonimo(iguais[0]))


async def abrir_cartao(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoCartaoContato
) -> None:
    """Open a contact's card."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _mostrar_cartao(update, context, usuario, botao.contato_id)


async def editar(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoEditarContato
) -> None:
    """Offer the card's fields to edit, in place of its buttons."""
    await _trocar_botoes(update, context, usuario, botao.contato_id)


async def voltar(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoVoltarAoContato
) -> None:
    """Back from the edit choices or the removal question to the card, redrawn."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _mostrar_cartao(update, context, usuario, botao.contato_id, no_lugar=True)


async def _trocar_botoes(
    update: Update, context: CogepContext, usuario: Usuario, contato_id: int
) -> None:
    """The card's edit choices in place of its buttons."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await context.services.contatos.cartao(usuario, contato_id)  # refuses the unseen
    if isinstance(query.message, Message):
        await edit_teclado(query.message, teclados.editar_contato(contato_id))


async def paginar(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoPaginaContatos
) -> None:
    """Another page of /contatos, in place."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    page = await context.services.contatos.listar(pagina=botao.pagina)
    html = texts.lista_contatos(page.itens, titulo="Contatos")
    teclado = teclados.contatos(page.itens, pagina=page.pagina, tem_mais=page.tem_mais)
    if isinstance(query.message, Message):
        await edit_html(query.message, html, teclado=teclado)


async def _mostrar_cartao(
    update: Update,
    context: CogepContext,
    usuario: Usuario,
    contato_id: int,
    *,
    no_lugar: bool = False,
) -> None:
    cartao = await context.services.contatos.cartao(usuario, contato_id)
    html = texts.cartao_contato(
        cartao.contato,
        cartao.processos,
        zona=usuario.fuso_horario,
        agora=context.services.processos.agora(),
    )
    teclado = teclados.cartao_contato(cartao.contato, cartao.processos)
    await redesenhar(update, context.bot, html, teclado=teclado, no_lugar=no_lugar)


async def arquivar(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoArquivarContato
) -> None:
    """🗄 Arquivar / ♻️ Desarquivar on a card: say so, and redraw the card."""
    query = update.callback_query
    assert query is not None
    arquivar = botao.acao == "a"
    await context.services.contatos.arquivar(botao.contato_id, arquivar=arquivar)
    await query.answer(texts.CONTATO_ARQUIVADO if arquivar else texts.CONTATO_DESARQUIVADO)
    await _mostrar_cartao(update, context, usuario, botao.contato_id, no_lugar=True)


async def remover(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoRemoverContato
) -> None:
    """🗑 on a card asks first; the confirmation removes a contact no processo names."""
    query = update.callback_query
    assert query is not None
    if not botao.confirmado:
        cartao = await context.services.contatos.cartao(usuario, botao.contato_id)
        await query.answer()
        html = texts.confirmar_remocao_contato(cartao.contato.nome)
        teclado = teclados.remover_contato(botao.contato_id)
        if isinstance(query.message, Message):
            await edit_html(query.message, html, teclado=teclado)
        return
    removido = await context.services.contatos.remover(usuario, botao.contato_id)
    await query.answer()
    if isinstance(query.message, Message):
        await edit_html(query.message, texts.contato_removido(removido.nome))


async def pedir_campo(
    update: Update, context: CogepContext, usuario: Usuario, botao: botoes.BotaoEditarCampo
) -> None:
    """Remember which field of which contact the next message replaces, and ask for it."""
    assert update.callback_query is not None and update.effective_chat is not None
    await update.callback_query.answer()
    await context.services.fluxos.salvar(
        chat_id=update.effective_chat.id,
        telegram_id=usuario.telegram_id,
        fluxo=Fluxo(FLOW_EDICAO, botao.campo, {"contato_id": botao.contato_id}),
    )
    await reply_html(update, context.bot, texts.pergunta_campo_contato(botao.campo))


async def resposta(update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo) -> None:
    """Validate the typed answer and move to the next question."""
    assert update.effective_message is not None
    texto, servico = update.effective_message.text or "", context.services.contatos
    dados = dict(fluxo.dados)
    if fluxo.passo == "email":  # a taken address is refused now, not after three more questions
        dados["email"] = await servico.verificar_email(texto)
    else:
        dados[fluxo.passo] = regras.CAMPOS[fluxo.passo](texto)
    if fluxo.passo == "nome":
        await _avisar_homonimos(update, context, dados["nome"])
    await FORM.avancar(update, context, usuario, fluxo, dados)


async def resposta_edicao(
    update: Update, context: CogepContext, usuario: Usuario, fluxo: Fluxo
) -> None:
    """The new value of the field being edited; then the updated card."""
    assert update.effective_message is not None
    contato_id = int(fluxo.dados["contato_id"])
    texto = update.effective_message.text or ""
    await context.services.contatos.editar(contato_id, fluxo.passo, texto)
    rascunho = await encerrar_fluxo(update, context)
    await _mostrar_cartao(update, context, usuario, contato_id)
    await retomar(update, context, rascunho)


async def _criar(
    update: Update, context: CogepContext, usuario: Usuario, dados: dict[str, Any]
) -> None:
    """Create the contact from the complete answers."""
    assert update.effective_chat is not None
    novo = await context.services.contatos.criar(
        usuario,
        **{k: v for k, v in dados.items() if k in FORM.passos},
        formulario=(update.effective_chat.id, usuario.telegram_id),
    )
    await reply_html(update, context.bot, texts.contato_criado(novo))
    rascunho = await context.services.fluxos.atual(
        chat_id=update.effective_chat.id, telegram_id=usuario.telegram_id
    )
    if rascunho is not None and (rascunho.nome, rascunho.passo) == ("novo", "contato"):
        # The detour was made for this very contact: offer it rather than ask for its name.
        await reply_html(update, context.bot, texts.retomando(rascunho.nome, rascunho.dados))
        teclado = teclados.escolher_contato(botoes.BotaoNovoContato, [novo], pular=True)
        await reply_html(update, context.bot, texts.VINCULAR_O_NOVO, teclado=teclado)
    else:
        await retomar(update, context, rascunho)


FORM = Formulario(FLOW, PERGUNTAS, responder=resposta, concluir=_criar)


# -- declarations (included by handlers.register) ---------------------------------------------
ROTAS = Rotas(
    comandos=[
        Comando("contatos", contatos, texts.AJUDA_CONTATOS),
        Comando("contato", contato, texts.AJUDA_CONTATO),
    ],
    handlers=[
        on_button(botoes.BotaoCartaoContato, abrir_cartao),
        on_button(botoes.BotaoPaginaContatos, paginar),
        on_button(botoes.BotaoEditarContato, editar),
        on_button(botoes.BotaoVoltarAoContato, voltar),
        on_button(botoes.BotaoEditarCampo, pedir_campo),
        on_button(botoes.BotaoArquivarContato, arquivar),
        on_button(botoes.BotaoRemoverContato, remover),
    ],
    formularios=[FORM],
    perguntas={FLOW_EDICAO: resposta_edicao},
)
