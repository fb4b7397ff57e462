"""`cogep ingest PATH…`: files and folders into the knowledge base, with a progress bar.

    coletar(caminhos)   the files to ingest (folders walked recursively) and what was skipped
                        (hidden files, unsupported types), counted by reason
    ingerir(...)        each file through the same pipeline as the chat's, a few at a time,
                        going on past a bad file; returns the `Resumo`
    Resumo              ingested, duplicates, failures with their reasons; `codigo_saida` is 1
                        when anything failed

A file is registered and processed in this process (no bot needs to run); a run killed midway
leaves `pendente`/`processando` rows that the bot (or the next run over the same files, which
reports them as duplicates once stored) resumes.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.conhecimento.extracao import tipo_de
from bot.conhecimento.ingestao import ResultadoDaIngestao
from bot.conhecimento.servico import ConhecimentoService
from bot.texts import contagem
from db.models import Usuario

OCULTO = "ocultos"
NAO_SUPORTADO = "tipo não suportado"


@dataclass
class Resumo:
    """What a batch did."""

    prontos: list[tuple[Path, ResultadoDaIngestao]] = field(default_factory=list)
    duplicados: list[tuple[Path, ResultadoDaIngestao]] = field(default_factory=list)
    falhas: list[tuple[Path, str]] = field(default_factory=list)
    ignorados: Counter[str] = field(default_factory=Counter)

    @property
    def codigo_saida(self) -> int:
        """0 when nothing failed, 1 otherwise (duplicates and skipped files are not failures)."""
        return 1 if self.falhas else 0


def coletar(caminhos: Iterable[Path]) -> tuple[list[Path], Counter[str], list[Path]]:
    """(files to ingest, skipped by reason, paths that do not exist)."""
    arquivos: list[Path] = []
    ignorados: Counter[str] = Counter()
    ausentes: list[Path] = []
    for caminho in caminhos:
        if not caminho.exists():
            ausentes.append(caminho)
            continue
        candidatos = (
            sorted(p for p in caminho.rglob("*") if p.is_file()) if caminho.is_dir() else [caminho]
        )
        for arquivo in candidatos:
            relativo = arquivo.relative_to(caminho) if caminho.is_dir() else Path(arquivo.name)
            if any(parte.startswith(".") for parte in relativo.parts):
                ignorados[OCULTO] += 1
            elif tipo_de(arquivo.name) is None:
                ignorados[NAO_SUPORTADO] += 1
            else:
                arquivos.append(arquivo.resolve())
    return list(dict.fromkeys(arquivos)), ignorados, ausentes


async def ingerir(
    servico: ConhecimentoService,
    arquivos: list[Path],
    *,
    dono: Usuario | None,
    privado: bool,
    console: Console,
    paralelo: int = 2,
) -> Resumo:
    """Ingest `arquivos`, `paralelo` at a time, with a progress bar on `console`."""
    resumo = Resumo()
    vagas = asyncio.Semaphore(paralelo)
    colunas = (
        TextColumn("[bold]Ingerindo"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[atual]}"),
    )
    with Progress(*colunas, console=console, transient=False) as progresso:
        tarefa = progresso.add_task("ingest", total=len(arquivos), atual="")

        async def um(arquivo: Path) -> None:
            async with vagas:
                progresso.update(tarefa, atual=arquivo.name)
                doc = await servico.registrar_arquivo(arquivo, dono=dono, privado=privado)
                resultado = await servico.processar(doc.id)
                if resultado is None or resultado.desfecho == "falhou":
                    motivo = resultado.motivo if resultado else "outro processo o está lendo."
                    resumo.falhas.append((arquivo, motivo or ""))
                elif resultado.desfecho == "duplicado":
                    resumo.duplicados.append((arquivo, resultado))
                else:
                    resumo.prontos.append((arquivo, resultado))
                progresso.advance(tarefa)

        await asyncio.gather(*(um(a) for a in arquivos))
        progresso.update(tarefa, atual="")
    return resumo


def imprimir(resumo: Resumo, console: Console) -> None:
    """The summary at the end of a batch."""
    trechos = sum(r.trechos for _, r in resumo.prontos)
    motivos = ", ".join(
        f"{n} oculto" if (motivo, n) == (OCULTO, 1) else f"{n} {motivo}"
        for motivo, n in sorted(resumo.ignorados.items())
    )
    console.print(
        f"[green]Ingeridos: {len(resumo.prontos)}[/] ({contagem(trechos, 'trecho', 'trechos')}) · "
        f"Duplicados: {len(resumo.duplicados)} · "
        f"[red]Falharam: {len(resumo.falhas)}[/] · "
        f"Ignorados: {sum(resumo.ignorados.values())}" + (f" ({motivos})" if motivos else ""),
        highlight=False,
    )
    for arquivo, resultado in resumo.duplicados:
        console.print(f"  = {arquivo}: {resultado.motivo}", highlight=False, markup=False)
    for arquivo, motivo in resumo.falhas:
        console.print(f"  ✗ {arquivo}: {motivo}", highlight=False, markup=False, style="red")
