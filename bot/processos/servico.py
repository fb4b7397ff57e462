"""ProcessoService: open, list, search, show and change processos, one short transaction each.

Every change locks the processo row, checks the caller's rights and the status machine, writes
the change, its `processo_eventos` row and the notices for the other people involved in the
same transaction (the outbox: nobody hears about a change that was rolled back, and no notice is
lost to a crash after the commit), then wakes the sender.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.acentos import sem_acentos
from bot.dates import parse_when
from bot.entrada.efeito import referencia
from bot.errors import (
    IllegalTransition,
    InvalidDate,
    InvalidInput,
    NotAllowed,
    NotFound,
    StaleState,
)
from bot.fluxos import ChatUsuario, consumir
from bot.higiene import visivel
from bot.logs import anotar
from bot.notificacoes.caixa import Nota, Notifier
from bot.notificacoes.preferencias import quer
from bot.processos.exportar import csv_de
from bot.processos.linha import Rascunho
from bot.processos.quadro import BUSCA_MAX, POR_COLUNA, Filtros, Quadro, em_colunas, filtrar
from bot.processos.regras import (
    PARA_CLIENTE,
    TRANSICOES,
    formatar_numero,
    ler_numero,
    ler_prioridade,
    para_o_cliente,
    pode_atribuir,
    pode_cancelar,
    pode_transitar,
)
from bot.settings import Settings
from bot.usuarios.regras import gerencia, tem_acesso
from db.busca import palavras
from db.engine import Sessions
from db.models import PRAZO_CORRE, TITULO_MAX, Contato, Processo, ProcessoEvento, Usuario
from db.repositories import contatos as contatos_repo
from db.repositories import processos as repo
from db.repositories import quadro as quadro_repo
from db.repositories import usuarios as usuarios_repo
from db.repositories.quadro import Cartao

DESCRICAO_MAX = 4000
COMENTARIO_MAX = 4000  # a message holds 4,096: a pasted e-mail fits
COMENTARIO_NA_TELA = 300  # longer comments are shortened on the detail screen
HISTORICO_MAX = 500
POR_PAGINA = 10
SEM_RESPONSAVEL = 0  # as a responsável filter: processos nobody was assigned yet
FILTROS = ("abertos", "atrasados", "concluidos", "todos")
PAUSA_AGUARDANDO = "aguardando"  # `texto` of a prazo event moved by the paused clock
ORIGEM_MAX = 128  # the name of who wrote the message a processo was made from
EXPORTAR_MAX = 50_000  # rows per CSV: ~10 MB, well under the 50 MB a bot may send
PRAZO_PADRAO = time(18, 0)  # a deadline given as a day means the end of that working day
SEM_PRAZO = {"sem prazo", "nenhum", "remover", "sem", "-"}
SEM_DESCRICAO = {"sem descricao", "nenhuma", "remover", "apagar", "-"}  # as for contacts


@dataclass(frozen=True)
class Detalhe:
    """A processo as its detail screen shows it."""

    processo: Processo
    eventos: list[ProcessoEvento]
    versao: int
    transicoes: tuple[str, ...]
    pode_atribuir: bool
    eventos_total: int = 0
    assumir: int | None = None  # the viewer's id when they may take it (started, nobody owns it)

    @property
    def historico_cortado(self) -> bool:
        """Whether the screen leaves out older events or the end of a long comment."""
        longos = any(len(e.texto or "") > COMENTARIO_NA_TELA for e in self.eventos)
        return longos or self.eventos_total > len(self.eventos)


@dataclass(frozen=True)
class Exportacao:
    """A CSV made by /exportar: its file name and bytes, how many rows, for which filter."""

    nome: str
    conteudo: bytes
    quantos: int
    filtro: str
    cortado: bool  # more processos than EXPORTAR_MAX matched: the file has the first ones


@dataclass(frozen=True)
class Pagina:
    """One page of a list."""

    itens: list[Processo]
    filtro: str
    pagina: int
    tem_mais: bool
    responsavel: Usuario | None = None
    sem_responsavel: bool = False  # the gestor's "nobody yet" filter

    @property
    def quem(self) -> int | None:
        """The responsável filter as buttons carry it: a user id, 0 for nobody, or None."""
        if self.sem_responsavel:
            return SEM_RESPONSAVEL
        return self.responsavel.id if self.responsavel else None


class ProcessoService:
    """The processo rules, applied in SQL transactions."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        notifier: Notifier,
        *,
        agora: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._notifier = notifier
        self._agora = agora

    def agora(self) -> datetime:
        """The service's clock (injectable in tests)."""
        return self._agora()

    # -- validation shared by the one-line and the guided /novo ---------------------------
    @staticmethod
    def validar_titulo(texto: str) -> str:
        """A title is one line of 1–200 characters."""
        titulo = " ".join(texto.split())
        if not titulo:
            raise InvalidInput(texts.TITULO_VAZIO)
        if not visivel(titulo):
            raise InvalidInput(texts.TITULO_INVISIVEL)
        if len(titulo) > TITULO_MAX:
            raise InvalidInput(texts.titulo_longo(len(titulo), TITULO_MAX))
        return titulo

    @staticmethod
    def validar_descricao(texto: str) -> str:
        """A description keeps its line breaks, up to 4000 characters."""
        descricao = texto.strip()
        if len(descricao) > DESCRICAO_MAX:
            raise InvalidInput(texts.texto_longo(len(descricao), DESCRICAO_MAX))
        return descricao

    @staticmethod
    def validar_prioridade(texto: str) -> str:
        """baixa, normal, alta or urgente (accents and case do not matter)."""
        prioridade = ler_prioridade(texto)
        if prioridade is None:
            raise InvalidInput(texts.PRIORIDADE_INVALIDA)
        return prioridade

    def interpretar_prazo(self, usuario: Usuario, texto: str) -> datetime | None:
        """A future moment in the user's zone, or None for 'sem prazo'."""
        if texto.strip().lower() in SEM_PRAZO:
            return None
        zona = usuario.fuso_horario
        agora = self._agora().astimezone(ZoneInfo(zona))
        quando = parse_when(
            texto,
            now=agora,
            tz=zona,
            default_time=PRAZO_PADRAO,
            calendario=self._settings.calendario,
        )
        if quando is None:
            raise InvalidDate(texts.prazo_invalido(texto))
        if quando <= agora:
            raise InvalidDate(texts.prazo_passado(quando, zona=zona, agora=agora))
        return quando

    # -- reads ---------------------------------------------------------------------------
    async def detalhe(self, usuario: Usuario, processo_id: int, *, limite: int = 15) -> Detalhe:
        """The processo with its latest `limite` events, if the user may see it."""
        async with self._sessions() as session:
            processo = await repo.por_id(session, usuario=usuario, processo_id=processo_id)
            if processo is None:
                raise NotFound(texts.PROCESSO_NAO_ENCONTRADO)
            return await self._detalhe(session, usuario, processo, limite=limite)

    async def detalhe_por_numero(self, usuario: Usuario, texto: str) -> Detalhe:
        """`/processo 2026-0042` or `/processo 42`."""
        if not texto.strip():
            raise InvalidInput(texts.QUAL_PROCESSO)
        numero = ler_numero(texto)
        if numero is None:
            raise InvalidInput(texts.NUMERO_INVALIDO)
        ano, sequencia = numero
        async with self._sessions() as session:
            processo = await repo.por_numero(session, usuario=usuario, sequencia=sequencia, ano=ano)
            if processo is None:
                raise NotFound(texts.processo_nao_encontrado(texto.strip()))
            return await self._detalhe(session, usuario, processo)

    async def listar(
        self,
        usuario: Usuario,
        *,
        filtro: str = "abertos",
        pagina: int = 0,
        responsavel_id: int | None = None,
    ) -> Pagina:
        """A page of the user's processos (all of them for gestores)."""
        filtro = filtro if filtro in FILTROS else "abertos"
        pagina = max(pagina, 0)
        if responsavel_id is not None and not gerencia(usuario):
            responsavel_id = None
        async with self._sessions() as session:
            responsavel = None
            if responsavel_id not in (None, SEM_RESPONSAVEL):
                encontrados = await usuarios_repo.por_ids(session, ids=[responsavel_id])
                responsavel = encontrados[0] if encontrados else None
            itens = await repo.pagina(
                session,
                usuario=usuario,
                filtro=filtro,
                agora=self._agora(),
                offset=pagina * POR_PAGINA,
                limite=POR_PAGINA + 1,
                responsavel_id=responsavel_id,
            )
        return Pagina(
            itens=itens[:POR_PAGINA],
            filtro=filtro,
            pagina=pagina,
            tem_mais=len(itens) > POR_PAGINA,
            responsavel=responsavel,
            sem_responsavel=responsavel_id == SEM_RESPONSAVEL,
        )

    async def exportar(self, usuario: Usuario, pedido: str = "") -> Exportacao:
        """/exportar [filtro]: the processos /processos shows with that filter, as a CSV
        (`bot.processos.exportar`); written off the event loop, after the read."""
        filtro = sem_acentos(pedido.strip().lower()) or "abertos"
        if filtro not in FILTROS:
            raise InvalidInput(texts.filtro_desconhecido(pedido))
        agora = self._agora()
        async with self._sessions() as session:
            linhas = await repo.para_exportar(
                session, usuario=usuario, filtro=filtro, agora=agora, limite=EXPORTAR_MAX + 1
            )
        cortado = len(linhas) > EXPORTAR_MAX
        linhas = linhas[:EXPORTAR_MAX]
        conteudo = await asyncio.to_thread(csv_de, linhas, zona=usuario.fuso_horario)
        local = agora.astimezone(ZoneInfo(usuario.fuso_horario))
        nome = f"processos-{filtro}-{local:%Y%m%d-%H%M}.csv"
        return Exportacao(nome, conteudo, len(linhas), texts.FILTRO_NOME[filtro], cortado)

    async def buscar(self, usuario: Usuario, texto: str, *, limite: int = 10) -> list[Processo]:
        """Full-text search (portuguese, accent-insensitive, prefixes) within what the user sees."""
        numero = ler_numero(texto)
        if not palavras(texto) and numero is None:
            raise InvalidInput(texts.BUSCA_VAZIA)
        async with self._sessions() as session:
            return await repo.buscar(
                session,
                usuario=usuario,
                texto=texto,
                sequencia=numero[1] if numero else None,
                limite=limite,
            )

    async def quadro(self, usuario: Usuario, filtros: Filtros) -> Quadro:
        """The board: the user's processos by status (all of them for gestores), filtered; a
        text is searched exactly as `/buscar` searches it."""
        if filtros.responsavel_id is not None and not gerencia(usuario):
            raise NotAllowed(texts.SO_GESTOR_FILTRA)
        agora = self._agora()
        if filtros.texto.strip():
            achados = [
                Cartao.de(p) for p in await self.buscar(usuario, filtros.texto, limite=BUSCA_MAX)
            ]
            return em_colunas(filtrar(achados, usuario, filtros, agora=agora), None, agora=agora)
        condicao = quadro_repo.filtro_do_quadro(
            usuario, agora=agora, meus=filtros.meus, atrasados=filtros.atrasados,
            responsavel_id=filtros.responsavel_id,
        )  # fmt: skip
        async with self._sessions() as session:
            cartoes, totais = await quadro_repo.colunas(
                session, filtro=condicao, por_coluna=POR_COLUNA,
                poucos=quadro_repo.de_uma_pessoa(usuario, filtros.meus, filtros.responsavel_id),
            )  # fmt: skip
        return em_colunas(cartoes, totais, agora=agora)

    async def candidatos_a_responsavel(self, usuario: Usuario) -> list[Usuario]:
        """Active users a gestor can assign to."""
        if not gerencia(usuario):
            raise NotAllowed(texts.SO_GESTOR_ATRIBUI)
        async with self._sessions() as session:
            return await usuarios_repo.listar(session, ativos=True, so_com_acesso=True)

    # -- writes --------------------------------------------------------------------------
    async def abrir(
        self, autor: Usuario, rascunho: Rascunho, *, formulario: ChatUsuario | None = None
    ) -> Processo:
        """Create a processo from a draft; the reply shows its new number.

        `formulario`, the guided form the draft comes from, is consumed in the same transaction:
        one form, one processo (see `bot.fluxos.consumir`).
        """
        titulo = self.validar_titulo(rascunho.titulo)
        descricao = self.validar_descricao(rascunho.descricao) if rascunho.descricao else None
        prazo = self.interpretar_prazo(autor, rascunho.prazo) if rascunho.prazo else None
        prioridade = (
            self.validar_prioridade(rascunho.prioridade) if rascunho.prioridade else "normal"
        )
        async with self._sessions.begin() as session:
            await consumir(session, formulario)
            contato_id = rascunho.contato_id
            if (
                contato_id is not None
                and await contatos_repo.por_id(session, contato_id=contato_id) is None
            ):
                raise NotFound(texts.CONTATO_NAO_ENCONTRADO)
            if rascunho.contato:
                contato_id = await self._contato_unico(session, rascunho.contato)
            sequencia = await repo.proxima_sequencia(session)
            ano = self._agora().astimezone(self._settings.zone).year
            processo = Processo(
                sequencia=sequencia,
                numero=formatar_numero(ano, sequencia),
                titulo=titulo,
                descricao=descricao or None,
                prioridade=prioridade,
                prazo=prazo,
                solicitante_id=autor.id,
                contato_id=contato_id,
                status="aberto",
            )
            session.add(processo)
            await session.flush()
            referencia(session, f"processo {processo.numero}")
            anotar(processo=processo.numero)
            origem = (rascunho.origem or "")[:ORIGEM_MAX] or None  # /novo as a reply: whose
            repo.registrar_evento(session, processo=processo, autor=autor, tipo="criado", de=origem)
            if contato_id is not None:  # the confirmation names the contact
                await session.refresh(processo, ["contato"])
        return processo

    async def mudar_status(
        self, usuario: Usuario, processo_id: int, para: str, *, versao: int | None = None
    ) -> Detalhe:
        """Move along the status machine; illegal moves are refused with the legal ones."""
        async with self._sessions.begin() as session:
            processo = await self._travar(session, usuario, processo_id, versao)
            de = processo.status
            if not pode_transitar(de, para):
                raise IllegalTransition(texts.transicao_ilegal(de, para, TRANSICOES[de]))
            if para == "cancelado" and not pode_cancelar(usuario, processo.solicitante_id):
                raise NotAllowed(texts.SO_SOLICITANTE_CANCELA)
            processo.status = para
            processo.concluido_em = self._agora() if para == "concluido" else None
            if de == "aguardando" and para in PRAZO_CORRE:
                await self._retomar_prazo(session, usuario, processo)
            evento = repo.registrar_evento(
                session, processo=processo, autor=usuario, tipo="status", de=de, para=para
            )
            await session.flush()
            detalhe = await self._detalhe(session, usuario, processo)
            aviso = texts.aviso_status(processo, usuario.nome, de, para)
            await self._avisar(session, detalhe, usuario, aviso, evento=evento)
        self._notifier.acordar()
        return detalhe

    async def comentar(self, usuario: Usuario, processo_id: int, texto: str) -> Detalhe:
        """Add a comment to the history: internal, or for the client (`regras.para_o_cliente`)."""
        cliente, comentario = para_o_cliente(texto.strip())
        comentario = comentario.strip()
        if not comentario:
            raise InvalidInput(texts.COMENTARIO_VAZIO)
        if len(comentario) > COMENTARIO_MAX:
            raise InvalidInput(texts.texto_longo(len(comentario), COMENTARIO_MAX))
        async with self._sessions.begin() as session:
            processo = await self._travar(session, usuario, processo_id, None)
            referencia(session, f"comentário no processo {processo.numero}")
            evento = repo.registrar_evento(
                session,
                processo=processo,
                autor=usuario,
                tipo="comentario",
                texto=comentario,
                para=PARA_CLIENTE if cliente else None,
            )
            processo.atualizado_em = self._agora()
            await session.flush()
            detalhe = await self._detalhe(session, usuario, processo)
            aviso = texts.aviso_comentario(processo, usuario.nome, comentario)
            await self._avisar(session, detalhe, usuario, aviso, evento=evento)
        self._notifier.acordar()
        return detalhe

    async def mudar_prazo(self, usuario: Usuario, processo_id: int, texto: str) -> Detalhe:
        """Set or clear the deadline ('sem prazo')."""
        prazo = self.interpretar_prazo(usuario, texto)
        async with self._sessions.begin() as session:
            processo = await self._travar(session, usuario, processo_id, None, editar=True)
            antes = processo.prazo
            if prazo != antes:
                processo.prazo = prazo
                repo.registrar_evento(
                    session,
                    processo=processo,
                    autor=usuario,
                    tipo="prazo",
                    de=antes.isoformat() if antes else None,
                    para=prazo.isoformat() if prazo else None,
                )
                await session.flush()
            return await self._detalhe(session, usuario, processo)

    async def mudar_prioridade(self, usuario: Usuario, processo_id: int, texto: str) -> Detalhe:
        """Change the priority."""
        prioridade = self.validar_prioridade(texto)
        async with self._sessions.begin() as session:
            processo = await self._travar(session, usuario, processo_id, None, editar=True)
            antes = processo.prioridade
            if prioridade != antes:
                processo.prioridade = prioridade
                repo.registrar_evento(
                    session, processo=processo, autor=usuario, tipo="prioridade",
                    de=antes, para=prioridade,
                )  # fmt: skip
                await session.flush()
            return await self._detalhe(session, usuario, processo)

    async def editar_titulo(self, usuario: Usuario, processo_id: int, texto: str) -> Detalhe:
        """Rename the processo; the old title stays in the history."""
        return await self._editar(usuario, processo_id, "titulo", self.validar_titulo(texto))

    async def editar_descricao(self, usuario: Usuario, processo_id: int, texto: str) -> Detalhe:
        """Replace the description ('sem descrição' clears it); the old one stays in the history."""
        descricao = self.validar_descricao(texto)
        if sem_acentos(descricao.lower()) in SEM_DESCRICAO:
            descricao = ""
        return await self._editar(usuario, processo_id, "descricao", descricao or None)

    async def _editar(
        self, usuario: Usuario, processo_id: int, campo: Literal["titulo", "descricao"],
        valor: str | None,
    ) -> Detalhe:  # fmt: skip
        async with self._sessions.begin() as session:
            processo = await self._travar(session, usuario, processo_id, None, editar=True)
            antes = getattr(processo, campo)
            if valor != antes:
                setattr(processo, campo, valor)
                repo.registrar_evento(
                    session, processo=processo, autor=usuario, tipo=campo, de=antes, para=valor
                )
                await session.flush()
            return await self._detalhe(session, usuario, processo)

    async def atribuir(
        self,
        usuario: Usuario,
        processo_id: int,
        responsavel_id: int | None,
        *,
        versao: int | None = None,
    ) -> Detalhe:
        """Make someone the responsável, or nobody (gestores and admins; anyone may take for
        themselves one nobody owns, `regras.pode_atribuir`).

        The new and the previous responsável and the solicitante get a notice.
        """
        if not gerencia(usuario) and responsavel_id != usuario.id:
            raise NotAllowed(texts.SO_GESTOR_ATRIBUI)
        async with self._sessions.begin() as session:
            processo = await self._travar(session, usuario, processo_id, versao, editar=True)
            if not pode_atribuir(usuario, atual=processo.responsavel_id, para=responsavel_id):
                raise NotAllowed(texts.SO_GESTOR_ATRIBUI)
            novo = None
            if responsavel_id is not None:
                encontrados = await usuarios_repo.por_ids(session, ids=[responsavel_id])
                novo = encontrados[0] if encontrados else None
                if novo is None or not novo.ativo or not tem_acesso(novo):
                    raise NotFound(texts.USUARIO_NAO_ENCONTRADO)
            antes = processo.responsavel
            if (novo.id if novo else None) == processo.responsavel_id:
                return await self._detalhe(session, usuario, processo)
            processo.responsavel_id = novo.id if novo else None
            evento = await _trocou(session, processo, usuario, "responsavel", antes, novo)
            detalhe = await self._detalhe(session, usuario, processo)
            await self._avisar(
                session,
                detalhe,
                usuario,
                lambda pessoa: texts.aviso_atribuicao(processo, usuario.nome, para=pessoa),
                evento=evento,
                tambem=antes,
            )
        self._notifier.acordar()
        return detalhe

    async def vincular_contato(
        self, usuario: Usuario, processo_id: int, contato_id: int | None
    ) -> Detalhe:
        """Link a CRM contact to the processo (or unlink with None)."""
        async with self._sessions.begin() as session:
            processo = await self._travar(session, usuario, processo_id, None, editar=True)
            if contato_id == processo.contato_id:
                return await self._detalhe(session, usuario, processo)
            contato = None
            if contato_id is not None:
                contato = await contatos_repo.por_id(session, contato_id=contato_id)
                if contato is None:
                    raise NotFound(texts.CONTATO_NAO_ENCONTRADO)
            antes = processo.contato
            processo.contato_id = contato.id if contato else None
            await _trocou(session, processo, usuario, "contato", antes, contato)
            return await self._detalhe(session, usuario, processo)

    # -- internals -----------------------------------------------------------------------
    async def _retomar_prazo(
        self, session: AsyncSession, usuario: Usuario, processo: Processo
    ) -> None:
        """Back from `aguardando`: the prazo moves on by the time spent waiting (its clock was
        paused), written as a prazo event that says why."""
        desde = await repo.entrou_em(session, processo_id=processo.id, status="aguardando")
        if processo.prazo is None or desde is None:
            return
        antes = processo.prazo
        processo.prazo = antes + (self._agora() - desde)
        repo.registrar_evento(
            session,
            processo=processo,
            autor=usuario,
            tipo="prazo",
            de=antes.isoformat(),
            para=processo.prazo.isoformat(),
            texto=PAUSA_AGUARDANDO,
        )

    async def _travar(
        self,
        session: AsyncSession,
        usuario: Usuario,
        processo_id: int,
        versao: int | None,
        *,
        editar: bool = False,
    ) -> Processo:
        """Lock the row; refuse what the user cannot see, or a button from an old screen.

        `editar`: a change to the processo's fields, which a cancelled processo no longer takes
        (its history still takes comments).
        """
        processo = await repo.por_id(session, usuario=usuario, processo_id=processo_id, travar=True)
        if processo is None:
            raise NotFound(texts.PROCESSO_NAO_ENCONTRADO)
        if editar and processo.status == "cancelado":
            raise NotAllowed(texts.PROCESSO_CANCELADO)
        if versao is not None and versao != await repo.ultima_versao(
            session, processo_id=processo_id
        ):
            raise StaleState(texts.BOTAO_EXPIRADO)
        return processo

    async def _detalhe(
        self, session: AsyncSession, usuario: Usuario, processo: Processo, *, limite: int = 15
    ) -> Detalhe:
        anotar(processo=processo.numero)  # the rest of this update's log lines name it
        eventos, total = await repo.eventos(session, processo_id=processo.id, limite=limite)
        return Detalhe(
            processo=processo,
            eventos=eventos,
            versao=eventos[-1].id if eventos else 0,
            transicoes=tuple(
                para
                for para in TRANSICOES[processo.status]
                if para != "cancelado" or pode_cancelar(usuario, processo.solicitante_id)
            ),
            pode_atribuir=gerencia(usuario),
            eventos_total=total,
            assumir=usuario.id if _sem_dono_em_curso(processo) else None,
        )

    async def historico(self, usuario: Usuario, processo_id: int) -> Detalhe:
        """The processo with its whole history (up to `HISTORICO_MAX` events)."""
        return await self.detalhe(usuario, processo_id, limite=HISTORICO_MAX)

    async def _contato_unico(self, session: AsyncSession, nome: str) -> int:
        encontrados = await contatos_repo.buscar(session, texto=nome, limite=2)
        if len(encontrados) != 1:
            raise InvalidInput(texts.contato_ambiguo(nome, len(encontrados)))
        return encontrados[0].id

    async def _avisar(
        self,
        session: AsyncSession,
        detalhe: Detalhe,
        autor: Usuario,
        html: str | Callable[[Usuario], str],
        *,
        evento: ProcessoEvento,
        tambem: Usuario | None = None,
    ) -> None:
        """Write notices to the solicitante and the responsável (and `tambem`), not the author,
        in the change's transaction; `html` may be written for each reader. The event's id
        makes the dedupe key: one notice per person per change."""
        processo = detalhe.processo
        envolvidos = (processo.solicitante, processo.responsavel, tambem)
        pessoas = {p.id: p for p in envolvidos if p is not None}.values()
        notas = [
            Nota(
                chave=f"processo:{evento.id}:{pessoa.id}",
                tipo="processo",
                chat_id=pessoa.telegram_id,
                usuario_id=pessoa.id,
                texto=html if isinstance(html, str) else html(pessoa),
            )
            for pessoa in pessoas
            if pessoa.id != autor.id and quer(pessoa, "processo")
        ]
        await self._notifier.escrever(session, *notas)


async def _trocou(
    session: AsyncSession,
    processo: Processo,
    autor: Usuario,
    campo: Literal["responsavel", "contato"],
    antes: Usuario | Contato | None,
    depois: Usuario | Contato | None,
) -> ProcessoEvento:
    """Record who or which contact `campo` now names (by name, as the history shows it), and
    load the new one onto the processo."""
    evento = repo.registrar_evento(
        session,
        processo=processo,
        autor=autor,
        tipo=campo,
        de=antes.nome if antes else None,
        para=depois.nome if depois else None,
    )
    await session.flush()
    await session.refresh(processo, [campo])
    return evento


def _sem_dono_em_curso(processo: Processo) -> bool:
    """Started (or waiting) and nobody owns it: whoever sees it is offered to take it."""
    return processo.responsavel_id is None and processo.status in ("em_andamento", "aguardando")
