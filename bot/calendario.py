"""Business days and hours: the working days and hours of `COGEP_EXPEDIENTE` (default
`seg-sex 09-18`) but Brazil's holidays (national, and a state's too with `COGEP_FERIADOS=BR-SP`),
from the `holidays` package, computed offline.

`em 2 dias úteis` and `em 4 horas úteis` in any date field (`bot.dates`) count on it. A year's
holidays are built once per region (~0.1 s the first time, then a set lookup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

PADRAO = "BR"
EXPEDIENTE_PADRAO = "seg-sex 09-18"
DIAS = ("seg", "ter", "qua", "qui", "sex", "sab", "dom")
_EXPEDIENTE = re.compile(
    r"^\s*(?P<de>[a-z]{3})(?:\s*-\s*(?P<ate>[a-z]{3}))?\s+(?P<inicio>\d{1,2})(?::00)?h?"
    r"\s*-\s*(?P<fim>\d{1,2})(?::00)?h?\s*$"
)


def ler_expediente(texto: str) -> tuple[tuple[int, ...], int, int] | None:
    """`seg-sex 09-18` -> (weekdays, first hour, last hour); None when it does not read."""
    achado = _EXPEDIENTE.match(texto.strip().lower().replace("á", "a"))
    if achado is None or achado["de"] not in DIAS or (achado["ate"] or "seg") not in DIAS:
        return None
    de, ate = DIAS.index(achado["de"]), DIAS.index(achado["ate"] or achado["de"])
    inicio, fim = int(achado["inicio"]), int(achado["fim"])
    if de > ate or not 0 <= inicio < fim <= 24:
        return None
    return tuple(range(de, ate + 1)), inicio, fim


@lru_cache(maxsize=32)
def _feriados(regiao: str, ano: int) -> frozenset[date]:
    """The holidays of `regiao` ("BR" or "BR-SP") in `ano`."""
    pais, _, subdivisao = regiao.partition("-")
    return frozenset(holidays.country_holidays(pais, subdiv=subdivisao or None, years=ano))


def regiao_valida(regiao: str) -> bool:
    """Whether `holidays` knows the region (`BR`, `BR-SP`, ...)."""
    try:
        _feriados(regiao, 2026)
    except (NotImplementedError, KeyError):  # unknown country or subdivision
        return False
    return True


@dataclass(frozen=True)
class Calendario:
    """Which days are business days in one region."""

    regiao: str = PADRAO
    dias: tuple[int, ...] = (0, 1, 2, 3, 4)  # weekdays worked (0: Monday)
    inicio: int = 9  # the working hours, [inicio, fim)
    fim: int = 18

    @classmethod
    def de(cls, regiao: str, expediente: str) -> Calendario:
        """The calendar of a holiday region and an `expediente` such as `seg-sex 09-18`."""
        lido = ler_expediente(expediente)
        if lido is None:
            raise ValueError(f"expediente ilegível: {expediente!r}")
        dias, inicio, fim = lido
        return cls(regiao, dias, inicio, fim)

    def util(self, dia: date) -> bool:
        """A working day of the week, and not a holiday."""
        return dia.weekday() in self.dias and dia not in _feriados(self.regiao, dia.year)

    def somar_horas_uteis(self, momento: datetime, horas: float) -> datetime:
        """`momento` plus `horas` of working time (wall time in its zone; aware in, aware out)."""
        falta = timedelta(hours=horas)
        atual = momento
        while True:
            dia = atual.date()
            abre = datetime.combine(dia, time(self.inicio), tzinfo=atual.tzinfo)
            fecha = abre + timedelta(hours=self.fim - self.inicio)
            if not self.util(dia) or atual >= fecha:
                atual = datetime.combine(dia + timedelta(days=1), time(0), tzinfo=atual.tzinfo)
                continue
            atual = max(atual, abre)
            if atual + falta <= fecha:
                return atual + falta
            falta -= fecha - atual
            atual = fecha

    def somar_dias_uteis(self, dia: date, n: int) -> date:
        """The `n`-th business day after `dia` (`dia` itself does not count)."""
        while n > 0:
            dia += timedelta(days=1)
            n -= self.util(dia)
        return dia
