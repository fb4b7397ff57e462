"""`ConhecimentoService`: what handlers, the CLI and the mentor call on the knowledge base.

    receber_arquivo / receber_url / registrar_arquivo   a `pendente` row, queued at once
    listar / documento / remover / alternar_privado      /documentos and its card
    buscar / trecho                                      search (the mentor's tool) and 'ver mais'
    iniciar / parar                                      the background queue's life

Who may do what: everyone registered sees team-wide documents and their own private ones
(`visivel_para`, in SQL), and in a group only team-wide ones, whoever asks (`so_da_equipe`:
everyone there reads the reply); only the sender changes who sees a document; the sender or an admin
removes it, chunks included, in one statement (ON DELETE CASCADE), so a search a moment later
cannot return them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError

from bot import texts
from bot.conhecimento import web
from bot.conhecimento.busca import Busca, Passagem
from bot.conhecimento.extracao import tipo_de
from bot.conhecimento.fila import FilaDeIngestao
from bot.conhecimento.ingestao import Baixador, Ingestao, ResultadoDaIngestao
from bot.conhecimento.processo import Extrator
from bot.conhecimento.vetores import Vetores, criar
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.notificacoes.caixa import Mensageiro
from bot.settings import Settings
from bot.usuarios.regras import administra
from db.engine import Sessions
from db.models import Documento, Usuario
from db.repositories import conhecimento as repo

POR_PAGINA = 8
LIMITE_BUSCA = 5
PAGINA_MAX = 100_000  # a forged page number never reaches the database as an overflow


@dataclass(frozen=True)
class PaginaDocumentos:
    """One page of /documentos."""

    itens: list[Documento]
    pagina: int
    total: int

    @property
    def tem_mais(self) -> bool:
        """Whether a next page exists."""
        return (self.pagina + 1) * POR_PAGINA < self.total


def pode_remover(usuario: Usuario, documento: Documento) -> bool:
    """The sender or an admin (let in)."""
    return documento.enviado_por_id == usuario.id or administra(usuario)


class ConhecimentoService:
    """The team's knowledge base."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        notifier: Mensageiro,
        *,
        baixador: Baixador | None = None,
        vetores: Vetores | None = None,
        trabalhadores: int = 2,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._vetores = vetores if vetores is not None else criar(settings)
        self._extrator = Extrator(
            processos=settings.ingest_processos, memoria_mb=settings.ingest_memoria_mb
        )
        self.ingestao = Ingestao(
            sessions, settings, notifier, self._extrator, baixador=baixador, vetores=self._vetores
        )
        self._fila = FilaDeIngestao(sessions, self.ingestao, trabalhadores=trabalhadores)
        self._busca = Busca(sessions, self._vetores)

    def usar_baixador(self, baixador: Baixador) -> None:
        """Set how chat uploads are downloaded (the app wires Telegram's once it exists)."""
        self.ingestao.baixador = baixador

    # -- life ---------------------------------------------------------------------------------
    async def iniciar(self) -> None:
        """Prepare vectors and start the queue (resuming unfinished documents).

        The extraction process is spawned at the first document, not here: most starts (and
        most tests) never ingest anything.
        """
        if self._vetores is not None:
            await self._vetores.preparar(self._sessions)
        await self._fila.iniciar()

    async def parar(self) -> None:
        """Stop the queue and the extraction processes."""
        await self._fila.parar()
        self._extrator.fechar()

    # -- receiving ----------------------------------------------------------------------------
    async def receber_arquivo(
        self,
        usuario: Usuario,
        *,
        file_id: str,
        nome: str,
        mime: str | None,
        tamanho: int | None,
        privado: bool = False,
    ) -> Documento:
        """Accept a chat upload for background ingestion (refusing what cannot work now)."""
        if tipo_de(nome, mime) is None:
            raise InvalidInput(texts.ingestao_falhou(nome, texts.falha_tipo(nome)))
        limite = self._settings.ingest_max_bytes
        if tamanho is not None and tamanho > limite:
            raise InvalidInput(texts.ingestao_falhou(nome, texts.falha_grande(tamanho, limite)))
        return await self._registrar(
            usuario,
            Documento(
                titulo=nome[:300],
                origem="telegram",
                referencia=file_id,
                nome_arquivo=nome[:255],
                mime=(mime or "")[:128] or None,
                tamanho=tamanho,
                privado=privado,
                enviado_por_id=usuario.id,
            ),
        )

    async def receber_url(self, usuario: Usuario, url: str, *, privado: bool = False) -> Documento:
        """Accept a URL for background ingestion."""
        valida = web.url_valida(url)
        if valida is None:
            raise InvalidInput(texts.URL_INVALIDA)
        return await self._registrar(
            usuario,
            Documento(
                titulo=valida[:300],
                origem="url",
                referencia=valida,
                nome_arquivo=_nome_da_url(valida),
                privado=privado,
                enviado_por_id=usuario.id,
            ),
        )

    async def _registrar(self, usuario: Usuario, documento: Documento) -> Documento:
        async with self._sessions.begin() as session:
            limite = self._settings.ingest_por_usuario
            if await repo.em_andamento(session, usuario_id=usuario.id) >= limite:
                raise InvalidInput(texts.muitos_em_andamento(limite))
            session.add(documento)
        if self._fila.rodando:
            self._fila.por(documento.id)
        return documento

    async def registrar_arquivo(
        self, caminho: Path, *, dono: Usuario | None = None, privado: bool = False
    ) -> Documento:
        """A local file (an absolute path) as a `pendente` row; the CLI processes it itself."""
        documento = Documento(
            titulo=caminho.name[:300],
            origem="arquivo",
            referencia=str(caminho),
            nome_arquivo=caminho.name[:255],
            privado=privado,
            enviado_por_id=dono.id if dono else None,
        )
        async with self._sessions.begin() as session:
            session.add(documento)
        return documento

    async def processar(self, documento_id: int) -> ResultadoDaIngestao | None:
        """Ingest one document now, in this task (the CLI's way)."""
        return await self.ingestao.processar(documento_id)

    # -- /documentos ----------------------------------------------------------------------------
    async def listar(
        self, usuario: Usuario, *, pagina: int = 0, so_da_equipe: bool = False
    ) -> PaginaDocumentos:
        """The documents the user may see, newest first, a page at a time."""
        pagina = min(max(pagina, 0), PAGINA_MAX)
        async with self._sessions() as session:
            itens, total = await repo.pagina(
                session,
                usuario=usuario,
                offset=pagina * POR_PAGINA,
                limite=POR_PAGINA,
                so_da_equipe=so_da_equipe,
            )
        return PaginaDocumentos(itens, pagina, total)

    async def documento(
        self, usuario: Usuario, documento_id: int, *, so_da_equipe: bool = False
    ) -> Documento:
        """One document the user may see."""
        async with self._sessions() as session:
            doc = await repo.por_id(
                session, usuario=usuario, documento_id=documento_id, so_da_equipe=so_da_equipe
            )
        if doc is None:
            raise NotFound(texts.DOCUMENTO_NAO_ENCONTRADO)
        return doc

    async def remover(self, usuario: Usuario, documento_id: int) -> Documento:
        """Delete the document and every chunk of it, at once."""
        async with self._sessions.begin() as session:
            doc = await repo.por_id(
                session, usuario=usuario, documento_id=documento_id, travar=True
            )
            if doc is None:
                raise NotFound(texts.DOCUMENTO_NAO_ENCONTRADO)
            if not pode_remover(usuario, doc):
                raise NotAllowed(texts.SO_QUEM_ENVIOU_OU_ADMIN)
            await repo.remover(session, documento_id=documento_id)
        return doc

    async def alternar_privado(self, usuario: Usuario, documento_id: int) -> Documento:
        """Make a document private to its sender, or team-wide again."""
        try:
            async with self._sessions.begin() as session:
                doc = await repo.por_id(
                    session, usuario=usuario, documento_id=documento_id, travar=True
                )
                if doc is None:
                    raise NotFound(texts.DOCUMENTO_NAO_ENCONTRADO)
                if doc.enviado_por_id != usuario.id:
                    raise NotAllowed(texts.SO_QUEM_ENVIOU)
                doc.privado = not doc.privado
        except IntegrityError:  # the same content already exists in the other scope
            raise InvalidInput(texts.JA_EXISTE_NO_OUTRO_ESCOPO) from None
        return doc

    # -- search ---------------------------------------------------------------------------------
    async def buscar(
        self,
        usuario: Usuario,
        consulta: str,
        *,
        limite: int = LIMITE_BUSCA,
        so_da_equipe: bool = False,
    ) -> list[Passagem]:
        """The best passages for `consulta` among the documents `usuario` may see (only
        team-wide ones when `so_da_equipe`, as in a group)."""
        return await self._busca.passagens(
            usuario, consulta, limite=max(1, min(limite, 50)), so_da_equipe=so_da_equipe
        )

    async def trecho(
        self, usuario: Usuario, trecho_id: int, *, consulta: str = "", so_da_equipe: bool = False
    ) -> Passagem:
        """One whole passage (for 'ver mais'), with the query's words highlighted."""
        passagem = await self._busca.trecho(usuario, trecho_id, consulta, so_da_equipe=so_da_equipe)
        if passagem is None:
            raise NotFound(texts.TRECHO_NAO_ENCONTRADO)
        return passagem


def _nome_da_url(url: str) -> str | None:
    """The path's last part when it names a file (`manual.pdf`); else the server's type decides."""
    caminho = urlsplit(url).path
    ultimo = caminho.rstrip("/").rsplit("/", 1)[-1]
    return ultimo[:255] if "." in ultimo else None
