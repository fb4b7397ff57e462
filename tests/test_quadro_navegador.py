"""The board in a real browser: Debian's Chromium, driven by Playwright, opens /app/ as Telegram
would (with signed initData), shows the columns, and a card dragged to another column changes
the processo's status in PostgreSQL, with its history event.

Telegram's telegram-web-app.js cannot be fetched here: its URL is routed to a small stand-in
that provides `window.Telegram.WebApp` with the test's initData and theme. Set QUADRO_SCREENSHOT
to a path to keep the board's screenshot (docs/quadro.png was made so).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from db.models import Processo
from tests import test_quadro_api as rig
from tests.test_quadro_api import Equipe, Quadro

quadro, equipe = rig.quadro, rig.equipe  # the API tests' fixtures: the board and its team

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TELEGRAM_JS = "https://telegram.org/js/telegram-web-app.js"
TEMA = {
    "bg_color": "#ffffff", "secondary_bg_color": "#eef1f5", "text_color": "#1b1d22",
    "hint_color": "#7b8089", "link_color": "#2a7ae2", "button_color": "#2a7ae2",
    "button_text_color": "#ffffff", "destructive_text_color": "#d93a3a",
}  # fmt: skip

try:
    from playwright.async_api import Browser, Page, async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None  # type: ignore[assignment]

pytestmark = pytest.mark.skipif(
    async_playwright is None or not Path(CHROMIUM).exists(),
    reason="needs playwright (pip install -e '.[dev]') and Debian's chromium "
    "(apt-get install chromium); .ci/run installs both",
)


def telegram_stub(init_data: str) -> str:
    """A stand-in for telegram-web-app.js: the WebApp object the page uses, recording calls."""
    import json

    return f"""
    window.__telegram = {{ back: [], main: [], confirmacoes: [] }};
    window.Telegram = {{ WebApp: {{
      initData: {json.dumps(init_data)},
      themeParams: {json.dumps(TEMA)},
      ready() {{}}, expand() {{}}, onEvent() {{}},
      BackButton: {{ show() {{ __telegram.back.push("show"); }}, hide() {{ __telegram.back.push("hide"); }},
                     onClick(f) {{ __telegram.voltar = f; }} }},
      MainButton: {{ setText(t) {{ __telegram.main.push(t); }}, show() {{}}, hide() {{}},
                     onClick(f) {{ __telegram.principal = f; }}, offClick() {{}} }},
      HapticFeedback: {{ notificationOccurred() {{}} }},
      showConfirm(texto, f) {{ __telegram.confirmacoes.push(texto); f(true); }},
    }} }};
    """  # noqa: E501


@pytest.fixture(scope="module")
async def navegador() -> AsyncIterator[Browser]:
    assert async_playwright is not None
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


async def abrir_quadro(
    navegador: Browser, quadro: Quadro, quem: Any, *, largura: int = 1280, altura: int = 520
) -> Page:
    contexto = await navegador.new_context(
        viewport={"width": largura, "height": altura}, locale="pt-BR"
    )
    page = await contexto.new_page()
    stub = telegram_stub(quadro.init_data(quem))
    await page.route(
        TELEGRAM_JS,
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=stub),
    )
    await page.goto(quadro.base_url)
    return page


async def status_de(quadro: Quadro, processo_id: int) -> str:
    async with quadro.database.sessions() as session:
        status = await session.scalar(select(Processo.status).where(Processo.id == processo_id))
    assert status is not None
    return status


@pytest.fixture
async def quadro_cheio(quadro: Quadro, equipe: Equipe) -> Equipe:
    """A few more processos, so the board looks like a team's."""
    gil, ana, bruno = equipe.gil, equipe.ana, equipe.bruno
    feito = await quadro.abrir(ana, "Atualizar licenças do Office", prioridade="baixa")
    await quadro.services.processos.mudar_status(gil, feito.id, "em_andamento")
    await quadro.services.processos.mudar_status(gil, feito.id, "concluido")
    espera = await quadro.abrir(bruno, "Orçamento de notebooks novos", prioridade="alta")
    await quadro.services.processos.mudar_status(bruno, espera.id, "em_andamento")
    await quadro.services.processos.mudar_status(bruno, espera.id, "aguardando")
    andando = await quadro.abrir(gil, "Integração com a API de pagamentos", prioridade="urgente")
    await quadro.services.processos.atribuir(gil, andando.id, ana.id)
    await quadro.services.processos.mudar_status(gil, andando.id, "em_andamento")
    async with quadro.database.sessions.begin() as session:  # one is late
        await session.execute(
            update(Processo)
            .where(Processo.id == equipe.p2.id)
            .values(prazo=datetime.now(UTC) - timedelta(days=2))
        )
    return equipe


async def test_a_gestor_drags_a_card_to_em_andamento_and_the_database_follows(
    navegador: Browser,
    quadro: Quadro,
    quadro_cheio: Equipe,
) -> None:
    equipe = quadro_cheio
    page = await abrir_quadro(navegador, quadro, equipe.gil)
    cartao = page.locator(f".cartao[data-id='{equipe.p1.id}']")
    await cartao.wait_for()

    aberto = page.locator(".coluna[data-status='aberto']")
    assert await aberto.locator(".cartao").count() == 2
    atrasado = page.locator(f".cartao[data-id='{equipe.p2.id}'] .atrasado")
    assert "⚠️" in await atrasado.inner_text()  # the late one is flagged in red
    fundo = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert fundo == "rgb(238, 241, 245)"  # the theme's secondary_bg_color
    screenshot = await page.screenshot(path=os.environ.get("QUADRO_SCREENSHOT") or None)
    assert len(screenshot) > 10_000

    await cartao.drag_to(page.locator(".coluna[data-status='em_andamento']"))

    await page.locator(".mensagem", has_text="agora está em").wait_for()
    assert await status_de(quadro, equipe.p1.id) == "em_andamento"
    assert (await quadro.eventos(equipe.p1.id))[-1] == ("status", "em_andamento", equipe.gil.id)
    movido = page.locator(f".coluna[data-status='em_andamento'] .cartao[data-id='{equipe.p1.id}']")
    await movido.wait_for()
    await page.context.close()


async def test_an_illegal_drop_is_refused_in_the_page_and_changes_nothing(
    navegador: Browser,
    quadro: Quadro,
    equipe: Equipe,
) -> None:
    page = await abrir_quadro(navegador, quadro, equipe.ana)
    cartao = page.locator(f".cartao[data-id='{equipe.p1.id}']")
    await cartao.wait_for()
    antes = await quadro.retrato()

    await cartao.drag_to(page.locator(".coluna[data-status='concluido']"))

    await page.locator(".mensagem", has_text="Não dá para passar").wait_for()
    assert await quadro.retrato() == antes
    await page.context.close()


async def test_on_a_phone_a_tap_opens_the_card_and_cancelling_asks_first(
    navegador: Browser,
    quadro: Quadro,
    equipe: Equipe,
) -> None:
    page = await abrir_quadro(navegador, quadro, equipe.ana, largura=390, altura=760)
    cartao = page.locator(f".cartao[data-id='{equipe.p1.id}']")
    await cartao.click()

    ficha = page.locator("#ficha")
    await ficha.get_by_text("Migrar servidor de e-mail").wait_for()
    assert "Ana abriu o processo" in await ficha.inner_text()
    assert await page.evaluate("__telegram.back.at(-1)") == "show"
    largura = await page.evaluate("document.documentElement.scrollWidth")
    assert largura <= 390  # nothing spills sideways on a phone

    await ficha.get_by_role("button", name="cancelado").click()

    await ficha.locator("dd", has_text="cancelado").wait_for()
    assert await page.evaluate("__telegram.confirmacoes.length") == 1
    assert await status_de(quadro, equipe.p1.id) == "cancelado"
    await page.context.close()


async def test_the_reminders_tab_lists_and_creates_reminders(
    navegador: Browser,
    quadro: Quadro,
    equipe: Equipe,
) -> None:
    await quadro.services.lembretes.criar_de_texto(equipe.ana, "amanhã 9h revisar o contrato")
    page = await abrir_quadro(navegador, quadro, equipe.ana, largura=390, altura=760)
    await page.locator(f".cartao[data-id='{equipe.p1.id}']").wait_for()

    await page.get_by_role("tab", name="Lembretes").click()
    await page.get_by_text("revisar o contrato").wait_for()
    await page.fill("#texto-lembrete", "sexta 10h ligar para a Marta")
    await page.get_by_role("button", name="Lembrar").click()

    await page.get_by_text("ligar para a Marta").wait_for()
    textos = [item.texto for item in await quadro.services.lembretes.listar(equipe.ana)]
    assert sorted(textos) == ["ligar para a Marta", "revisar o contrato"]
    await page.context.close()
