"""Tests for bot.dates: pt-BR parsing of prazos/lembretes and their short rendering.

Every case injects `now`; none reads the real clock (test_real_clock_is_never_read proves it).
"""

from __future__ import annotations

import time as perf
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.calendario import Calendario, ler_expediente
from bot.dates import format_when, parse_when, split_when

SP = "America/Sao_Paulo"
LIS = "Europe/Lisbon"


def sp(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime in São Paulo."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(SP))


def lis(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime in Lisbon (wall time; fold=0)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(LIS))


def assert_same(result: datetime | None, expected: datetime, tz: str) -> None:
    """Same instant, same wall time, and expressed in the user's zone."""
    assert result is not None
    assert result == expected
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert result.utcoffset() == expected.utcoffset()
    assert isinstance(result.tzinfo, ZoneInfo)
    assert result.tzinfo.key == tz


WED = sp(2026, 11, 25, 10, 0)  # Wednesday morning
FRI_NIGHT = sp(2026, 11, 27, 23, 30)  # Friday, late
MON = sp(2026, 11, 30, 10, 0)  # Monday morning
NEW_YEARS_EVE = sp(2026, 12, 31, 20, 0)  # Thursday night, year boundary


WED_CASES = [
    # relative days, with and without a time
    ("amanhã", sp(2026, 11, 26)),
    ("amanhã 9h", sp(2026, 11, 26, 9)),
    ("amanha às 9h30", sp(2026, 11, 26, 9, 30)),
    ("amanhã 9:30", sp(2026, 11, 26, 9, 30)),
    ("amanhã 09h30min", sp(2026, 11, 26, 9, 30)),
    ("amanhã às 9", sp(2026, 11, 26, 9)),
    ("amanhã 3 da tarde", sp(2026, 11, 26, 15)),
    ("amanhã 8 da noite", sp(2026, 11, 26, 20)),
    ("amanhã de manhã", sp(2026, 11, 26, 9)),
    ("hoje à noite", sp(2026, 11, 25, 19)),
    ("hoje 17h", sp(2026, 11, 25, 17)),
    ("hoje às 17:30", sp(2026, 11, 25, 17, 30)),
    ("depois de amanhã", sp(2026, 11, 27)),
    ("depois de amanha 10h", sp(2026, 11, 27, 10)),
    # time alone: the next time the clock shows it
    ("17h", sp(2026, 11, 25, 17)),
    ("9h", sp(2026, 11, 26, 9)),
    ("meio-dia", sp(2026, 11, 25, 12)),
    ("meio dia", sp(2026, 11, 25, 12)),
    ("meia-noite", sp(2026, 11, 26, 0)),
    ("amanhã meio-dia", sp(2026, 11, 26, 12)),
    ("amanhã ao meio-dia", sp(2026, 11, 26, 12)),
    # durations: hours/minutes are exact, days and longer land on default_time
    ("em 2 horas", sp(2026, 11, 25, 12)),
    ("em 2h", sp(2026, 11, 25, 12)),
    ("em 30 minutos", sp(2026, 11, 25, 10, 30)),
    ("em meia hora", sp(2026, 11, 25, 10, 30)),
    ("daqui a uma hora", sp(2026, 11, 25, 11)),
    ("daqui a 3 dias", sp(2026, 11, 28)),
    ("em 3 dias", sp(2026, 11, 28)),
    ("em 3 dias às 14h", sp(2026, 11, 28, 14)),
    ("daqui a duas semanas", sp(2026, 12, 9)),
    ("em 1 mês", sp(2026, 12, 25)),
    # numeric dates: always day first
    ("30/11", sp(2026, 11, 30)),
    ("30/11 14:00", sp(2026, 11, 30, 14)),
    ("30/11/2026 14h", sp(2026, 11, 30, 14)),
    ("25/12/2026", sp(2026, 12, 25)),
    ("25/12/26", sp(2026, 12, 25)),
    ("5/1", sp(2027, 1, 5)),
    ("01/12", sp(2026, 12, 1)),
    ("30.11", sp(2026, 11, 30)),
    ("20/11", sp(2026, 11, 20)),  # five days back: that day, which the caller says has passed
    ("25/09", sp(2026, 9, 25)),  # two months back: still a slip, not next September
    ("20/08", sp(2027, 8, 20)),  # three months back: next year
    ("25/11", sp(2026, 11, 25)),  # today stays today (the moment may be past)
    ("2026-12-01 10:00", sp(2026, 12, 1, 10)),
    ("2026-12-01T10:00", sp(2026, 12, 1, 10)),
    ("2026-12-01", sp(2026, 12, 1)),
    ("25 de dezembro", sp(2026, 12, 25)),
    ("1º de dezembro às 14h", sp(2026, 12, 1, 14)),
    ("dia 30", sp(2026, 11, 30)),
    ("dia 5", sp(2026, 12, 5)),
    ("dia 31", sp(2026, 12, 31)),  # November has no 31st
    # weekdays
    ("sexta 18h", sp(2026, 11, 27, 18)),
    ("sexta-feira", sp(2026, 11, 27)),
    ("sexta feira", sp(2026, 11, 27)),
    ("sexta, 18h", sp(2026, 11, 27, 18)),
    ("18h de sexta", sp(2026, 11, 27, 18)),
    ("sábado", sp(2026, 11, 28)),
    ("sabado", sp(2026, 11, 28)),
    ("domingo", sp(2026, 11, 29)),
    ("ter 14h", sp(2026, 12, 1, 14)),
    ("sex 27/11 18:00", sp(2026, 11, 27, 18)),  # format_when's own output reads back
    ("quarta", sp(2026, 12, 2)),  # today, but 09:00 already passed
    ("quarta 9h", sp(2026, 12, 2, 9)),
    ("quarta 18h", sp(2026, 11, 25, 18)),  # today, still ahead
    ("próxima quarta", sp(2026, 12, 2)),
    ("quarta que vem 18h", sp(2026, 12, 2, 18)),
    ("próxima segunda", sp(2026, 11, 30)),
    ("segunda que vem", sp(2026, 11, 30)),
    ("semana que vem", sp(2026, 11, 30)),
    ("próxima semana", sp(2026, 11, 30)),
    ("na próxima sexta-feira às 18h30", sp(2026, 11, 27, 18, 30)),
    ("até sexta", sp(2026, 11, 27)),
    ("para amanhã", sp(2026, 11, 26)),
    # end of month: 18:00 (end of the working day) unless a time is given
    ("fim do mês", sp(2026, 11, 30, 18)),
    ("fim do mes", sp(2026, 11, 30, 18)),
    ("final do mês", sp(2026, 11, 30, 18)),
    ("no fim do mês 12h", sp(2026, 11, 30, 12)),
    # shouting and missing accents
    ("AMANHA 9H", sp(2026, 11, 26, 9)),
    ("Amanhã Às 9H30", sp(2026, 11, 26, 9, 30)),
    ("HOJE 17H", sp(2026, 11, 25, 17)),
    ("DEPOIS DE AMANHA", sp(2026, 11, 27)),
    ("PROXIMA SEGUNDA", sp(2026, 11, 30)),
    ("FIM DO MES", sp(2026, 11, 30, 18)),
    ("  amanhã   9h  ", sp(2026, 11, 26, 9)),
    # the past is returned, not refused: the caller says "está no passado"
    ("ontem", sp(2026, 11, 24)),
    ("ontem 15h", sp(2026, 11, 24, 15)),
    ("anteontem", sp(2026, 11, 23)),
    ("hoje 8h", sp(2026, 11, 25, 8)),
]


@pytest.mark.parametrize(("text", "expected"), WED_CASES)
def test_parse_on_wednesday_morning(text: str, expected: datetime) -> None:
    assert_same(parse_when(text, now=WED, tz=SP), expected, SP)


FRI_NIGHT_CASES = [
    ("sexta", sp(2026, 12, 4)),
    ("sexta 23:45", sp(2026, 11, 27, 23, 45)),
    ("hoje 23:45", sp(2026, 11, 27, 23, 45)),
    ("amanhã", sp(2026, 11, 28)),
    ("amanhã 9h", sp(2026, 11, 28, 9)),
    ("sábado", sp(2026, 11, 28)),
    ("segunda", sp(2026, 11, 30)),
    ("semana que vem", sp(2026, 11, 30)),
    ("depois de amanhã", sp(2026, 11, 29)),
    ("em 2 horas", sp(2026, 11, 28, 1, 30)),
    ("em 3 dias", sp(2026, 11, 30)),
    ("17h", sp(2026, 11, 28, 17)),
    ("fim do mês", sp(2026, 11, 30, 18)),
]


@pytest.mark.parametrize(("text", "expected"), FRI_NIGHT_CASES)
def test_parse_late_on_friday_night(text: str, expected: datetime) -> None:
    assert_same(parse_when(text, now=FRI_NIGHT, tz=SP), expected, SP)


MONDAY_CASES = [
    ("segunda 18h", sp(2026, 11, 30, 18)),  # today, still ahead
    ("segunda", sp(2026, 12, 7)),  # today's 09:00 passed
    ("próxima segunda", sp(2026, 12, 7)),
    ("segunda que vem", sp(2026, 12, 7)),
    ("semana que vem", sp(2026, 12, 7)),
    ("fim do mês", sp(2026, 11, 30, 18)),
]


@pytest.mark.parametrize(("text", "expected"), MONDAY_CASES)
def test_parse_on_monday_morning(text: str, expected: datetime) -> None:
    assert_same(parse_when(text, now=MON, tz=SP), expected, SP)


YEAR_END_CASES = [
    ("amanhã", sp(2027, 1, 1)),
    ("amanhã 10h", sp(2027, 1, 1, 10)),
    ("05/01", sp(2027, 1, 5)),
    ("05/01 14h", sp(2027, 1, 5, 14)),
    ("30/12", sp(2026, 12, 30)),  # yesterday: past, not next December
    ("30/09", sp(2027, 9, 30)),  # three months back: next year
    ("31/12", sp(2026, 12, 31)),  # today: same day, moment already past
    ("dia 5", sp(2027, 1, 5)),
    ("semana que vem", sp(2027, 1, 4)),
    ("sexta", sp(2027, 1, 1)),
    ("em 2 horas", sp(2026, 12, 31, 22)),
    ("em 3 dias", sp(2027, 1, 3)),
    ("em 1 mês", sp(2027, 1, 31)),
    ("fim do mês", sp(2026, 12, 31, 18)),
    ("25 de dezembro", sp(2026, 12, 25)),  # last week
]


def test_a_recent_day_of_last_december_is_that_day_in_january() -> None:
    assert_same(parse_when("20/12", now=sp(2027, 1, 15), tz=SP), sp(2026, 12, 20), SP)


@pytest.mark.parametrize(("text", "expected"), YEAR_END_CASES)
def test_parse_across_the_year_boundary(text: str, expected: datetime) -> None:
    assert_same(parse_when(text, now=NEW_YEARS_EVE, tz=SP), expected, SP)


GARBAGE = [
    "",
    "   ",
    "blablabla",
    "32/13",
    "31/11",
    "29/02",
    "00/10",
    "2026-13-01",
    "alta",
    "prioridade",
    "ligar",
    "ligar para o cliente",
    "9",
    "9 10",
    "hoje 9",
    "amanhã 25h",
    "amanhã 9h70",
    "amanhã 9h ligar",
    "ter",
    "dom",
    "ter certeza",
    "segunda vez",
    "em",
    "dia 32",
    "semana",
    "horas",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_is_not_a_date(text: str) -> None:
    assert parse_when(text, now=WED, tz=SP) is None


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("amanhã", time(8, 30), sp(2026, 11, 26, 8, 30)),
        ("sexta", time(18, 0), sp(2026, 11, 27, 18)),
        ("quarta", time(18, 0), sp(2026, 11, 25, 18)),  # today's 18:00 is still ahead
        ("30/11", time(14, 0), sp(2026, 11, 30, 14)),
        ("em 3 dias", time(7, 0), sp(2026, 11, 28, 7)),
        ("amanhã 10h", time(7, 0), sp(2026, 11, 26, 10)),  # an explicit time wins
        ("fim do mês", time(7, 0), sp(2026, 11, 30, 18)),
    ],
)
def test_default_time_applies_only_without_a_time(
    text: str, default: time, expected: datetime
) -> None:
    assert_same(parse_when(text, now=WED, tz=SP, default_time=default), expected, SP)


def test_now_in_another_zone_is_seen_from_the_users_zone() -> None:
    # 01:00 UTC on the 26th is still the 25th, 22:00, in São Paulo.
    now = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert_same(parse_when("amanhã", now=now, tz=SP), sp(2026, 11, 26), SP)
    assert_same(parse_when("hoje 23h", now=now, tz=SP), sp(2026, 11, 25, 23), SP)


def test_same_text_in_lisbon_uses_lisbon_days_and_hours() -> None:
    # WED (10:00 in São Paulo) is 13:00 in Lisbon.
    assert_same(parse_when("amanhã 9h", now=WED, tz=LIS), lis(2026, 11, 26, 9), LIS)
    assert_same(parse_when("em 2 horas", now=WED, tz=LIS), lis(2026, 11, 25, 15), LIS)
    assert_same(parse_when("12h", now=WED, tz=LIS), lis(2026, 11, 26, 12), LIS)


def test_sao_paulo_has_no_dst_on_the_old_changeover_night() -> None:
    # Until 2019 clocks jumped at 00:00 on the first Sunday of November; no longer.
    now = sp(2026, 10, 31, 10)
    result = parse_when("amanhã 0h", now=now, tz=SP)
    assert_same(result, sp(2026, 11, 1, 0), SP)
    assert result is not None
    assert result.utcoffset() == timedelta(hours=-3)


@pytest.mark.parametrize(
    ("now", "text", "expected", "offset"),
    [
        # spring forward: 2026-03-29 01:00 WET -> 02:00 WEST
        (lis(2026, 3, 28, 22), "amanhã 9h", lis(2026, 3, 29, 9), 1),
        (lis(2026, 3, 29, 0, 30), "em 2 horas", lis(2026, 3, 29, 3, 30), 1),  # real 2h
        (lis(2026, 3, 29, 0, 15), "hoje 1h30", lis(2026, 3, 29, 2, 30), 1),  # inside the gap
        # fall back: 2026-10-25 02:00 WEST -> 01:00 WET
        (lis(2026, 10, 24, 12), "amanhã 9h", lis(2026, 10, 25, 9), 0),
        (lis(2026, 10, 24, 12), "em 24 horas", lis(2026, 10, 25, 11), 0),  # real 24h
        (lis(2026, 10, 24, 12), "em 1 dia", lis(2026, 10, 25, 9), 0),
    ],
)
def test_lisbon_across_dst(now: datetime, text: str, expected: datetime, offset: int) -> None:
    result = parse_when(text, now=now, tz=LIS)
    assert result is not None
    assert result.utcoffset() == timedelta(hours=offset)
    assert result.astimezone(UTC) == expected.astimezone(UTC)
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None)


SPLIT_CASES = [
    ("amanhã 9h ligar para o cliente", sp(2026, 11, 26, 9), "ligar para o cliente"),
    ("/lembrar amanhã 9h ligar para o cliente", sp(2026, 11, 26, 9), "ligar para o cliente"),
    ("/lembrar@CogepBot sexta 18h deploy", sp(2026, 11, 27, 18), "deploy"),
    ("AMANHA 9H Ligar pro João", sp(2026, 11, 26, 9), "Ligar pro João"),
    ("amanhã às 9 ligar", sp(2026, 11, 26, 9), "ligar"),
    ("amanhã 9 pessoas na reunião", sp(2026, 11, 26, 9), "9 pessoas na reunião"),
    ("hoje alta prioridade corrigir login", sp(2026, 11, 25, 9), "alta prioridade corrigir login"),
    ("sexta 18h30 - deploy em produção", sp(2026, 11, 27, 18, 30), "deploy em produção"),
    ("em 2 horas revisar PR", sp(2026, 11, 25, 12), "revisar PR"),
    ("30/11, entregar relatório", sp(2026, 11, 30), "entregar relatório"),
    ("30/11 14:00 entregar relatório", sp(2026, 11, 30, 14), "entregar relatório"),
    (
        "segunda que vem 14h reunião de planejamento",
        sp(2026, 11, 30, 14),
        "reunião de planejamento",
    ),
    ("depois de amanhã enviar proposta", sp(2026, 11, 27), "enviar proposta"),
    ("daqui a 3 dias renovar certificado", sp(2026, 11, 28), "renovar certificado"),
    ("fim do mês fechar a folha", sp(2026, 11, 30, 18), "fechar a folha"),
    ("25/12/2026 ceia", sp(2026, 12, 25), "ceia"),
    ("amanhã", sp(2026, 11, 26), ""),
    ("amanhã\n9h\tligar  para o cliente", sp(2026, 11, 26, 9), "ligar  para o cliente"),
]


@pytest.mark.parametrize(("text", "expected", "rest"), SPLIT_CASES)
def test_split_when_takes_the_longest_leading_date(
    text: str, expected: datetime, rest: str
) -> None:
    result = split_when(text, now=WED, tz=SP)
    assert result is not None
    moment, remainder = result
    assert_same(moment, expected, SP)
    assert remainder == rest


@pytest.mark.parametrize(
    "text",
    ["ligar para o cliente", "", "   ", "/lembrar", "/lembrar ligar", "ter certeza de enviar"],
)
def test_split_when_without_a_leading_date(text: str) -> None:
    assert split_when(text, now=WED, tz=SP) is None


def test_split_when_honours_default_time() -> None:
    result = split_when("sexta revisar", now=WED, tz=SP, default_time=time(14, 0))
    assert result == (sp(2026, 11, 27, 14), "revisar")


FORMAT_CASES = [
    (WED, sp(2026, 11, 25, 18), "hoje 18:00"),
    (WED, sp(2026, 11, 26, 9), "amanhã 09:00"),
    (WED, sp(2026, 11, 27, 18), "sex 27/11 18:00"),
    (WED, sp(2026, 11, 28, 10, 5), "sáb 28/11 10:05"),
    (WED, sp(2026, 11, 29, 10), "dom 29/11 10:00"),
    (WED, sp(2026, 11, 30, 10), "seg 30/11 10:00"),
    (WED, sp(2026, 12, 1, 10), "ter 01/12 10:00"),
    (WED, sp(2026, 12, 2, 10), "qua 02/12 10:00"),
    (WED, sp(2026, 12, 3, 10), "qui 03/12 10:00"),
    (WED, sp(2026, 11, 24, 9), "ter 24/11 09:00"),  # past, same year
    (WED, sp(2027, 11, 30, 14), "30/11/2027 14:00"),
    (WED, sp(2025, 12, 1, 8), "01/12/2025 08:00"),
    (WED, datetime(2026, 11, 25, 21, 0, tzinfo=UTC), "hoje 18:00"),  # moment in UTC
    (datetime(2026, 11, 26, 1, 0, tzinfo=UTC), sp(2026, 11, 26, 9), "amanhã 09:00"),  # now in UTC
    (NEW_YEARS_EVE, sp(2027, 1, 1, 9), "amanhã 09:00"),
    (NEW_YEARS_EVE, sp(2027, 1, 5, 9), "05/01/2027 09:00"),
    (NEW_YEARS_EVE, sp(2026, 12, 31, 23, 59), "hoje 23:59"),
]


@pytest.mark.parametrize(("now", "moment", "expected"), FORMAT_CASES)
def test_format_when(now: datetime, moment: datetime, expected: str) -> None:
    assert format_when(moment, tz=SP, now=now) == expected


def test_format_when_renders_in_the_given_zone() -> None:
    # 18:00 in São Paulo is 21:00 in Lisbon.
    assert format_when(sp(2026, 11, 25, 18), tz=LIS, now=WED) == "hoje 21:00"


@pytest.mark.parametrize(
    "moment",
    [
        sp(2026, 11, 25, 18),
        sp(2026, 11, 26, 9),
        sp(2026, 11, 27, 18),
        sp(2026, 12, 24, 23, 59),
        sp(2027, 11, 30, 14),
    ],
)
def test_format_when_output_parses_back(moment: datetime) -> None:
    text = format_when(moment, tz=SP, now=WED)
    assert_same(parse_when(text, now=WED, tz=SP), moment, SP)


def test_real_clock_is_never_read() -> None:
    with time_machine.travel(datetime(2031, 6, 1, 12, 0, tzinfo=UTC), tick=False):
        assert_same(parse_when("amanhã", now=WED, tz=SP), sp(2026, 11, 26), SP)
        assert_same(parse_when("em 3 dias", now=WED, tz=SP), sp(2026, 11, 28), SP)
        assert_same(parse_when("30/11", now=WED, tz=SP), sp(2026, 11, 30), SP)
        assert format_when(sp(2026, 11, 26, 9), tz=SP, now=WED) == "amanhã 09:00"


def test_repeated_calls_are_fast() -> None:
    parse_when("amanhã 9h", now=WED, tz=SP)  # the first call loads dateparser's locale data
    texts = ["amanhã 9h", "30/11 14:00", "sexta 18h", "em 3 dias", "blablabla"]
    rounds = 40
    start = perf.perf_counter()
    for i in range(rounds):
        now = WED + timedelta(minutes=i)  # a new `now` each time, as in production
        for text in texts:
            parse_when(text, now=now, tz=SP)
    per_call = (perf.perf_counter() - start) / (rounds * len(texts))
    # Measured ~0.3 ms; the bound only catches a regression such as reloading locale data.
    assert per_call < 0.02


def test_naive_now_and_moment_are_wall_time_in_tz() -> None:
    naive_now = datetime(2026, 11, 25, 10, 0)
    assert_same(parse_when("amanhã 9h", now=naive_now, tz=LIS), lis(2026, 11, 26, 9), LIS)
    assert format_when(datetime(2026, 11, 26, 9, 0), tz=SP, now=naive_now) == "amanhã 09:00"


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("em 2 dias úteis", WED, sp(2026, 11, 27)),  # Wednesday + 2 business days: Friday
        ("em 3 dias uteis", WED, sp(2026, 11, 30)),  # over the weekend: Monday
        ("daqui a 1 dia útil", NEW_YEARS_EVE, sp(2027, 1, 4)),  # 1 Jan a holiday, then a weekend
        ("em 1 dia útil às 14h", sp(2026, 4, 2, 10), sp(2026, 4, 6, 14)),  # Good Friday skipped
    ],
)
def test_business_days_skip_weekends_and_national_holidays(
    text: str, now: datetime, expected: datetime
) -> None:
    assert_same(parse_when(text, now=now, tz=SP), expected, SP)


def test_a_state_holiday_counts_only_with_that_state() -> None:
    vespera = sp(2026, 7, 8, 10)  # 9 July: São Paulo's Revolução Constitucionalista

    nacional = parse_when("em 1 dia útil", now=vespera, tz=SP)
    paulista = parse_when("em 1 dia útil", now=vespera, tz=SP, calendario=Calendario("BR-SP"))

    assert_same(nacional, sp(2026, 7, 9), SP)
    assert_same(paulista, sp(2026, 7, 10), SP)


def test_business_days_lead_a_reminder() -> None:
    found = split_when("/lembrar em 2 dias úteis ligar pro cliente", now=WED, tz=SP)

    assert found is not None and found[1] == "ligar pro cliente"
    assert_same(found[0], sp(2026, 11, 27), SP)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("em 4 horas úteis", WED, sp(2026, 11, 25, 14)),
        ("em 10 horas uteis", WED, sp(2026, 11, 26, 11)),  # 8 h left today, 2 h tomorrow
        ("daqui a 2 horas úteis", FRI_NIGHT, sp(2026, 11, 30, 11)),  # after the weekend
        ("em 1 hora útil", sp(2026, 12, 24, 17, 30), sp(2026, 12, 28, 9, 30)),  # Christmas
    ],
)
def test_business_hours_count_only_the_working_hours(
    text: str, now: datetime, expected: datetime
) -> None:
    assert_same(parse_when(text, now=now, tz=SP), expected, SP)


def test_working_hours_are_read_from_the_setting() -> None:
    sabado = Calendario.de("BR", "seg-sab 08-12")

    assert ler_expediente("seg-sex 09-18") == ((0, 1, 2, 3, 4), 9, 18)
    assert ler_expediente("segunda a sexta") is None and ler_expediente("seg-sex 18-09") is None
    achado = parse_when("em 3 horas úteis", now=sp(2026, 11, 27, 11), tz=SP, calendario=sabado)
    assert_same(achado, sp(2026, 11, 28, 10), SP)  # Friday 11-12, then Saturday 08-10
