"""The scheduler's round: find what is due and write it to the outbox (the sender does the rest).

`Vigia.rodada()` runs every 30 s on the leader (bot.saida.transporte schedules it). It is driven
by state, not by the trigger: each kind asks "what should exist by now and does not yet?" and
writes it with a dedupe key, so a missed or doubled tick changes nothing, and work due while the
bot was down is found at the first round after it comes back.

    lembretes   due reminders (bot.notificacoes.lembretes)
    prazos      to the responsável (or the solicitante when nobody is assigned):
                prazo24h:<numero>:<prazo>       24 h before
                prazovenceu:<numero>:<prazo>    when it passes
                prazoatraso:<numero>:<data>     once a (local) day while it stays overdue
                held back to the end of the recipient's quiet hours, saying the real time; a
                phase that is over when found (the bot was down) is skipped for the current one
    resumo      resumo:<usuario>:<data> at the user's hour and zone; up to 3 h late it is sent,
                saying it is late; later it is dropped (logged): yesterday's digest is no news
    parados     parados:<usuario>:<ano-semana> to gestores on Mondays at their digest hour
    saude       saude:<usuario>:<data> to admins who opted in, at their digest hour
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import texts
from bot.notificacoes.caixa import BotoesDeAviso, Caixa, Nota, Teclado, teclado
from bot.notificacoes.lembretes import LembreteService
from bot.notificacoes.preferencias import fora_do_silencio, quer
from db.engine import Sessions
from db.models import Processo, Usuario
from db.repositories import conhecimento as documentos
from db.repositories import notificacoes as repo

log = logging.getLogger("cogep.notificacoes")

JANELA_DO_RESUMO = 3  # hours after the digest hour during which a late digest is still sent
HORA_DO_ATRASO = 8  # the daily overdue alert goes from this local hour (or the end of quiet hours)
RESUMO_MAX = 15
BOTOES_MAX = 8
PARADO_HA = timedelta(days=7)
ATRASO_MAXIMO = timedelta(days=60)  # overdue longer than this is chased by the digest only


def _nota(
    pessoa: Usuario,
    chave: str,
    tipo: str,
    texto: str,
    *,
    teclado: Teclado | None = None,
    devido_em: datetime | None = None,
) -> Nota:
    """A notice of kind `tipo` to one person's private chat (`chave` dedupes it)."""
    return Nota(
        chave=chave,
        tipo=tipo,
        chat_id=pessoa.telegram_id,
        usuario_id=pessoa.id,
        texto=texto,
        teclado=teclado,
        devido_em=devido_em,
    )


class Vigia:
    """Finds due notices; one round is a handful of short transactions."""

    def __init__(
        self,
        sessions: Sessions,
        caixa: Caixa,
        lembretes: LembreteService,
        *,
        botoes: BotoesDeAviso | None = None,
        agora: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`botoes`: the buttons that open the processos a notice lists (none without it)."""
        self._sessions = sessions
        self._botoes = botoes
        self._caixa = caixa
        self._lembretes = lembretes
        self._agora = agora
        self.no_ar_desde = agora()
        self._primeira = True

    async def rodada(self) -> int:
        """One round of every kind; how many notices were written."""
        if self._primeira:
            self._primeira = False
            log.info(
                "notices scheduler: digests, stale lists and health lines whose hour passed "
                "more than %d h ago are not sent (no longer news); reminders and deadline "
                "alerts missed while down are sent now, saying they are late",
                JANELA_DO_RESUMO,
            )
        total = 0
        while (disparados := await self._lembretes.disparar_devidos()) > 0:
            total += disparados
        for tipo in (self.prazos, self.resumos, self.parados, self.saude):
            total += await tipo()
        if total:
            self._caixa.acordar()
        return total

    async def _escrever(self, notas: list[Nota]) -> int:
        if not notas:
            return 0
        async with self._sessions.begin() as session:
            novas = {n.chave for n in notas} - await repo.chaves_existentes(
                session, chaves=[n.chave for n in notas]
            )
            return await self._caixa.escrever(session, *(n for n in notas if n.chave in novas))

    # -- deadlines -------------------------------------------------------------------------------
    async def prazos(self) -> int:
        """Deadline alerts that are due now."""
        agora = self._agora()
        async with self._sessions() as session:
            processos = await repo.prazos_proximos(
                session, ate=agora + timedelta(hours=24), desde=agora - ATRASO_MAXIMO
            )
        notas = [n for p in processos if (n := self._alerta(p, agora)) is not None]
        return await self._escrever(notas)

    def _alerta(self, processo: Processo, agora: datetime) -> Nota | None:
        assert processo.prazo is not None
        pessoa = processo.responsavel or processo.solicitante
        if not quer(pessoa, "prazo"):
            return None
        zona = ZoneInfo(pessoa.fuso_horario)
        prazo = processo.prazo.astimezone(UTC).isoformat()
        dia_do_prazo = processo.prazo.astimezone(zona).date()
        hoje = agora.astimezone(zona)
        if processo.prazo > agora:
            fase, chave = "amanha", f"prazo24h:{processo.numero}:{prazo}"
        elif hoje.date() == dia_do_prazo or agora - processo.prazo < timedelta(hours=12):
            fase, chave = "venceu", f"prazovenceu:{processo.numero}:{prazo}"
        else:
            silencio = pessoa.silencio_inicio != pessoa.silencio_fim
            if hoje.hour < (pessoa.silencio_fim if silencio else HORA_DO_ATRASO):
                return None  # the day's overdue alert waits for the morning
            fase, chave = "atrasado", f"prazoatraso:{processo.numero}:{hoje.date().isoformat()}"
        quando = fora_do_silencio(pessoa, agora)
        texto = texts.prazo_alerta(processo, fase=fase, zona=pessoa.fuso_horario, agora=quando)
        return _nota(
            pessoa, chave, "prazo", texto, teclado=self._abrir([processo]), devido_em=quando
        )

    # -- daily digest ------------------------------------------------------------------------------
    async def resumos(self) -> int:
        """The daily digest of everyone whose hour it is."""
        agora = self._agora()
        async with self._sessions() as session:
            devidos = await repo.na_hora_do_resumo(
                session, agora=agora, tipo="resumo", prefixo="resumo", janela=JANELA_DO_RESUMO
            )
            notas = []
            for usuario, atraso in devidos:
                processos = await repo.abertos_de(session, usuario_id=usuario.id, limite=RESUMO_MAX)
                if processos:
                    notas.append(self._resumo(usuario, processos, agora, atrasado=atraso > 0))
        return await self._escrever(notas)

    def _resumo(
        self, usuario: Usuario, processos: list[Processo], agora: datetime, *, atrasado: bool
    ) -> Nota:
        vencidos = [p for p in processos if p.prazo is not None and p.prazo < agora]
        abertos = [p for p in processos if p not in vencidos]
        texto = texts.resumo_diario(
            vencidos, abertos, zona=usuario.fuso_horario, agora=agora, atraso=atrasado
        )
        data = agora.astimezone(ZoneInfo(usuario.fuso_horario)).date().isoformat()
        chave = f"resumo:{usuario.id}:{data}"
        return _nota(usuario, chave, "resumo", texto, teclado=self._abrir(vencidos + abertos))

    # -- weekly stale list ----------------------------------------------------------------------
    async def parados(self) -> int:
        """Mondays: gestores get the open processos with no event for 7 days."""
        agora = self._agora()
        async with self._sessions() as session:
            devidos = await repo.na_hora_do_resumo(
                session, agora=agora, tipo="parados", prefixo="paradosdia", janela=JANELA_DO_RESUMO
            )
            segunda = [
                u for u, _ in devidos if agora.astimezone(ZoneInfo(u.fuso_horario)).weekday() == 0
            ]
            lista = []
            if segunda:
                lista = await repo.parados(session, antes_de=agora - PARADO_HA, limite=30)
        notas = []
        for gestor in segunda if lista else []:  # an empty list is not sent
            ano, semana, _ = agora.astimezone(ZoneInfo(gestor.fuso_horario)).isocalendar()
            texto = texts.processos_parados(lista, zona=gestor.fuso_horario, agora=agora)
            chave = f"parados:{gestor.id}:{ano}-{semana:02d}"
            abrir = self._abrir([p for p, _ in lista])
            notas.append(_nota(gestor, chave, "parados", texto, teclado=abrir))
        return await self._escrever(notas)

    # -- admins' health line --------------------------------------------------------------------
    async def saude(self) -> int:
        """Admins who opted in get one line a day, so silence is never mistaken for health."""
        agora = self._agora()
        async with self._sessions() as session:
            devidos = await repo.na_hora_do_resumo(
                session, agora=agora, tipo="saude", prefixo="saude", janela=JANELA_DO_RESUMO
            )
            notas = []
            for admin, _ in devidos:
                zona = ZoneInfo(admin.fuso_horario)
                hoje = datetime.combine(agora.astimezone(zona).date(), datetime.min.time(), zona)
                ontem = await repo.contagem(session, desde=hoje - timedelta(days=1), ate=hoje)
                ingestoes = await documentos.falhas_de_ingestao(
                    session, desde=hoje - timedelta(days=1), ate=hoje
                )
                texto = texts.saude_diaria(
                    no_ar_desde=self.no_ar_desde, enviadas=ontem.get("enviada", 0),
                    falhas=ontem.get("falhou", 0), descartadas=ontem.get("descartada", 0),
                    ingestoes_falhas=ingestoes, zona=admin.fuso_horario, agora=agora,
                )  # fmt: skip
                chave = f"saude:{admin.id}:{hoje.date().isoformat()}"
                notas.append(_nota(admin, chave, "saude", texto))
        return await self._escrever(notas)

    def _abrir(self, processos: list[Processo]) -> Teclado | None:
        """Buttons that open the processos, four a row."""
        if self._botoes is None:
            return None
        abrir = self._botoes.abrir_processo
        botoes = [(p.numero, abrir(p.id)) for p in processos[:BOTOES_MAX]]
        linhas = [teclado(botoes[i : i + 4]) for i in range(0, len(botoes), 4)]
        return [linha[0] for linha in linhas if linha] or None
