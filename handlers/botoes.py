"""Every kind of inline button Cogep sends, one typed `Callback` each (see `handlers.callbacks`).

`handlers.teclados` builds them and each feature's `ROTAS` routes its kinds (`on_button`) to a
handler, which receives the decoded button; data that does not decode (stale, forged, from an
older version) is answered as an expired button and changes nothing.

    pv:<id>                  show / refresh a processo
    ps:<id>:<status>:<ver>   change status (one-letter code); <ver> = id of the latest event
    ps:<id>:x:<ver>:ok       cancel, confirmed (a bare `ps:<id>:x:<ver>` only asks to confirm)
    pc:<id>  pp:<id>  pk:<id>  comment, change deadline, link a contact (typed answer follows)
    pr:<id>                  choose a responsável;  pa:<id>:<usuario>:<ver> assign (0: nobody)
    pi:<id>                  choose a priority;  pi:<id>:<prioridade> set it
    pe:<id>                  choose what to edit;  pet:<id>  ped:<id>  new title, description
    ph:<id>                  the whole history, comments in full
    pn:<id>                  the processo's deep link (t.me/<bot>?start=p_<número>)
    pkc:<id>:<contato>       link the contact picked among several found
    pl:<filtro>[:<pagina>[:<usuario>]]  page of /processos (optionally one responsável; 0: nobody)
    pu:<filtro>              choose the responsável to filter by (gestores)
    fp:<form>:<passo>        skip that question of a guided form (an old button skips nothing)
    fr:<form>:seguir|descartar  go on with a half-filled form, or start afresh
    nvp:<prioridade>  nvc:<contato>  answers of the guided /novo: a priority, a contact
    ct:<id>  cl:<pagina>     a contact's card, a page of /contatos
    ce:<id>  cv:<id>         the card's edit choices, and back;  cf:<id>:<campo>  edit one field
    ca:<id>:a|d              archive a contact (a) or bring it back (d)
    cr:<id>[:1]              remove a contact: ask, then confirmed
    pf:<acao>[:<valor>]      /perfil: nome, fuso[:<i>]; notif opens /notificacoes (so does an
                             old hora[:<h>], setting that hour first)
    ua:<usuario>:s|n[:l|c]   let someone in (s) or keep them out (n); l: a newcomer, pressed in
                             /usuarios; c: from a person's card (any access), which is redrawn
    uv:<usuario>             a person's card under /usuarios (papel and access buttons)
    up:<usuario>:<papel>     set that person's papel (membro, gestor, admin)
    dv:<doc>  dl:<pagina>    a document's card, a page of /documentos
    dp:<doc>  dn:<doc>       toggle private / team-wide; keep it (removal cancelled)
    dr:<doc>[:1]             remove a document: ask, then confirmed
    kv:<trecho>[:<consulta>] 'ver mais' of a knowledge-base passage
    kb:<consulta>            /buscar's words looked up in the knowledge base
    mq:<processo>            ask the mentor about a processo (its card's 🎓)
    mx:<n>  mr:<mensagem>    stop the running answer n; ask a stored question again (🔁)
    ma:<acao>  mn:<acao>     carry out / drop a write the mentor proposed
    lc:<id>[:1]              cancel a reminder (1: pressed in /lembretes, which is redrawn)
    la:<id>[:<opcao>[:1]]    snooze choices;  with 10m|1h|am (tomorrow 09:00): snooze
    nf:tudo  nf:<tipo>       /notificacoes: flip the master switch or one kind
    nf:hora[:<h>]  nf:sil[:<i>:<f>]  choose / set the digest hour, the quiet hours (i == f: none)
    av:<id>:s|n|x            /aviso: send the previewed announcement, discard it, stop it

A new kind takes a new prefix (1-4 letters); the codec refuses a prefix taken twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.processos.regras import CODIGO_STATUS
from handlers.callbacks import Callback

MAX_PAGINA = 10**6  # far beyond any real list; a forged page past it would overflow the offset


def _exigir(condicao: bool) -> None:
    """Refuse the values of a button (it then decodes to None, like a forged one)."""
    if not condicao:
        raise ValueError("not a value this button can carry")


# --- a processo and the lists of processos -------------------------------------------------


@dataclass(frozen=True)
class BotaoVerProcesso(Callback, prefixo="pv"):
    processo_id: int


@dataclass(frozen=True)
class BotaoMudarStatus(Callback, prefixo="ps"):
    processo_id: int
    status: str  # one letter (`regras.STATUS_CODIGO`): the label may change, the data not
    versao: int
    confirmado: str | None = None  # "ok": a cancellation confirmed

    def __post_init__(self) -> None:
        _exigir(self.status in CODIGO_STATUS and self.confirmado in (None, "ok"))

    @property
    def para(self) -> str:
        """The status asked for."""
        return CODIGO_STATUS[self.status]


@dataclass(frozen=True)
class BotaoComentar(Callback, prefixo="pc"):
    processo_id: int


@dataclass(frozen=True)
class BotaoMudarPrazo(Callback, prefixo="pp"):
    processo_id: int


@dataclass(frozen=True)
class BotaoPedirContato(Callback, prefixo="pk"):
    processo_id: int


@dataclass(frozen=True)
class BotaoVincularContato(Callback, prefixo="pkc"):
    processo_id: int
    contato_id: int


@dataclass(frozen=True)
class BotaoEscolherResponsavel(Callback, prefixo="pr"):
    processo_id: int


@dataclass(frozen=True)
class BotaoAtribuir(Callback, prefixo="pa"):
    processo_id: int
    usuario_id: int  # 0: nobody
    versao: int


@dataclass(frozen=True)
class BotaoPrioridade(Callback, prefixo="pi"):
    processo_id: int
    prioridade: str | None = None  # None: offer the choice; a forged one is refused by the rules


@dataclass(frozen=True)
class BotaoEditar(Callback, prefixo="pe"):
    processo_id: int


@dataclass(frozen=True)
class BotaoEditarTitulo(Callback, prefixo="pet"):
    processo_id: int


@dataclass(frozen=True)
class BotaoEditarDescricao(Callback, prefixo="ped"):
    processo_id: int


@dataclass(frozen=True)
class BotaoHistorico(Callback, prefixo="ph"):
    processo_id: int


@dataclass(frozen=True)
class BotaoLinkDoProcesso(Callback, prefixo="pn"):
    processo_id: int


@dataclass(frozen=True)
class BotaoLista(Callback, prefixo="pl"):
    filtro: str  # the service falls back to "abertos" for one it does not know
    pagina: int = 0
    responsavel_id: int | None = None  # 0: the ones nobody has yet

    def __post_init__(self) -> None:
        _exigir(0 <= self.pagina <= MAX_PAGINA)


@dataclass(frozen=True)
class BotaoFiltrarPorResponsavel(Callback, prefixo="pu"):
    filtro: str


# --- guided forms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BotaoPular(Callback, prefixo="fp"):
    formulario: str
    passo: str


@dataclass(frozen=True)
class BotaoRascunho(Callback, prefixo="fr"):
    formulario: str
    acao: str  # "seguir" | "descartar"

    def __post_init__(self) -> None:
        _exigir(self.acao in ("seguir", "descartar"))


@dataclass(frozen=True)
class BotaoNovoPrioridade(Callback, prefixo="nvp"):
    prioridade: str


@dataclass(frozen=True)
class BotaoNovoContato(Callback, prefixo="nvc"):
    contato_id: int


# --- contacts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BotaoCartaoContato(Callback, prefixo="ct"):
    contato_id: int


@dataclass(frozen=True)
class BotaoPaginaContatos(Callback, prefixo="cl"):
    pagina: int

    def __post_init__(self) -> None:
        _exigir(0 <= self.pagina <= MAX_PAGINA)


@dataclass(frozen=True)
class BotaoEditarContato(Callback, prefixo="ce"):
    contato_id: int


@dataclass(frozen=True)
class BotaoVoltarAoContato(Callback, prefixo="cv"):
    contato_id: int


@dataclass(frozen=True)
class BotaoEditarCampo(Callback, prefixo="cf"):
    contato_id: int
    campo: str

    def __post_init__(self) -> None:
        _exigir(self.campo in texts.CAMPO_CONTATO)


# --- /perfil and access ----------------------------------------------------------------------


@dataclass(frozen=True)
class BotaoPerfil(Callback, prefixo="pf"):
    acao: str  # "nome" | "fuso" | "notif" | "hora" (sent before /notificacoes owned it)
    valor: int | None = None  # a time zone's index in `fusos.COMUNS`, or a digest hour

    def __post_init__(self) -> None:
        com_valor = {"nome": False, "notif": False, "fuso": True, "hora": True}
        _exigir(self.acao in com_valor and (self.valor is None or com_valor[self.acao]))


@dataclass(frozen=True)
class BotaoDecidirAcesso(Callback, prefixo="ua"):
    usuario_id: int
    resposta: str  # "s": let them in; "n": keep them out
    origem: str | None = None  # "l": under /usuarios (redrawn); "c": a person's card

    def __post_init__(self) -> None:
        _exigir(self.resposta in ("s", "n") and self.origem in (None, "l", "c"))


@dataclass(frozen=True)
class BotaoCartaoUsuario(Callback, prefixo="uv"):
    usuario_id: int


@dataclass(frozen=True)
class BotaoDefinirPapel(Callback, prefixo="up"):
    usuario_id: int
    papel: str

    def __post_init__(self) -> None:
        _exigir(self.papel in ("membro", "gestor", "admin"))


@dataclass(frozen=True)
class BotaoArquivarContato(Callback, prefixo="ca"):
    contato_id: int
    acao: str  # "a": archive; "d": bring back

    def __post_init__(self) -> None:
        _exigir(self.acao in ("a", "d"))


@dataclass(frozen=True)
class BotaoRemoverContato(Callback, prefixo="cr"):
    contato_id: int
    confirmado: int = 0


# --- the knowledge base ----------------------------------------------------------------------


@dataclass(frozen=True)
class BotaoAbrirDocumento(Callback, prefixo="dv"):
    documento_id: int


@dataclass(frozen=True)
class BotaoPaginaDeDocumentos(Callback, prefixo="dl"):
    pagina: int

    def __post_init__(self) -> None:
        _exigir(0 <= self.pagina <= MAX_PAGINA)


@dataclass(frozen=True)
class BotaoAlternarPrivado(Callback, prefixo="dp"):
    documento_id: int


@dataclass(frozen=True)
class BotaoRemoverDocumento(Callback, prefixo="dr"):
    documento_id: int
    confirmado: int = 0


@dataclass(frozen=True)
class BotaoManterDocumento(Callback, prefixo="dn"):
    documento_id: int


@dataclass(frozen=True)
class BotaoVerMais(Callback, prefixo="kv"):
    trecho_id: int
    consulta: str = ""

    @classmethod
    def de(cls, trecho_id: int, consulta: str) -> BotaoVerMais:
        """The button, carrying as much of the query (for highlighting) as fits in 64 bytes."""
        return cls(trecho_id, _caber(f"kv:{trecho_id}:", consulta))


@dataclass(frozen=True)
class BotaoBuscarNosDocumentos(Callback, prefixo="kb"):
    consulta: str

    @classmethod
    def de(cls, consulta: str) -> BotaoBuscarNosDocumentos:
        """The button, with as many whole words of the query as fit in 64 bytes."""
        return cls(_caber("kb:", consulta))


def _caber(cabeca: str, consulta: str) -> str:
    """The query's first whole words that fit in a button after `cabeca` (`:` is the codec's
    separator, so it becomes a space; the parser of `db.busca` reads both alike)."""
    palavras = consulta.replace(":", " ").split()
    while palavras and len(f"{cabeca}{' '.join(palavras)}".encode()) > 64:
        if len(palavras) == 1:
            palavras[0] = palavras[0][:-1]
            palavras = [p for p in palavras if p]
        else:
            palavras.pop()
    return " ".join(palavras)


# --- the mentor (handlers.mentor) ----------------------------------------------------------


@dataclass(frozen=True)
class BotaoPerguntarAoProfessor(Callback, prefixo="mq"):
    processo_id: int


@dataclass(frozen=True)
class BotaoPararResposta(Callback, prefixo="mx"):
    numero: int  # the running answer's number (also its draft id)


@dataclass(frozen=True)
class BotaoTentarDeNovo(Callback, prefixo="mr"):
    mensagem_id: int  # the stored question


@dataclass(frozen=True)
class BotaoConfirmarAcao(Callback, prefixo="ma"):
    acao_id: int


@dataclass(frozen=True)
class BotaoRecusarAcao(Callback, prefixo="mn"):
    acao_id: int


# --- reminders, notice switches, announcements ----------------------------------------------


@dataclass(frozen=True)
class BotaoCancelarLembrete(Callback, prefixo="lc"):
    """❌ under a reminder."""

    lembrete_id: int
    lista: int = 0  # 1: pressed in /lembretes, which is redrawn


@dataclass(frozen=True)
class BotaoAdiarLembrete(Callback, prefixo="la"):
    """💤: without `opcao`, the choices; with it, the snooze (bot.notificacoes.lembretes)."""

    lembrete_id: int
    opcao: str = ""
    lista: int = 0


@dataclass(frozen=True)
class BotaoNotificacoes(Callback, prefixo="nf"):
    """A button of /notificacoes."""

    acao: str
    a: int | None = None
    b: int | None = None


@dataclass(frozen=True)
class BotaoAviso(Callback, prefixo="av"):
    """The buttons of a preview (s: send, n: discard) and of a running announcement (x: stop)."""

    aviso_id: int
    acao: str

    def __post_init__(self) -> None:
        _exigir(self.acao in ("s", "n", "x"))
