"""Inline keyboards: each button's data is a typed kind from `handlers.botoes` (≤ 64 bytes,
self-contained), so a button keeps working after a restart and on any replica.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot import texts
from bot.fusos import COMUNS
from bot.notificacoes import Acoes, BotoesDeAviso
from bot.notificacoes.lembretes import AMANHA
from bot.processos import Detalhe, Pagina
from bot.processos.regras import PRIORIDADES, STATUS_CODIGO
from bot.processos.servico import FILTROS
from db.models import Contato, Processo, Usuario
from handlers import botoes as b
from handlers.callbacks import Callback


def botao(label: str, dados: Callback) -> InlineKeyboardButton:
    """A button carrying the typed `dados`."""
    return InlineKeyboardButton(label, callback_data=dados.encode())


def _status_label(de: str, para: str) -> str:
    if para == "em_andamento" and de == "concluido":
        return texts.REABRIR
    if para == "em_andamento" and de == "aguardando":
        return texts.BOTAO_RETOMAR
    return texts.STATUS_ACAO[para]


def detalhe(d: Detalhe) -> InlineKeyboardMarkup:
    """Buttons under a processo: legal next statuses, then the other actions."""
    pid, de = d.processo.id, d.processo.status
    historico = [botao(texts.BOTAO_HISTORICO, b.BotaoHistorico(pid))]
    if not d.historico_cortado:
        historico = []
    if de == "cancelado":  # it changes no more; its history still takes comments
        rows = [
            [botao(texts.BOTAO_COMENTAR, b.BotaoComentar(pid))],
            [botao(texts.BOTAO_ATUALIZAR, b.BotaoVerProcesso(pid)), *historico],
            [botao(texts.BOTAO_PERGUNTAR_PROFESSOR, b.BotaoPerguntarAoProfessor(pid))],
        ]
        return InlineKeyboardMarkup(rows)
    prioridade = d.processo.prioridade
    rows = [
        [
            botao(_status_label(de, para), b.BotaoMudarStatus(pid, STATUS_CODIGO[para], d.versao))
            for para in d.transicoes
        ],
        [
            botao(texts.BOTAO_COMENTAR, b.BotaoComentar(pid)),
            botao(texts.BOTAO_PRAZO, b.BotaoMudarPrazo(pid)),
        ],
        [
            botao(
                f"{texts.PRIORIDADE_ICONE[prioridade]} Prioridade: {prioridade}",
                b.BotaoPrioridade(pid),
            ),
            botao(texts.BOTAO_CONTATO, b.BotaoPedirContato(pid)),
        ],
        [
            botao(texts.BOTAO_EDITAR, b.BotaoEditar(pid)),
            *historico,
            botao(texts.BOTAO_ATUALIZAR, b.BotaoVerProcesso(pid)),
        ],
    ]
    if d.pode_atribuir:
        rows[2].insert(0, botao(texts.BOTAO_ATRIBUIR, b.BotaoEscolherResponsavel(pid)))
    if d.assumir is not None:  # started and nobody owns it: the viewer may take it
        rows[0].append(botao(texts.BOTAO_ASSUMIR, b.BotaoAtribuir(pid, d.assumir, d.versao)))
    rows.append(
        [
            botao(texts.BOTAO_PERGUNTAR_PROFESSOR, b.BotaoPerguntarAoProfessor(pid)),
            botao(texts.BOTAO_LINK, b.BotaoLinkDoProcesso(pid)),
        ]
    )
    return InlineKeyboardMarkup([row for row in rows if row])


def confirmar_cancelamento(processo_id: int, versao: int) -> InlineKeyboardMarkup:
    """Cancelling is final, so the Cancelar button asks once more."""
    cancelar = STATUS_CODIGO["cancelado"]
    return InlineKeyboardMarkup(
        [
            [
                botao(
                    texts.CONFIRMAR_CANCELAMENTO,
                    b.BotaoMudarStatus(processo_id, cancelar, versao, confirmado="ok"),
                ),
                botao(texts.DESISTIR_CANCELAMENTO, b.BotaoVerProcesso(processo_id)),
            ]
        ]
    )


def editar(processo_id: int) -> InlineKeyboardMarkup:
    """What to edit in a processo, with a way back to it."""
    return InlineKeyboardMarkup(
        [
            [
                botao(texts.BOTAO_TITULO, b.BotaoEditarTitulo(processo_id)),
                botao(texts.BOTAO_DESCRICAO, b.BotaoEditarDescricao(processo_id)),
            ],
            [botao(texts.BOTAO_VOLTAR, b.BotaoVerProcesso(processo_id))],
        ]
    )


def lista(p: Pagina, *, gestor: bool, quadro: str | None = None) -> InlineKeyboardMarkup:
    """Filters, ◀ ▶ paging, (for gestores) the por-responsável filter under /processos, and
    🗂 opening the board at `quadro` (a Mini App button: private chats only)."""
    filtros = [
        botao(("• " if f == p.filtro else "") + texts.FILTRO_NOME[f], b.BotaoLista(f, 0, p.quem))
        for f in FILTROS
    ]
    paging = []
    if p.pagina > 0:
        paging.append(botao(texts.BOTAO_ANTERIOR, b.BotaoLista(p.filtro, p.pagina - 1, p.quem)))
    if p.tem_mais:
        paging.append(botao(texts.BOTAO_PROXIMA, b.BotaoLista(p.filtro, p.pagina + 1, p.quem)))
    rows = [filtros[:2], filtros[2:], *_abrir(p.itens), paging]
    if gestor and p.quem is not None:
        rows.append([botao(texts.BOTAO_TODOS_RESPONSAVEIS, b.BotaoLista(p.filtro))])
    elif gestor:
        rows.append([botao(texts.BOTAO_POR_RESPONSAVEL, b.BotaoFiltrarPorResponsavel(p.filtro))])
    if quadro is not None:
        rows.append([InlineKeyboardButton(texts.BOTAO_QUADRO, web_app=WebAppInfo(quadro))])
    return InlineKeyboardMarkup([row for row in rows if row])


def resultados(itens: Sequence[Processo]) -> InlineKeyboardMarkup:
    """One button per /buscar result, to open it."""
    return InlineKeyboardMarkup(_abrir(itens))


def _abrir(itens: Sequence[Processo]) -> list[list[InlineKeyboardButton]]:
    """Buttons that open each processo, five to a row."""
    return _em_linhas([botao(item.numero, b.BotaoVerProcesso(item.id)) for item in itens], 5)


def _em_linhas(
    botoes: list[InlineKeyboardButton], por_linha: int
) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out `por_linha` to a row."""
    return [botoes[i : i + por_linha] for i in range(0, len(botoes), por_linha)]


def filtro_responsavel(filtro: str, usuarios: list[Usuario]) -> InlineKeyboardMarkup:
    """One button per user: list that user's processos; and the ones nobody has yet."""
    buttons = [botao(u.nome[:30], b.BotaoLista(filtro, 0, u.id)) for u in usuarios[:40]]
    rows = _em_linhas(buttons, 2)
    rows.append([botao(texts.BOTAO_SEM_RESPONSAVEL, b.BotaoLista(filtro, 0, 0))])
    return InlineKeyboardMarkup(rows)


def responsaveis(
    processo_id: int, versao: int, usuarios: list[Usuario], *, atual: int | None
) -> InlineKeyboardMarkup:
    """One button per active user (the current one marked), two per row; then "nobody"."""
    buttons = [
        botao(
            ("• " if u.id == atual else "") + u.nome[:30],
            b.BotaoAtribuir(processo_id, u.id, versao),
        )
        for u in usuarios[:40]
    ]
    rows = _em_linhas(buttons, 2)
    if atual is not None:
        rows.append([botao(texts.BOTAO_SEM_RESPONSAVEL, b.BotaoAtribuir(processo_id, 0, versao))])
    return InlineKeyboardMarkup(rows)


def pular(formulario: str, passo: str) -> InlineKeyboardMarkup:
    """A skip button that skips `passo` only (an old one, tapped later, skips nothing)."""
    return InlineKeyboardMarkup([[botao(texts.BOTAO_PULAR, b.BotaoPular(formulario, passo))]])


def rascunho(formulario: str) -> InlineKeyboardMarkup:
    """Go on with a half-filled form, or throw it away and start afresh."""
    return InlineKeyboardMarkup(
        [
            [
                botao(texts.CONTINUAR_RASCUNHO, b.BotaoRascunho(formulario, "seguir")),
                botao(texts.DESCARTAR_RASCUNHO, b.BotaoRascunho(formulario, "descartar")),
            ]
        ]
    )


def prioridades(
    escolha: Callable[[str], Callback] = b.BotaoNovoPrioridade,
    *,
    voltar: Callback | None = None,
    atual: str | None = None,
) -> InlineKeyboardMarkup:
    """The four priorities (for /novo, or for a processo with a way back to it)."""
    rows = [
        [
            botao(("• " if p == atual else "") + f"{texts.PRIORIDADE_ICONE[p]} {p}", escolha(p))
            for p in PRIORIDADES
        ]
    ]
    if voltar:
        rows.append([botao(texts.BOTAO_VOLTAR, voltar)])
    return InlineKeyboardMarkup(rows)


def escolher_contato(
    escolha: Callable[[int], Callback], contatos: list[Contato], *, pular: bool
) -> InlineKeyboardMarkup:
    """One button per contact found; optionally the skip of /novo's contact question."""
    rows = [[botao(_rotulo(c), escolha(c.id))] for c in contatos[:8]]
    if pular:
        rows.append([botao(texts.BOTAO_PULAR, b.BotaoPular("novo", "contato"))])
    return InlineKeyboardMarkup(rows)


def contatos(itens: list[Contato], *, pagina: int, tem_mais: bool) -> InlineKeyboardMarkup:
    """Open-card buttons and paging under /contatos."""
    rows = [[botao(_rotulo(c), b.BotaoCartaoContato(c.id))] for c in itens]
    paging = []
    if pagina > 0:
        paging.append(botao(texts.BOTAO_ANTERIOR, b.BotaoPaginaContatos(pagina - 1)))
    if tem_mais:
        paging.append(botao(texts.BOTAO_PROXIMA, b.BotaoPaginaContatos(pagina + 1)))
    return InlineKeyboardMarkup([*rows, paging] if paging else rows)


def cartao_contato(contato: Contato, processos: Sequence[Processo]) -> InlineKeyboardMarkup:
    """Under a contact's card: open each of their processos; edit, archive or remove it."""
    arquivado = contato.arquivado_em is not None
    acoes = [
        botao(texts.BOTAO_EDITAR, b.BotaoEditarContato(contato.id)),
        botao(
            texts.BOTAO_DESARQUIVAR if arquivado else texts.BOTAO_ARQUIVAR,
            b.BotaoArquivarContato(contato.id, "d" if arquivado else "a"),
        ),
        botao(texts.BOTAO_REMOVER_CONTATO, b.BotaoRemoverContato(contato.id)),
    ]
    return InlineKeyboardMarkup([*_abrir(processos[:10]), acoes])


def remover_contato(contato_id: int) -> InlineKeyboardMarkup:
    """Confirm a contact's removal, or go back to its card."""
    return InlineKeyboardMarkup(
        [
            [
                botao(texts.BOTAO_CONFIRMAR_REMOCAO, b.BotaoRemoverContato(contato_id, 1)),
                botao(texts.BOTAO_VOLTAR, b.BotaoVoltarAoContato(contato_id)),
            ]
        ]
    )


def editar_contato(contato_id: int) -> InlineKeyboardMarkup:
    """Which field of a contact to change, with a way back to the card."""
    campos = [
        botao(rotulo, b.BotaoEditarCampo(contato_id, campo))
        for campo, rotulo in texts.CAMPO_CONTATO.items()
    ]
    voltar = botao(texts.BOTAO_VOLTAR, b.BotaoVoltarAoContato(contato_id))
    return InlineKeyboardMarkup([campos[:3], campos[3:], [voltar]])


def pendentes(usuarios: Sequence[Usuario]) -> InlineKeyboardMarkup:
    """Liberar / Recusar for each newcomer waiting (the first eight)."""
    return InlineKeyboardMarkup(
        [
            [
                botao(f"{texts.BOTAO_LIBERAR} {u.nome[:30]}", b.BotaoDecidirAcesso(u.id, "s", "l")),
                botao(texts.BOTAO_RECUSAR, b.BotaoDecidirAcesso(u.id, "n", "l")),
            ]
            for u in usuarios[:8]
        ]
    )


def usuarios(todos: Sequence[Usuario], *, limite: int = 40) -> list[list[InlineKeyboardButton]]:
    """A button per person (two a row) opening their card; /papel by name past `limite`."""
    botoes = [botao(f"👤 {u.nome[:28]}", b.BotaoCartaoUsuario(u.id)) for u in todos[:limite]]
    return [botoes[i : i + 2] for i in range(0, len(botoes), 2)]


def escolher_usuario(
    candidatos: Sequence[Usuario], acao: Callable[[Usuario], Callback]
) -> InlineKeyboardMarkup:
    """One button per person a typed name fitted; `acao` is what a tap does to that one."""
    return InlineKeyboardMarkup(
        [[botao(f"{u.nome[:40]}" + (f" @{u.username}" if u.username else ""), acao(u))]
         for u in candidatos]
    )  # fmt: skip


def cartao_usuario(usuario: Usuario) -> InlineKeyboardMarkup:
    """Papel choices (the current one left out) and the access switch of a person's card."""
    papeis = [
        botao(rotulo, b.BotaoDefinirPapel(usuario.id, papel))
        for papel, rotulo in texts.BOTAO_PAPEL.items()
        if papel != usuario.papel or usuario.acesso != "liberado"
    ]
    if usuario.acesso == "liberado":
        acesso = botao(texts.BOTAO_REVOGAR, b.BotaoDecidirAcesso(usuario.id, "n", "c"))
    else:
        acesso = botao(texts.BOTAO_LIBERAR, b.BotaoDecidirAcesso(usuario.id, "s", "c"))
    return InlineKeyboardMarkup([papeis, [acesso]])


def _rotulo(contato: Contato) -> str:
    """`Carlos Pereira · Padaria`: two contacts of one name still tell apart."""
    detalhe = contato.empresa or contato.email
    return f"{contato.nome[:40]} · {detalhe[:30]}" if detalhe else contato.nome[:40]


def pedido_de_acesso(usuario_id: int) -> Acoes:
    """Liberar / Recusar under the notice that tells the admins someone is waiting."""
    return [
        (texts.BOTAO_LIBERAR, b.BotaoDecidirAcesso(usuario_id, "s").encode()),
        (texts.BOTAO_RECUSAR, b.BotaoDecidirAcesso(usuario_id, "n").encode()),
    ]


def adiar_lembrete(lembrete_id: int, lista: int = 0) -> Acoes:
    """The snooze choices under a reminder (lista=1: pressed in /lembretes, redrawn after)."""
    return [
        (rotulo, b.BotaoAdiarLembrete(lembrete_id, opcao, lista).encode())
        for rotulo, opcao in (
            (texts.BOTAO_ADIAR_10MIN, "10m"),
            (texts.BOTAO_ADIAR_1H, "1h"),
            (texts.BOTAO_ADIAR_AMANHA, AMANHA),
        )
    ]


BOTOES_DE_AVISO = BotoesDeAviso(
    adiar_lembrete=adiar_lembrete,
    abrir_processo=lambda processo_id: b.BotaoVerProcesso(processo_id).encode(),
    repetir_pergunta=lambda mensagem_id: [
        (texts.BOTAO_TENTAR_DE_NOVO, b.BotaoTentarDeNovo(mensagem_id).encode())
    ],
)
"""The buttons under pushed notices, handed to the services by the composition root."""


def perfil(usuario: Usuario) -> InlineKeyboardMarkup:
    """Under /perfil: edit the name and the time zone; notices open /notificacoes (their one
    owner, `NotificacaoService`)."""
    return InlineKeyboardMarkup(
        [
            [
                botao(texts.BOTAO_NOME, b.BotaoPerfil("nome")),
                botao(texts.BOTAO_FUSO, b.BotaoPerfil("fuso")),
            ],
            [botao(texts.BOTAO_PERFIL_NOTIFICACOES, b.BotaoPerfil("notif"))],
        ]
    )


def fusos() -> InlineKeyboardMarkup:
    """Brazil's main zones (and Lisbon), by their index in `fusos.COMUNS`."""
    return InlineKeyboardMarkup(
        [[botao(rotulo, b.BotaoPerfil("fuso", i))] for i, (rotulo, _) in enumerate(COMUNS)]
    )


# --- the mentor --------------------------------------------------------------------------


def parar_resposta(numero: int) -> InlineKeyboardMarkup:
    """⏹ Parar under an answer being written (groups, and private chats without drafts)."""
    return InlineKeyboardMarkup([[botao(texts.BOTAO_PARAR, b.BotaoPararResposta(numero))]])


def fim_da_resposta(
    propostas: Sequence[tuple[int, str]], *, repetir: int | None
) -> InlineKeyboardMarkup | None:
    """Under a finished answer: confirm or drop each proposed write; 🔁 for a failed one."""
    rows = [
        [
            botao(texts.botao_abrir(resumo), b.BotaoConfirmarAcao(acao_id)),
            botao(texts.BOTAO_NAO_ABRIR, b.BotaoRecusarAcao(acao_id)),
        ]
        for acao_id, resumo in propostas
    ]
    if repetir is not None:
        rows.append([botao(texts.BOTAO_TENTAR_DE_NOVO, b.BotaoTentarDeNovo(repetir))])
    return InlineKeyboardMarkup(rows) if rows else None
