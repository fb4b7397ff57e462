"""Time zones as people type them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.fusos import COMUNS, descrever, ler_fuso


@pytest.mark.parametrize(
    ("texto", "zona"),
    [
        ("America/Manaus", "America/Manaus"),
        ("america/manaus", "America/Manaus"),
        ("Manaus", "America/Manaus"),
        ("  são   paulo ", "America/Sao_Paulo"),
        ("Brasília", "America/Sao_Paulo"),
        ("horário de Brasília", "America/Sao_Paulo"),
        ("Lisboa", "Europe/Lisbon"),
        ("Tokyo", "Asia/Tokyo"),
        ("GMT-3", "Etc/GMT+3"),  # POSIX names invert the sign
        ("UTC+1", "Etc/GMT-1"),
        ("-03:00", "Etc/GMT+3"),
        ("GMT−3", "Etc/GMT+3"),  # a typographic minus, as phones type it
        ("utc", "UTC"),
        ("gmt+0", "UTC"),
        ("Etc/GMT-3", "Etc/GMT-3"),  # the full name means what it says
    ],
)
def test_what_people_type_becomes_a_zone(texto: str, zona: str) -> None:
    assert ler_fuso(texto) == zona


@pytest.mark.parametrize("texto", ["", "   ", "Marte/Olympus", "UTC+15", "xyz", "GMT-3x"])
def test_what_is_no_zone_is_refused(texto: str) -> None:
    assert ler_fuso(texto) is None


def test_every_button_is_a_real_zone() -> None:
    assert all(ler_fuso(zona) == zona for _, zona in COMUNS)


def test_zones_are_described_with_their_offset_at_that_moment() -> None:
    inverno_europeu = datetime(2026, 1, 15, 12, tzinfo=UTC)
    verao_europeu = datetime(2026, 7, 15, 12, tzinfo=UTC)

    assert descrever("America/Manaus", agora=inverno_europeu) == "America/Manaus (UTC−04:00)"
    assert descrever("Europe/Lisbon", agora=inverno_europeu) == "Europe/Lisbon (UTC+00:00)"
    assert descrever("Europe/Lisbon", agora=verao_europeu) == "Europe/Lisbon (UTC+01:00)"
    assert descrever("Etc/GMT+3") == "UTC−03:00"
    assert descrever("America/Sao_Paulo", agora=verao_europeu) == "America/Sao Paulo (UTC−03:00)"
