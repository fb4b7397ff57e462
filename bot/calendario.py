"""Business days: Monday to Friday but Brazil's holidays (national, and a state's or city's too
with `COGEP_FERIADOS=BR-SP`), from the `holidays` package, computed offline.

`em 2 dias úteis` in any date field (`bot.dates`) counts on it. A year's holidays are built
once per region (~0.1 s the first time, then a dict lookup).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

PADRAO = "BR"


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

    def util(self, dia: date) -> bool:
        """Monday to Friday, and not a holiday."""
        return dia.weekday() < 5 and dia not in _feriados(self.regiao, dia.year)

    def somar_dias_uteis(self, dia: date, n: int) -> date:
        """The `n`-th business day after `dia` (`dia` itself does not count)."""
        while n > 0:
            dia += timedelta(days=1)
            n -= self.util(dia)
        return dia
