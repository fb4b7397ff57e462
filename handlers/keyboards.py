"""Inline keyboards. Callback data is short, self-contained text (≤ 64 bytes) so a button keeps
working after a restart and on any replica:

    pv:<id>                  show / refresh a processo
    ps:<id>:<status>:<ver>   change status (one-letter code); <ver> = id of the latest event
    ps:<id>:x:<ver>:ok       cancel, confirmed (a bare `ps:<id>:x:<ver>` only asks to confirm)
    pc:<id>  pp:<id>  pk:<id>  comment, change deadline, link a contact (typed answer follows)
    pr:<id>                  choose a responsável;  pa:<id>:<usuario>:<ver> assign (0: nobody)
    pi:<id>                  choose a priority;  pi:<id>:<prioridade> set it
    pe:<id>                  choose what to edit;  pet:<id>  ped:<id>  new title, description
    ph:<id>                  the whole history, comments in full
    pl:<filtro>:<pagina>[:<usuario>]  page of /processos (optionally one responsável)
    pu:<filtro>              choose the responsável to filter by (gestores)
    nv:<acao>:<valor>        answers of the guided /novo (pular:<passo>, pri:<p>, ct:<id>)
    ct:<id>  cl:<pagina>     a contact's card, a page of /contatos;  cn:pular:<passo>  skip a step
    ce:<id>  cv:<id>         the card's edit choices, and back;  cf:<id>:<campo>  edit one field
    ua:<usuario>:s|n[:l]     let a newcomer in (s) or keep them out (n); l: pressed in /usuarios
    mq:<id>  (and mx, mr, ma, mn: see handlers.mentor)  ask the mentor about a processo
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.processos import Detalhe, Pagina
from bot.processos.regras import PRIORIDADES, STATUS_CODIGO
from bot.processos.servico import FILTROS
from db.models import Contato, Processo, Usuario
from handlers.mentor import botao_perguntar

Button = InlineKeyboardButton


def _status_label(de: str, para: str) -> str:
    if para == "em_andamento" and de == "concluido":
        return texts.REABRIR
    if para == "em_andamento" and de == "aguardando":
        return texts.RETOMAR
    return texts.STATUS_ACAO[para]


def detalhe(d: Detalhe) -> InlineKeyboardMarkup:
    """Buttons under a processo: legal next statuses, then the other actions."""
    pid, de = d.processo.id, d.processo.status
    historico = [Button(texts.BOTAO_HISTORICO, callback_data=f"ph:{pid}")]
    if not d.historico_cortado:
        historico = []
    if de == "cancelado":  # it changes no more; its history still takes comments
        rows = [
            [Button(texts.BOTAO_COMENTAR, callback_data=f"pc:{pid}")],
            [Button(texts.BOTAO_ATUALIZAR, callback_data=f"pv:{pid}"), *historico],
            [botao_perguntar(pid)],
        ]
        return InlineKeyboardMarkup(rows)
    prioridade = d.processo.prioridade
    rows = [
        [
            Button(
                _status_label(de, para), callback_data=f"ps:{pid}:{STATUS_CODIGO[para]}:{d.versao}"
            )
            for para in d.transicoes
        ],
        [
            Button(texts.BOTAO_COMENTAR, callback_data=f"pc:{pid}"),
            Button(texts.BOTAO_PRAZO, callback_data=f"pp:{pid}"),
        ],
        [
            Button(
                f"{texts.PRIORIDADE_ICONE[prioridade]} Prioridade: {prioridade}",
                callback_data=f"pi:{pid}",
            ),
            Button(texts.BOTAO_CONTATO, callback_data=f"pk:{pid}"),
        ],
        [
            Button(texts.BOTAO_EDITAR, callback_data=f"pe:{pid}"),
            *historico,
            Button(texts.BOTAO_ATUALIZAR, callback_data=f"pv:{pid}"),
        ],
    ]
    if d.pode_atribuir:
        rows[2].insert(0, Button(texts.BOTAO_ATRIBUIR, callback_data=f"pr:{pid}"))
    rows.append([botao_perguntar(pid)])
    return InlineKeyboardMarkup([row for row in rows if row])


def confirmar_cancelamento(processo_id: int, versao: int) -> InlineKeyboardMarkup:
    """Cancelling is final, so the Cancelar button asks once more."""
    cancelar = STATUS_CODIGO["cancelado"]
    return InlineKeyboardMarkup(
        [
            [
                Button(
                    texts.CONFIRMAR_CANCELAMENTO,
                    callback_data=f"ps:{processo_id}:{cancelar}:{versao}:ok",
                ),
                Button(texts.DESISTIR_CANCELAMENTO, callback_data=f"pv:{processo_id}"),
            ]
        ]
    )


def editar(processo_id: int) -> InlineKeyboardMarkup:
    """What to edit in a processo, with a way back to it."""
    return InlineKeyboardMarkup(
        [
            [
                Button(texts.BOTAO_TITULO, callback_data=f"pet:{processo_id}"),
                Button(texts.BOTAO_DESCRICAO, callback_data=f"ped:{processo_id}"),
            ],
            [Button(texts.BOTAO_VOLTAR, callback_data=f"pv:{processo_id}")],
        ]
    )


def lista(p: Pagina, *, gestor: bool) -> InlineKeyboardMarkup:
    """Filters, ◀ ▶ paging and (for gestores) the por-responsável filter under /processos."""
    quem = f":{p.quem}" if p.quem is not None else ""
    filtros = [
        Button(
            ("• " if f == p.filtro else "") + texts.FILTRO_NOME[f], callback_data=f"pl:{f}:0{quem}"
        )
        for f in FILTROS
    ]
    paging = []
    if p.pagina > 0:
        paging.append(
            Button(texts.BOTAO_ANTERIOR, callback_data=f"pl:{p.filtro}:{p.pagina - 1}{quem}")
        )
    if p.tem_mais:
        paging.append(
            Button(texts.BOTAO_PROXIMA, callback_data=f"pl:{p.filtro}:{p.pagina + 1}{quem}")
        )
    rows = [filtros[:2], filtros[2:], *_abrir(p.itens), paging]
    if gestor and p.quem is not None:
        rows.append([Button(texts.BOTAO_TODOS_RESPONSAVEIS, callback_data=f"pl:{p.filtro}:0")])
    elif gestor:
        rows.append([Button(texts.BOTAO_POR_RESPONSAVEL, callback_data=f"pu:{p.filtro}")])
    return InlineKeyboardMarkup([row for row in rows if row])


def resultados(itens: Sequence[Processo]) -> InlineKeyboardMarkup:
    """One button per /buscar result, to open it."""
    return InlineKeyboardMarkup(_abrir(itens))


def _abrir(itens: Sequence[Processo]) -> list[list[InlineKeyboardButton]]:
    """Buttons that open each processo, five to a row."""
    return _em_linhas([Button(item.numero, callback_data=f"pv:{item.id}") for item in itens], 5)


def _em_linhas(
    botoes: list[InlineKeyboardButton], por_linha: int
) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out `por_linha` to a row."""
    return [botoes[i : i + por_linha] for i in range(0, len(botoes), por_linha)]


def filtro_responsavel(filtro: str, usuarios: list[Usuario]) -> InlineKeyboardMarkup:
    """One button per user: list that user's processos; and the ones nobody has yet."""
    buttons = [Button(u.nome[:30], callback_data=f"pl:{filtro}:0:{u.id}") for u in usuarios[:40]]
    rows = _em_linhas(buttons, 2)
    rows.append([Button(texts.SEM_RESPONSAVEL, callback_data=f"pl:{filtro}:0:0")])
    return InlineKeyboardMarkup(rows)


def responsaveis(
    processo_id: int, versao: int, usuarios: list[Usuario], *, atual: int | None
) -> InlineKeyboardMarkup:
    """One button per active user (the current one marked), two per row; then "nobody"."""
    buttons = [
        Button(
            ("• " if u.id == atual else "") + u.nome[:30],
            callback_data=f"pa:{processo_id}:{u.id}:{versao}",
        )
        for u in usuarios[:40]
    ]
    rows = _em_linhas(buttons, 2)
    if atual is not None:
        rows.append([Button(texts.SEM_RESPONSAVEL, callback_data=f"pa:{processo_id}:0:{versao}")])
    return InlineKeyboardMarkup(rows)


def pular(prefixo: str, passo: str) -> InlineKeyboardMarkup:
    """A skip button that skips `passo` only (an old one, tapped later, skips nothing)."""
    return InlineKeyboardMarkup([[Button(texts.PULAR, callback_data=f"{prefixo}:pular:{passo}")]])


def prioridades(
    prefixo: str = "nv:pri", *, voltar: str | None = None, atual: str | None = None
) -> InlineKeyboardMarkup:
    """The four priorities (for /novo, or for a processo with a way back to it)."""
    rows = [
        [
            Button(
                ("• " if p == atual else "") + f"{texts.PRIORIDADE_ICONE[p]} {p}",
                callback_data=f"{prefixo}:{p}",
            )
            for p in PRIORIDADES
        ]
    ]
    if voltar:
        rows.append([Button(texts.BOTAO_VOLTAR, callback_data=voltar)])
    return InlineKeyboardMarkup(rows)


def escolher_contato(prefixo: str, contatos: list[Contato], *, pular: bool) -> InlineKeyboardMarkup:
    """One button per contact found; optionally a skip."""
    rows = [[Button(_rotulo(c), callback_data=f"{prefixo}:{c.id}")] for c in contatos[:8]]
    if pular:
        rows.append([Button(texts.PULAR, callback_data="nv:pular:contato")])
    return InlineKeyboardMarkup(rows)


def contatos(itens: list[Contato], *, pagina: int, tem_mais: bool) -> InlineKeyboardMarkup:
    """Open-card buttons and paging under /contatos."""
    rows = [[Button(_rotulo(c), callback_data=f"ct:{c.id}")] for c in itens]
    paging = []
    if pagina > 0:
        paging.append(Button(texts.BOTAO_ANTERIOR, callback_data=f"cl:{pagina - 1}"))
    if tem_mais:
        paging.append(Button(texts.BOTAO_PROXIMA, callback_data=f"cl:{pagina + 1}"))
    return InlineKeyboardMarkup([*rows, paging] if paging else rows)


def cartao_contato(contato_id: int, processos: Sequence[Processo]) -> InlineKeyboardMarkup:
    """Under a contact's card: open each of their processos, or edit the contact."""
    editar = [Button(texts.BOTAO_EDITAR, callback_data=f"ce:{contato_id}")]
    return InlineKeyboardMarkup([*_abrir(processos[:10]), editar])


def editar_contato(contato_id: int) -> InlineKeyboardMarkup:
    """Which field of a contact to change, with a way back to the card."""
    campos = [
        Button(rotulo, callback_data=f"cf:{contato_id}:{campo}")
        for campo, rotulo in texts.CAMPO_CONTATO.items()
    ]
    voltar = Button(texts.BOTAO_VOLTAR, callback_data=f"cv:{contato_id}")
    return InlineKeyboardMarkup([campos[:3], campos[3:], [voltar]])


def pendentes(usuarios: Sequence[Usuario]) -> InlineKeyboardMarkup:
    """Liberar / Recusar for each newcomer waiting (the first eight)."""
    return InlineKeyboardMarkup(
        [
            [
                Button(f"{texts.BOTAO_LIBERAR} {u.nome[:30]}", callback_data=f"ua:{u.id}:s:l"),
                Button(texts.BOTAO_RECUSAR, callback_data=f"ua:{u.id}:n:l"),
            ]
            for u in usuarios[:8]
        ]
    )


def _rotulo(contato: Contato) -> str:
    """`Carlos Pereira · Padaria`: two contacts of one name still tell apart."""
    detalhe = contato.empresa or contato.email
    return f"{contato.nome[:40]} · {detalhe[:30]}" if detalhe else contato.nome[:40]
