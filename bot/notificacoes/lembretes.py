"""LembreteService: personal reminders, once or recurring, optionally linked to a processo.

    criar(usuario, quando, texto, *, processo=None)   the one way to create a reminder (the
                                                      /lembrar command and the mentor's tool):
                                                      `quando` a datetime, or pt-BR text
                                                      ("amanhã 9h", "toda segunda 9h")
    criar_de_texto(usuario, linha)                    "/lembrar [2026-0042] <quando> <texto>"
    listar / cancelar / adiavel / adiar               /lembretes and its buttons
    disparar_devidos(limite)                          the scheduler's part: due reminders become
                                                      outbox rows, in the same transaction that
                                                      advances or closes them

Misfire policy: a reminder due while the bot was down fires once when it is back, saying it is
late; a recurring one then moves to its next occurrence after *now* (missed ones are not
replayed one by one). Quiet hours never hold back a reminder: it fires when asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.dates import split_when
from bot.errors import InvalidDate, InvalidInput, NotFound
from bot.notificacoes.caixa import BotoesDeAviso, Caixa, Nota, teclado
from bot.notificacoes.preferencias import quer
from bot.notificacoes.recorrencia import Regra, ler_recorrencia
from bot.processos.regras import ler_numero
from bot.settings import Settings
from db.engine import Sessions
from db.models import LEMBRETE_MAX, Lembrete, Usuario
from db.repositories import notificacoes as repo
from db.repositories import processos as processos_repo
from db.repositories import usuarios as usuarios_repo

ATRASO_TOLERADO = timedelta(minutes=5)  # later than this, the reminder says it is late
ADIAMENTOS = {"10m": timedelta(minutes=10), "1h": timedelta(hours=1)}
AMANHA = "am"  # tomorrow at 09:00 in the user's zone
HORA_AMANHA = time(9, 0)
_NUMERO = re.compile(r"^#?(\d{4}-\d{1,6})\b")
_DATA_ESCRITA = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")


@dataclass(frozen=True)
class Quando:
    """A reminder's first time and, when recurring, its rule."""

    momento: datetime
    regra: Regra | None = None


class LembreteService:
    """Personal reminders, one short transaction each."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        caixa: Caixa,
        *,
        botoes: BotoesDeAviso | None = None,
        agora: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`botoes`: the snooze buttons under a reminder that fires (none without it)."""
        self._sessions = sessions
        self._settings = settings
        self._caixa = caixa
        self._botoes = botoes
        self._agora = agora

    # -- reading what the user wrote -----------------------------------------------------------
    def interpretar(self, usuario: Usuario, texto: str) -> tuple[Quando, str]:
        """The time (or recurrence) the text starts with, and the rest; refuses the past."""
        zona = ZoneInfo(usuario.fuso_horario)
        agora = self._agora().astimezone(zona)
        recorrente = ler_recorrencia(texto)
        if recorrente is not None:
            regra, resto = recorrente
            return Quando(regra.proxima(agora, zona), regra), resto
        achado = split_when(
            texto, now=agora, tz=usuario.fuso_horario, calendario=self._settings.calendario
        )
        if achado is None:
            data = _DATA_ESCRITA.match(texto.strip())
            if data is not None:
                raise InvalidDate(texts.lembrete_data_invalida(data.group(0)))
            raise InvalidDate(texts.lembrete_sem_data(texto))
        momento, resto = achado
        if momento <= agora:
            raise InvalidDate(
                texts.lembrete_passado(momento, zona=usuario.fuso_horario, agora=agora)
            )
        return Quando(momento), resto

    def validar_quando(self, usuario: Usuario, quando: str) -> None:
        """Refuse (InvalidDate, with the reason) a time `criar` would refuse: the mentor checks
        a proposed reminder before it shows the button."""
        self._quando(usuario, quando)

    def _quando(self, usuario: Usuario, quando: datetime | str | Quando) -> Quando:
        if isinstance(quando, Quando):
            return quando
        if isinstance(quando, str):
            achado, resto = self.interpretar(usuario, quando)
            if resto:
                raise InvalidDate(texts.lembrete_sem_data(quando))
            return achado
        momento = quando if quando.tzinfo else quando.replace(tzinfo=ZoneInfo(usuario.fuso_horario))
        if momento <= self._agora():
            agora = self._agora()
            raise InvalidDate(
                texts.lembrete_passado(momento, zona=usuario.fuso_horario, agora=agora)
            )
        return Quando(momento)

    # -- writes --------------------------------------------------------------------------------
    async def criar(
        self,
        usuario: Usuario,
        quando: datetime | str | Quando,
        texto: str,
        *,
        processo: str | int | None = None,
    ) -> Lembrete:
        """Create a reminder for `usuario`; `processo` (a number or id) must be one they see.

        Raises InvalidInput / InvalidDate (with the pt-BR message) and stores nothing when the
        time is missing or past, the text empty or too long, or the user at their limit.
        """
        texto = texto.strip()
        if not texto:
            raise InvalidInput(texts.LEMBRETE_SEM_TEXTO)
        if len(texto) > LEMBRETE_MAX:
            raise InvalidInput(texts.lembrete_longo(len(texto), LEMBRETE_MAX))
        alvo = self._quando(usuario, quando)
        async with self._sessions.begin() as session:
            limite = self._settings.lembretes_max
            if await repo.contar_lembretes(session, usuario_id=usuario.id) >= limite:
                raise InvalidInput(texts.lembrete_limite(limite))
            processo_id = await self._processo_id(session, usuario, processo)
            lembrete = Lembrete(
                usuario_id=usuario.id,
                texto=texto,
                quando=alvo.momento,
                regra=alvo.regra.codigo if alvo.regra else None,
                processo_id=processo_id,
                status="ativo",
            )
            session.add(lembrete)
            await session.flush()
            await session.refresh(lembrete, ["processo"])
        return lembrete

    async def criar_de_texto(self, usuario: Usuario, linha: str) -> Lembrete:
        """`/lembrar [2026-0042] <quando> <texto>`."""
        linha = linha.strip()
        if not linha:
            raise InvalidInput(texts.LEMBRAR_USO)
        numero = None
        achado = _NUMERO.match(linha)
        if achado is not None:
            numero, linha = achado.group(1), linha[achado.end() :].strip()
        quando, texto = self.interpretar(usuario, linha)
        return await self.criar(usuario, quando, texto, processo=numero)

    async def _processo_id(
        self, session: AsyncSession, usuario: Usuario, processo: str | int | None
    ) -> int | None:
        if processo is None:
            return None
        if isinstance(processo, int):
            encontrado = await processos_repo.por_id(session, usuario=usuario, processo_id=processo)
        else:
            lido = ler_numero(processo)
            encontrado = None
            if lido is not None:
                encontrado = await processos_repo.por_numero(
                    session, usuario=usuario, sequencia=lido[1], ano=lido[0]
                )
        if encontrado is None:
            raise NotFound(texts.processo_nao_encontrado(str(processo)))
        return encontrado.id

    async def cancelar(self, usuario: Usuario, lembrete_id: int) -> None:
        """Cancel one of the user's active reminders."""
        async with self._sessions.begin() as session:
            lembrete = await repo.lembrete(
                session, usuario_id=usuario.id, lembrete_id=lembrete_id, travar=True
            )
            if lembrete is None or lembrete.status != "ativo":
                raise NotFound(texts.LEMBRETE_NAO_ENCONTRADO)
            lembrete.status = "cancelado"

    async def adiavel(self, usuario: Usuario, lembrete_id: int) -> Lembrete:
        """One of the user's reminders that may be snoozed (💤's choices), or NotFound."""
        async with self._sessions() as session:
            lembrete = await repo.lembrete(session, usuario_id=usuario.id, lembrete_id=lembrete_id)
        if lembrete is None or lembrete.status == "cancelado":
            raise NotFound(texts.LEMBRETE_NAO_ENCONTRADO)
        return lembrete

    async def adiar(
        self,
        usuario: Usuario,
        lembrete_id: int,
        opcao: str,
        *,
        disparado_em: datetime | None = None,
    ) -> Lembrete:
        """Snooze: 10 min, 1 h or the next day at 09:00, counted from the moment the reminder
        fired (`disparado_em`, the 💤 under its notice) or, from /lembretes, from when it is due;
        never into the past (then from now). A recurring one moves only that occurrence: a
        one-off copy takes it, and when it had not fired yet the rule skips to the next one."""
        agora = self._agora()
        if opcao != AMANHA and opcao not in ADIAMENTOS:
            raise InvalidInput(texts.LEMBRETE_NAO_ENCONTRADO)
        zona = ZoneInfo(usuario.fuso_horario)
        async with self._sessions.begin() as session:
            lembrete = await repo.lembrete(
                session, usuario_id=usuario.id, lembrete_id=lembrete_id, travar=True
            )
            if lembrete is None or lembrete.status == "cancelado":
                raise NotFound(texts.LEMBRETE_NAO_ENCONTRADO)
            base = lembrete.quando if disparado_em is None else disparado_em
            quando = _adiado(base, opcao, zona)
            if quando <= agora:  # tapped long after it fired: snooze from now
                quando = _adiado(agora, opcao, zona)
            if lembrete.regra is None:
                lembrete.quando, lembrete.status = quando, "ativo"
                return lembrete
            if disparado_em is None:  # the coming occurrence is the one moved
                regra = Regra.de_codigo(lembrete.regra)
                lembrete.quando = regra.proxima(lembrete.quando, zona)
            copia = Lembrete(usuario_id=usuario.id, texto=lembrete.texto, quando=quando,
                             processo_id=lembrete.processo_id, status="ativo")  # fmt: skip
            session.add(copia)
            await session.flush()
            await session.refresh(copia, ["processo"])
            return copia

    # -- reads ---------------------------------------------------------------------------------
    async def listar(self, usuario: Usuario) -> list[Lembrete]:
        """The user's active reminders, soonest first (`.numero`: their processo's)."""
        async with self._sessions() as session:
            return await repo.lembretes_ativos(session, usuario_id=usuario.id)

    def agora(self) -> datetime:
        """The service's clock."""
        return self._agora()

    # -- the scheduler's part ------------------------------------------------------------------
    async def disparar_devidos(self, *, limite: int = 500) -> int:
        """Turn due reminders into notices and advance them, in one transaction; how many."""
        agora = self._agora()
        async with self._sessions.begin() as session:
            devidos = await repo.lembretes_devidos(session, agora=agora, limite=limite)
            if not devidos:
                return 0
            ids = sorted({lb.usuario_id for lb in devidos})
            donos = {u.id: u for u in await usuarios_repo.por_ids(session, ids=ids)}
            notas = []
            for lembrete in devidos:
                dono = donos[lembrete.usuario_id]
                previsto = lembrete.quando
                if quer(dono, "lembrete"):
                    notas.append(self._nota(lembrete, dono, agora))
                lembrete.disparos += 1
                if lembrete.regra is None:
                    lembrete.status = "concluido"
                else:
                    zona = ZoneInfo(dono.fuso_horario)
                    lembrete.quando = Regra.de_codigo(lembrete.regra).proxima(
                        max(agora, previsto), zona
                    )
            await self._caixa.escrever(session, *notas)
        self._caixa.acordar()
        return len(devidos)

    def _nota(self, lembrete: Lembrete, dono: Usuario, agora: datetime) -> Nota:
        atraso = agora - lembrete.quando > ATRASO_TOLERADO
        texto = texts.lembrete_disparo(
            lembrete, numero=lembrete.numero, previsto=lembrete.quando, atraso=atraso,
            zona=dono.fuso_horario, agora=agora,
        )  # fmt: skip
        botoes = teclado(self._botoes.adiar_lembrete(lembrete.id)) if self._botoes else None
        return Nota(
            chave=f"lembrete:{lembrete.id}:{lembrete.quando.astimezone(UTC).isoformat()}",
            tipo="lembrete",
            chat_id=dono.telegram_id,
            usuario_id=dono.id,
            texto=texto,
            teclado=botoes,
        )


def _adiado(base: datetime, opcao: str, zona: ZoneInfo) -> datetime:
    """`base` snoozed by `opcao`: a fixed delay, or the next day at 09:00 in `zona`."""
    if opcao == AMANHA:
        dia = base.astimezone(zona).date() + timedelta(days=1)
        return datetime.combine(dia, HORA_AMANHA, tzinfo=zona)
    return base + ADIAMENTOS[opcao]
