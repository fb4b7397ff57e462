"""Per-person flood control: about one update a second with a small burst; the excess is
dropped, and the person is told once.

Why: every update costs a turn of the database pool (and a question, a model call). One person
pasting fifty messages, or a script, would otherwise queue fifty turns; the team still gets
served (`bot.ordering` keeps people apart), but the pool and the model do not have to pay.

A token bucket per Telegram user: `rajada` tokens, refilled at `por_segundo`. An update counts
at the time it was *sent* (Telegram's `date`) when it has one, not when it arrived: a backlog
delivered at once after a restart, or replayed from the inbox, was typed at a human pace and is
no flood. Button presses (no date) count when they arrive. The items of an album share the
fate of its first item. The warning goes once per flood: not again until the person has been
quiet long enough to fill the bucket again.

No Telegram here: `bot.ordering` reads the update's plain values, asks `admitir`, and sends
the warning (`texts.ENXURRADA_PLAIN`).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass

PODAR_A_CADA = 1000  # updates between sweeps of the buckets that are full again


class Veredito(enum.Enum):
    """What to do with an update."""

    PASSA = "passa"
    AVISAR = "avisar"  # drop it, and warn the person (the first drop of a flood)
    DESCARTAR = "descartar"  # drop it quietly (already warned)


@dataclass
class _Balde:
    fichas: float
    visto: float  # the latest time counted
    avisado: bool = False
    album: tuple[str, bool] | None = None  # the last album seen, and whether it passed


class Enxurrada:
    """The buckets of everyone who wrote recently (in this process)."""

    def __init__(
        self,
        *,
        por_segundo: float,
        rajada: int,
        agora: Callable[[], float] = time.time,
    ) -> None:
        self.por_segundo = por_segundo
        self.rajada = rajada
        self._agora = agora
        self._baldes: dict[int, _Balde] = {}
        self._contagem = 0

    @property
    def ligada(self) -> bool:
        """Whether updates are counted at all (COGEP_FLOOD_POR_SEGUNDO > 0)."""
        return self.por_segundo > 0

    def admitir(
        self, usuario: int, *, enviado_em: float | None = None, album: str | None = None
    ) -> Veredito:
        """Count one update of `usuario`, sent at `enviado_em` (epoch seconds; None: now)."""
        if not self.ligada:
            return Veredito.PASSA
        agora = self._agora()
        quando = enviado_em if enviado_em is not None else agora
        balde = self._encher(usuario, quando)
        self._podar_se_for_hora(agora)
        if album is not None and balde.album is not None and balde.album[0] == album:
            return Veredito.PASSA if balde.album[1] else Veredito.DESCARTAR
        passou = balde.fichas >= 1
        if album is not None:
            balde.album = (album, passou)
        if passou:
            balde.fichas -= 1
            return Veredito.PASSA
        if balde.avisado:
            return Veredito.DESCARTAR
        balde.avisado = True
        return Veredito.AVISAR

    def _encher(self, usuario: int, quando: float) -> _Balde:
        balde = self._baldes.get(usuario)
        if balde is None:
            balde = self._baldes[usuario] = _Balde(fichas=self.rajada, visto=quando)
            return balde
        passou = max(0.0, quando - balde.visto)
        balde.fichas = min(float(self.rajada), balde.fichas + passou * self.por_segundo)
        balde.visto = max(balde.visto, quando)
        if balde.fichas >= self.rajada:  # quiet long enough: a new flood is warned again
            balde.avisado = False
        return balde

    def _podar_se_for_hora(self, agora: float) -> None:
        self._contagem += 1
        if self._contagem % PODAR_A_CADA:
            return
        cheio = self.rajada / self.por_segundo
        for usuario in [u for u, b in self._baldes.items() if agora - b.visto >= cheio]:
            del self._baldes[usuario]
