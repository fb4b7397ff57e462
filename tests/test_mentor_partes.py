"""The mentor's parts on their own: Markdown to Telegram-HTML, pacing, queues, splitting."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.database import Database
from bot.mentor.fila import Atendimento, Fila
from bot.mentor.formato import markdown_para_html
from bot.mentor.ritmo import Compasso, Devagar
from bot.render import split_html
from bot.saida.transmissao import dividir_markdown
from tests.fake_telegram import parse_html

CASOS = [
    "**negrito** e _itálico_ e ~~riscado~~ e `a<b && c>d`",
    "# Título\n\nTexto com [link](https://exemplo.com/?a=1&b=2) e [ruim](javascript:alert(1))",
    "- um\n- dois\n  - dois.um\n\n1. primeiro\n2. segundo",
    "```python\nif a < b and c > d:\n    print('&')\n```",
    "```sql\nSELECT * FROM t WHERE x < 3",  # a fence still being written
    "**negrito sem fim e `código sem fim",  # half-written while streaming
    "> citação\n> com **ênfase**\n\n---\n\n| a | b |\n|---|---|\n| 1 | <2> |",
    "<script>alert(1)</script> & &amp; &#x3C; <b>não é tag do modelo</b>",
]


@pytest.mark.parametrize("markdown", CASOS)
def test_any_markdown_becomes_html_that_telegram_parses(markdown: str) -> None:
    html = markdown_para_html(markdown)

    texto, _ = parse_html(html)  # raises like Telegram's "can't parse entities" would

    assert texto.strip()
    if "<script>" in markdown:
        assert "<script>" in texto  # the model's tags are shown as text, never obeyed


def test_markdown_keeps_its_meaning_as_entities() -> None:
    html = markdown_para_html("Use **filas** e `retry`.\n\n```python\nx = 1\n```")

    texto, entidades = parse_html(html)

    tipos = {(texto[e["offset"] : e["offset"] + e["length"]], e["type"]) for e in entidades}
    assert ("filas", "bold") in tipos and ("retry", "code") in tipos
    assert any(t == "pre" and "x = 1" in s for s, t in tipos)


def test_a_long_answer_splits_into_valid_parts() -> None:
    markdown = "\n\n".join(f"Parágrafo **{i}** com `código` & <coisas>." for i in range(400))

    partes = split_html(markdown_para_html(markdown))

    assert len(partes) > 2
    assert all(len(parse_html(p)[0]) <= 4096 for p in partes)


def test_rich_markdown_splits_at_blank_lines_and_reopens_a_cut_fence() -> None:
    markdown = "intro\n\n```\n" + "linha de código\n" * 400 + "```\n\nfim"

    partes = dividir_markdown(markdown, 1000)

    assert all(len(p) <= 1000 + 4 for p in partes)
    assert partes[0].startswith("intro") and partes[-1].endswith("fim")
    assert all(p.count("```") >= 1 for p in partes[1:-1])  # each middle part is still code


async def test_the_pacer_sends_the_newest_text_at_most_once_per_interval() -> None:
    enviados: list[tuple[float, str]] = []
    loop = asyncio.get_running_loop()

    async def enviar(texto: str) -> None:
        enviados.append((loop.time(), texto))

    compasso = Compasso(enviar, intervalo=0.1)
    for i in range(50):
        compasso.atualizar(f"texto {i}")
        await asyncio.sleep(0.01)
    await compasso.fechar()

    assert enviados[0][1] == "texto 0"  # the first piece goes out at once
    assert 4 <= len(enviados) <= 7  # 0.5 s at one per 0.1 s
    assert all(b[0] - a[0] >= 0.09 for a, b in itertools.pairwise(enviados))


async def test_a_429_slows_the_pacer_down_and_the_text_still_goes_out() -> None:
    tentativas: list[str] = []

    async def enviar(texto: str) -> None:
        tentativas.append(texto)
        if len(tentativas) == 1:
            raise Devagar(0.2)

    compasso = Compasso(enviar, intervalo=0.05)
    compasso.atualizar("primeiro")
    await asyncio.sleep(0.3)
    await compasso.fechar()

    assert tentativas == ["primeiro", "primeiro"]
    assert compasso.intervalo == 0.1  # doubled


async def test_one_persons_questions_run_in_order_and_nobody_waits_for_anyone_else(
    database: Database,
) -> None:
    fila = Fila(database.sessions, intervalo=0.01)
    ordem: list[str] = []
    liberar = asyncio.Event()
    parado = asyncio.Event()

    def trabalho(nome: str, *, espera: bool = False):
        async def rodar(atendimento: Atendimento) -> None:
            if espera:
                await liberar.wait()
                if atendimento.parar.is_set():
                    parado.set()
            ordem.append(nome)

        return rodar

    posicoes = [
        await fila.enfileirar((1, 1), trabalho("ana 1", espera=True)),
        await fila.enfileirar((1, 1), trabalho("ana 2")),
        await fila.enfileirar((2, 2), trabalho("bia 1")),
    ]
    await asyncio.sleep(0.05)
    antes = list(ordem)
    assert await fila.parar((1, 1))
    liberar.set()
    for _ in range(100):
        if len(ordem) == 3:
            break
        await asyncio.sleep(0.02)

    assert posicoes == [0, 1, 0]
    assert antes == ["bia 1"]
    assert ordem == ["bia 1", "ana 1", "ana 2"]
    assert parado.is_set()
    assert not await fila.parar((1, 1))
    await fila.fechar()
