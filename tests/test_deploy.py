"""The deployment files tell the truth: every setting documented, compose well-formed, the
troubleshooting lines the ones Cogep really prints."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from bot import texts
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("COGEP_DOMINIO",)  # read by docker compose (Caddy), not by Cogep


def _variaveis_do_exemplo() -> set[str]:
    linhas = (ROOT / ".env.example").read_text().splitlines()
    return {m.group(1) for linha in linhas if (m := re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", linha))}


def test_every_setting_is_documented_in_env_example() -> None:
    nomes = {(campo.alias or nome).upper() for nome, campo in Settings.model_fields.items()}
    documentadas = _variaveis_do_exemplo()
    assert nomes - documentadas == set(), "add them to .env.example"


def test_env_example_is_read_by_cogep_as_it_is(tmp_path: Path) -> None:
    """Uncommented, the example is a valid configuration (with a token filled in)."""
    exemplo = (
        (ROOT / ".env.example").read_text().replace("TELEGRAM_BOT_TOKEN=", "TELEGRAM_BOT_TOKEN=1:x")
    )
    env = tmp_path / ".env"
    env.write_text(exemplo)
    settings = Settings(_env_file=str(env))
    assert settings.telegram_bot_token is not None and settings.timezone == "America/Sao_Paulo"


def test_compose_runs_migrations_once_then_ready_checked_replicas() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    servicos = compose["services"]
    assert servicos["db"]["image"].startswith("pgvector/pgvector:")
    assert servicos["migrate"]["command"] == ["cogep", "migrate"]
    assert servicos["migrate"]["restart"] == "no"
    for nome in ("bot", "bot2"):
        bot = servicos[nome]
        assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "/readyz" in " ".join(bot["healthcheck"]["test"])
        assert bot["command"] == ["cogep", "run"]
    assert "profiles" not in servicos["bot"]
    assert servicos["bot2"]["profiles"] == ["replicas"] == servicos["proxy"]["profiles"]
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "bot:8443 bot2:8443" in caddy and "health_uri /readyz" in caddy


def test_the_systemd_unit_runs_the_bot_and_does_not_loop_on_a_bad_setting() -> None:
    unidade = (ROOT / "deploy" / "cogep.service").read_text()
    assert re.search(r"^ExecStart=\S+/cogep run$", unidade, re.MULTILINE)
    assert "RestartPreventExitStatus=2" in unidade and "KillSignal=SIGTERM" in unidade


def _literais() -> str:
    """Every string constant of bot/ and handlers/ (adjacent literals already joined)."""
    partes: list[str] = []
    for pasta in ("bot", "handlers"):
        for arquivo in (ROOT / pasta).rglob("*.py"):
            for no in ast.walk(ast.parse(arquivo.read_text())):
                if isinstance(no, ast.Constant) and isinstance(no.value, str):
                    partes.append(no.value)
    return "\n".join(partes)


def _linhas_do_troubleshooting() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    secao = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    blocos = re.findall(r"```text\n(.*?)```", secao, re.DOTALL)
    return [linha for bloco in blocos for linha in bloco.splitlines() if linha.strip()]


def test_troubleshooting_quotes_lines_cogep_really_prints() -> None:
    literais = _literais()
    compostas = {texts.falha_md(tipo) for tipo in ("recusado", "timeout", "servidor")}
    linhas = _linhas_do_troubleshooting()
    assert len(linhas) >= 10
    for linha in linhas:
        if linha in compostas:
            continue
        sem_prefixo = linha.removeprefix("cogep: ")  # the CLI's prefix (bot/cli.py)
        for parte in sem_prefixo.split("…"):  # `…` stands for what varies: a host, a reason
            if len(parte.strip()) >= 6:
                assert parte in literais, (linha, parte)
