"""A kill -9 of the bot leaves no extraction process behind.

The bot's `Extrator` is started in a throwaway parent process; once its children (the
extraction process and multiprocessing's helpers) are up, the parent is killed with SIGKILL,
and every one of them must be gone within a few seconds, idle or in the middle of a document.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

RAIZ = Path(__file__).resolve().parent.parent
PAI = """
import asyncio, sys
from bot.conhecimento.extracao import Limites
from bot.conhecimento.processo import Extrator

async def main() -> None:
    extrator = Extrator()
    await extrator.aquecer()
    if sys.argv[1] == "ocupado":  # a long document, so the child is busy when the parent dies
        grande = ("palavra " * 200 + "\\n\\n").encode() * 12_000
        limites = Limites(bytes=len(grande) + 1, caracteres=10**9)
        lendo = extrator.ler(grande, nome="g.txt", mime=None, limites=limites, tempo=600)
        asyncio.ensure_future(lendo)
        await asyncio.sleep(0.5)
    print("pronto", flush=True)
    await asyncio.sleep(3600)

if __name__ == "__main__":
    asyncio.run(main())
"""


def vivos(processos: list[psutil.Process]) -> list[psutil.Process]:
    restantes = []
    for processo in processos:
        try:
            if processo.is_running() and processo.status() != psutil.STATUS_ZOMBIE:
                restantes.append(processo)
        except psutil.NoSuchProcess:
            continue
    return restantes


@pytest.mark.parametrize("estado", ["ocioso", "ocupado"])
def test_extraction_processes_die_with_a_bot_killed_by_sigkill(tmp_path: Path, estado: str) -> None:
    script = tmp_path / "pai.py"
    script.write_text(PAI)
    ambiente = {**os.environ, "PYTHONPATH": str(RAIZ)}
    pai = subprocess.Popen(
        [sys.executable, str(script), estado], stdout=subprocess.PIPE, env=ambiente, text=True
    )
    filhos: list[psutil.Process] = []
    try:
        assert pai.stdout is not None and pai.stdout.readline().strip() == "pronto"
        filhos = psutil.Process(pai.pid).children(recursive=True)
        assert filhos, "the extraction process was not started"

        os.kill(pai.pid, signal.SIGKILL)
        pai.wait(timeout=10)
        prazo = time.monotonic() + 5
        while vivos(filhos) and time.monotonic() < prazo:
            time.sleep(0.1)

        assert vivos(filhos) == []
    finally:
        if pai.poll() is None:
            pai.kill()
        for processo in vivos(filhos):  # a failed run leaves nothing behind either
            processo.kill()
