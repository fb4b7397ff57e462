"""Soak: two replicas under 1,000 simulated users for a bounded time; does anything give way?

Goals (issue 20): unexpected errors 0, lost updates 0, duplicated updates 0, each replica's RSS
grows at most 10% from the end of the warm-up to the end of the run. Also printed: updates/s,
first-reaction latency p50/p99 (overall and per kind), database connections used.

    python -m bench.soak [--quick] [--duracao 180] [--usuarios 1000] [--replicas 2]
                         [--pausa 120] [--seed 7]
                         [--pasta DIR]

Method
------
* The rig of tests/test_replicas.py (`tests.replicas.Replicas`): `--replicas` real
  `cogep run` processes in webhook mode on one fresh database (`tests.throwaway`: the server of
  TEST_DATABASE_URL / DATABASE_URL, else the local one, else the embedded PostgreSQL), behind a
  round-robin proxy; the fake Bot API (tests/fake_telegram.py) pushes each update to the proxy,
  one at a time as Telegram does per bot; the mentor talks to the fake model
  (tests/fake_openai.py: an echo streamed in pieces). All on 127.0.0.1, bounded in time.
  Like Telegram (max_connections 40), the fake keeps up to 40 pushes in flight, one per chat;
  one at a time it capped the run near 50 updates/s and the wait for the push was the latency.
* Users: `--usuarios` private chats, each a closed loop: think (exponential, mean `--pausa`
  seconds: 120 keeps the replies well under Telegram's 30 messages/s per bot, which each
  replica's pacing enforces at 30 / replicas), act, wait for the bot's first reaction (at most
  30 s), repeat until `--duracao` is over. The first act is /start; then a weighted mix
  (`MISTURA`): /processos, /novo <unique title>, a button of the last /processos list, a
  question to the mentor, /lembrar amanhã 9h <unique text>, a small unique document, /buscar,
  /perfil, /ajuda.
* Latency of one act = queued at the fake -> the fake's arrival time (`Call.at`) of the bot's
  first call for that chat (a message, an edit, a draft, a chat action, or the
  answerCallbackQuery of that button). A mentor question's first reaction is its "thinking"
  draft; a document's is its "received" message.
* Lost: an update the inbox never stored or never finished, an act with no reaction in 30 s,
  or a unique /novo, /lembrar, question or document with no row. Duplicated: any of those with
  two rows (or a mentor answer twice). Unexpected errors: ERROR lines and tracebacks in the
  replicas' logs, proxy failures, Bot API calls the fake refused.
* RSS (VmRSS of each process) after start-up, after the warm-up (the first fifth of the run, at
  least 10 s: imports and caches fill once) and at the end; growth is end vs warm-up.
  Database connections: every second, pg_stat_activity rows of the run's database (the bench's
  own probe excluded); the maximum is printed.

Measured (2026-12-06, 180 s, 1,000 users, two replicas each paced at 15 messages/s, on 2 cores
shared with other sessions' test runs, load average 4-8):
* mean pause 120 s (the default): 11.3 updates/s and 12.0 messages/s after warm-up; first
  reaction p50 70 ms, p99 1.75 s (the wait for the push: p99 21 ms); lost 0, duplicated 0,
  unexpected errors 0; RSS 138 -> 143 MiB (+3.7%) and 135 -> 138 MiB (+2.0%), level for the last
  minute; database connections at most 8; CPU of the replicas 23 ms per update.
* mean pause 60 s: demand near Telegram's budget, and the replicas' pacing
  (`bot.notificacoes.ritmo`: a send holds its slot from its start until 1 s after its answer)
  delivered only 13.9 messages/s between them while their CPU sat at 18% of a core each: acts
  queued, first reaction p50 19 s, and 674 of 2,677 waited more than 30 s (each was answered
  later: no update lost, none doubled). Under 30 messages/s the bot is bound by that pacing
  when the Bot API answers slowly, not by its CPU or the database.
* Before the pacing existed (same rig, mean pause 30 s, about 30 updates/s): p50 0.2-1.3 s,
  p99 6-20 s with the machine at load 3-5, RSS +8% to +11% still rising slowly at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from db.engine import create_engine
from db.models import Documento, Lembrete, Mensagem, Processo, UpdateRecebido
from tests.fake_openai import FakeOpenAI, Resposta
from tests.fake_telegram import FakeTelegram
from tests.replicas import Replicas
from tests.throwaway import throwaway_database

PRIMEIRO_UPDATE = 700_000_001
BASE_DOS_USUARIOS = 8_000_000
CONEXOES_DO_WEBHOOK = 40  # Telegram's default max_connections: pushes in flight at once
REACAO_MAXIMA = 30.0  # seconds an act may wait for the bot's first reaction
AMOSTRA_RSS = 15.0  # seconds between RSS samples
REACOES = frozenset(
    {
        "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendMessageDraft",
        "sendRichMessageDraft", "sendRichMessage", "sendChatAction", "sendDocument",
    }
)  # fmt: skip
MISTURA = {
    "processos": 20,
    "novo": 14,
    "botao": 10,
    "mentor": 14,
    "lembrete": 10,
    "documento": 3,
    "buscar": 12,
    "perfil": 7,
    "ajuda": 10,
}


@dataclass
class Ato:
    """One act of one user, waiting for the bot's first reaction."""

    tipo: str
    chat_id: int
    t0: float
    consulta: str | None = None  # a button's callback_query id
    update_id: int = 0
    reacao: float = 0.0
    reagiu: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Carga:
    """The load generator: users, their acts, and what the bot answered."""

    tg: FakeTelegram
    rng: random.Random
    pausa: float
    fim: float = 0.0
    pendentes: dict[int, Ato] = field(default_factory=dict)  # chat id -> act
    por_consulta: dict[str, Ato] = field(default_factory=dict)
    latencias: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    enviados: Counter[str] = field(default_factory=Counter)
    sem_reacao: Counter[str] = field(default_factory=Counter)
    titulos: set[str] = field(default_factory=set)
    lembretes: set[str] = field(default_factory=set)
    perguntas: set[str] = field(default_factory=set)
    documentos: set[str] = field(default_factory=set)
    listas: dict[int, int] = field(default_factory=dict)  # chat id -> last /processos reply id
    chegadas: dict[int, float] | None = None  # update_id -> arrival at the proxy
    na_entrega: list[float] = field(default_factory=list)
    no_bot: list[float] = field(default_factory=list)
    _visto: int = 0

    async def observar(self) -> None:
        """Match the bot's calls to the acts waiting for them (by `Call.at`)."""
        while True:
            chamadas = self.tg.calls
            while self._visto < len(chamadas):
                chamada = chamadas[self._visto]
                self._visto += 1
                ato: Ato | None = None
                if chamada.method == "answerCallbackQuery":
                    ato = self.por_consulta.pop(str(chamada.params.get("callback_query_id")), None)
                elif chamada.method in REACOES:
                    chat = chamada.params.get("chat_id")
                    ato = self.pendentes.get(chat) if isinstance(chat, int) else None
                    if ato is not None and ato.consulta is not None:
                        ato = None  # a button waits for its own answer
                if ato is not None and not ato.reagiu.is_set() and chamada.at >= ato.t0:
                    self.latencias[ato.tipo].append(chamada.at - ato.t0)
                    ato.reacao = chamada.at
                    ato.reagiu.set()
            await asyncio.sleep(0.005)

    async def usuario(self, indice: int) -> None:
        """One person's loop: think, act, wait for the reaction, until the end."""
        user = self.tg.user(BASE_DOS_USUARIOS + indice, f"Pessoa {indice}")
        await asyncio.sleep(self.rng.uniform(0, self.pausa))
        await self._agir(user, "start", 0)
        n = 1
        while time.monotonic() < self.fim:
            pausa = self.rng.expovariate(1 / self.pausa)
            if time.monotonic() + pausa >= self.fim:
                break
            await asyncio.sleep(pausa)
            tipo = self.rng.choices(list(MISTURA), weights=list(MISTURA.values()))[0]
            await self._agir(user, tipo, n)
            n += 1

    async def _agir(self, user: dict[str, Any], tipo: str, n: int) -> None:
        chat = int(user["id"])
        marca = f"{chat}-{n}"
        ato = Ato(tipo, chat, time.monotonic())
        self.pendentes[chat] = ato
        if tipo == "start":
            self.tg.send_text(user, "/start")
        elif tipo == "processos":
            self.tg.send_text(user, "/processos")
        elif tipo == "novo":
            self.titulos.add(f"Soak {marca}")
            self.tg.send_text(user, f"/novo Soak {marca}")
        elif tipo == "botao" and (dados := self._botao(chat)) is not None:
            update = self.tg.press(user, dados[0], dados[1])
            ato.consulta = str(update["callback_query"]["id"])
            self.por_consulta[ato.consulta] = ato
        elif tipo == "mentor":
            self.perguntas.add(f"q{marca}")
            self.tg.send_text(user, f"Professor, como revisar este PR? q{marca}")
        elif tipo == "lembrete":
            self.lembretes.add(f"revisar soak {marca}")
            self.tg.send_text(user, f"/lembrar amanhã 9h revisar soak {marca}")
        elif tipo == "documento":
            nome = f"soak-{marca}.txt"
            self.documentos.add(nome)
            conteudo = f"Notas da equipe {marca}.\n\nRevisão de código e deploy.\n".encode()
            self.tg.send_document(user, nome, conteudo, mime_type="text/plain")
        elif tipo == "buscar":
            self.tg.send_text(user, "/buscar Soak")
        elif tipo == "perfil":
            self.tg.send_text(user, "/perfil")
        else:
            ato.tipo = "ajuda" if tipo == "ajuda" else "ajuda (no list yet)"
            self.tg.send_text(user, "/ajuda")
        self.enviados[ato.tipo] += 1
        ato.update_id = self.tg._next_update_id - 1
        try:
            await asyncio.wait_for(ato.reagiu.wait(), REACAO_MAXIMA)
        except TimeoutError:
            self.sem_reacao[ato.tipo] += 1
        finally:
            if self.pendentes.get(chat) is ato:
                del self.pendentes[chat]
            if ato.consulta is not None:
                self.por_consulta.pop(ato.consulta, None)
        self._dividir(ato)
        if tipo == "processos":
            self._lembrar_lista(chat, ato.t0)

    def _dividir(self, ato: Ato) -> None:
        """Where the act's time went: waiting at the Bot API for its push, then in the bot."""
        chegada = self.chegadas.get(ato.update_id) if self.chegadas is not None else None
        if chegada is not None and ato.reacao:
            self.na_entrega.append(chegada - ato.t0)
            self.no_bot.append(ato.reacao - chegada)

    def _lembrar_lista(self, chat: int, desde: float) -> None:
        for chamada in reversed(self.tg.calls[-400:]):
            if chamada.at < desde:
                break
            if (
                chamada.method == "sendMessage"
                and chamada.params.get("chat_id") == chat
                and isinstance(chamada.result, dict)
            ):
                self.listas[chat] = int(chamada.result["message_id"])
                return

    def _botao(self, chat: int) -> tuple[int, str] | None:
        """(message id, callback data) of the first button of the last /processos list."""
        mensagem_id = self.listas.get(chat)
        if mensagem_id is None:
            return None
        for mensagem in reversed(self.tg.chat_messages(chat)):
            if mensagem["message_id"] == mensagem_id:
                teclado = (mensagem.get("reply_markup") or {}).get("inline_keyboard") or []
                for linha in teclado:
                    for botao in linha:
                        if "callback_data" in botao:
                            return mensagem_id, str(botao["callback_data"])
                return None
        return None


def _envios(tg: FakeTelegram) -> int:
    """Messages the bot sent so far (what Telegram's 30/s counts; edits and drafts aside)."""
    return sum(
        1 for c in tg.calls if c.method in ("sendMessage", "sendRichMessage", "sendDocument")
    )


def _percentil(valores: list[float], p: float) -> float:
    if not valores:
        return float("nan")
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, int(p * len(ordenados)))]


async def _amostrar_rss(rig: Replicas, parar: asyncio.Event, serie: list[list[int]]) -> None:
    """Each replica's RSS every AMOSTRA_RSS seconds (is a growth a leak or a filling cache?)."""
    while not parar.is_set():
        serie.append([r.rss_kib() for r in rig.replicas])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(parar.wait(), AMOSTRA_RSS)


async def _conexoes(url: str, parar: asyncio.Event, maximo: list[int]) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            while not parar.is_set():
                usadas = await conn.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                maximo[0] = max(maximo[0], int(usadas or 0))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(parar.wait(), 1.0)
    finally:
        await engine.dispose()


async def _contagens(url: str, carga: Carga, ultimo_update: int) -> dict[str, tuple[int, int]]:
    """Per kind: (lost, duplicated)."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            inbox = dict(
                (
                    await conn.execute(
                        select(UpdateRecebido.update_id, UpdateRecebido.concluido_em).where(
                            UpdateRecebido.update_id >= PRIMEIRO_UPDATE
                        )
                    )
                ).all()
            )
            titulos = Counter(
                await conn.scalars(select(Processo.titulo).where(Processo.titulo.like("Soak %")))
            )
            lembretes = Counter(
                await conn.scalars(
                    select(Lembrete.texto).where(Lembrete.texto.like("revisar soak%"))
                )
            )
            respostas = list(
                await conn.scalars(select(Mensagem.texto).where(Mensagem.papel == "mentor"))
            )
            documentos: Counter[str] = Counter(
                n
                for n in await conn.scalars(
                    select(Documento.nome_arquivo).where(Documento.nome_arquivo.like("soak-%"))
                )
                if n is not None
            )
    finally:
        await engine.dispose()
    por_pergunta: Counter[str] = Counter()
    for resposta in respostas:
        for palavra in resposta.split():
            if palavra.startswith("q") and palavra.strip("?.,") in carga.perguntas:
                por_pergunta[palavra.strip("?.,")] += 1
                break

    def perdas(esperados: set[str], achados: Counter[str]) -> tuple[int, int]:
        return (
            len(esperados - set(achados)),
            sum(n - 1 for chave, n in achados.items() if n > 1 and chave in esperados),
        )

    gerados = range(PRIMEIRO_UPDATE, ultimo_update)
    nao_guardados = sum(1 for u in gerados if u not in inbox)
    nao_concluidos = sum(1 for u in gerados if u in inbox and inbox[u] is None)
    return {
        "updates (inbox)": (nao_guardados + nao_concluidos, 0),
        "sem reação em 30 s": (sum(carga.sem_reacao.values()), 0),
        "processos (/novo)": perdas(carga.titulos, titulos),
        "lembretes (/lembrar)": perdas(carga.lembretes, lembretes),
        "respostas do mentor": perdas(carga.perguntas, por_pergunta),
        "documentos": perdas(carga.documentos, documentos),
    }


async def soak(args: argparse.Namespace) -> int:
    """Run the soak; 0 when every goal is met."""
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="cogep-soak-") as pasta:
        trabalho = Path(args.pasta or pasta)
        async with (
            throwaway_database("cogep_soak", workdir=trabalho) as (url, onde),
            FakeTelegram(first_update_id=PRIMEIRO_UPDATE) as tg,
            FakeOpenAI() as ai,
        ):
            ai.padrao = _resposta_curta
            tg.webhook_concurrency = CONEXOES_DO_WEBHOOK
            print(f"soak: {args.replicas} replicas, {args.usuarios} users, {args.duracao:.0f} s, "
                  f"mean pause {args.pausa:.0f} s, database on {onde}")  # fmt: skip
            # Telegram's 30 messages/s per bot, split between the replicas as the README says.
            por_replica = max(1, 30 // args.replicas)
            extra = {
                "COGEP_CADASTRO_ABERTO": "true",
                "MENTOR_PERGUNTAS_POR_MINUTO": "30",
                "COGEP_NOTIFICACOES_POR_SEGUNDO": str(por_replica),
            }
            async with Replicas(
                tg, url, trabalho, quantas=args.replicas, ai=ai, extra=extra
            ) as rig:
                rss_partida = [r.rss_kib() for r in rig.replicas]
                carga = Carga(tg, rng, args.pausa, chegadas=rig.proxy.chegadas)
                inicio = time.monotonic()
                carga.fim = inicio + args.duracao
                parar_sonda, conexoes = asyncio.Event(), [0]
                sonda = asyncio.create_task(_conexoes(url, parar_sonda, conexoes))
                serie: list[list[int]] = []
                amostras = asyncio.create_task(_amostrar_rss(rig, parar_sonda, serie))
                observador = asyncio.create_task(carga.observar())
                usuarios = [asyncio.create_task(carga.usuario(i)) for i in range(args.usuarios)]
                await asyncio.sleep(max(10.0, args.duracao / 5))
                rss_aquecido = [r.rss_kib() for r in rig.replicas]
                cpu_aquecido = [r.cpu_s() for r in rig.replicas]
                cpu_proprio = time.process_time()
                carga_aquecido = os.getloadavg()[0]
                updates_aquecido = tg._next_update_id
                envios_aquecido = _envios(tg)
                t_aquecido = time.monotonic()
                await asyncio.gather(*usuarios)
                t_fim = time.monotonic()
                updates_fim = tg._next_update_id
                envios_fim = _envios(tg)
                carga_fim = os.getloadavg()[0]
                await asyncio.sleep(3.0)  # notices and marks of done settle
                rss_fim = [r.rss_kib() for r in rig.replicas]
                cpu_fim = [r.cpu_s() for r in rig.replicas]
                cpu_proprio = time.process_time() - cpu_proprio
                observador.cancel()
                parar_sonda.set()
                await sonda
                await amostras
                erros = rig.erros()
                falhas_do_proxy = rig.proxy.falhas
                recusas = [
                    c for c in tg.calls
                    if c.error is not None and "not modified" not in str(c.error)
                ]  # fmt: skip
            contagens = await _contagens(url, carga, tg._next_update_id)

    total = tg._next_update_id - PRIMEIRO_UPDATE
    todas = [x for valores in carga.latencias.values() for x in valores]
    taxa = (updates_fim - updates_aquecido) / max(t_fim - t_aquecido, 1e-9)
    envios = (envios_fim - envios_aquecido) / max(t_fim - t_aquecido, 1e-9)
    print(
        f"updates: {total} in {t_fim - inicio:.0f} s; after warm-up {taxa:.1f} updates/s, "
        f"{envios:.1f} messages/s sent (Telegram allows about 30 per bot)"
    )
    print(
        f"first reaction: p50 {1000 * statistics.median(todas):.0f} ms, "
        f"p99 {1000 * _percentil(todas, 0.99):.0f} ms over {len(todas)} acts"
    )
    for tipo in sorted(carga.latencias):
        valores = carga.latencias[tipo]
        print(
            f"  {tipo:<18} {len(valores):>6}  p50 {1000 * statistics.median(valores):>6.0f} ms"
            f"  p99 {1000 * _percentil(valores, 0.99):>6.0f} ms"
        )
    print(
        f"  of which waiting for the push: p50 {1000 * statistics.median(carga.na_entrega):.0f}"
        f" ms, p99 {1000 * _percentil(carga.na_entrega, 0.99):.0f} ms; in the bot: p50 "
        f"{1000 * statistics.median(carga.no_bot):.0f} ms, "
        f"p99 {1000 * _percentil(carga.no_bot, 0.99):.0f} ms"
    )
    medidos = max(updates_fim - updates_aquecido, 1)
    cpu = [fim - antes for antes, fim in zip(cpu_aquecido, cpu_fim, strict=True)]
    print(
        f"CPU of the replicas after warm-up: {1000 * sum(cpu) / medidos:.1f} ms per update "
        f"({', '.join(f'{c:.0f} s' for c in cpu)}); machine load average {carga_aquecido:.1f} "
        f"-> {carga_fim:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"CPU of this process (fake Bot API, proxy, fake model, 1 task per user): "
        f"{cpu_proprio:.0f} s over the same {t_fim - t_aquecido + 3:.0f} s"
    )
    crescimentos = []
    for replica, partida, aquecido, fim in zip(
        rig.replicas, rss_partida, rss_aquecido, rss_fim, strict=True
    ):
        crescimento = (fim - aquecido) / aquecido if aquecido else float("nan")
        crescimentos.append(crescimento)
        print(
            f"RSS {replica.nome}: start {partida / 1024:.0f} MiB, after warm-up "
            f"{aquecido / 1024:.0f} MiB, end {fim / 1024:.0f} MiB ({100 * crescimento:+.1f}%)"
        )
    for i, replica in enumerate(rig.replicas):
        linha = " ".join(f"{amostra[i] / 1024:.0f}" for amostra in serie)
        print(f"  RSS {replica.nome} every {AMOSTRA_RSS:.0f} s (MiB): {linha}")
    print(f"database connections used (max): {conexoes[0]}")
    perdidos = sum(p for p, _ in contagens.values())
    duplicados = sum(d for _, d in contagens.values())
    for nome, (perdido, duplicado) in contagens.items():
        print(f"  {nome:<22} lost {perdido}, duplicated {duplicado}")
    inesperados = len(erros) + falhas_do_proxy + len(recusas)
    print(f"lost: {perdidos}, duplicated: {duplicados}, unexpected errors: {inesperados}")
    for linha in erros[:10]:
        print(f"  {linha[:300]}")
    for chamada in recusas[:10]:
        print(f"  Bot API refused {chamada.method}: {chamada.error}")
    ok = perdidos == 0 and duplicados == 0 and inesperados == 0
    ok = ok and all(c <= 0.10 for c in crescimentos)
    print("goals met" if ok else "GOALS NOT MET")
    return 0 if ok else 1


def _resposta_curta(pedido: dict[str, Any]) -> Resposta:
    """The fake model's answer: the question echoed, in a few streamed pieces."""
    mensagens: list[dict[str, Any]] = pedido.get("messages", [])
    vazia: dict[str, Any] = {}
    ultima = next((m for m in reversed(mensagens) if m.get("role") == "user"), vazia)
    conteudo = ultima.get("content")
    texto = conteudo if isinstance(conteudo, str) else "Vamos pensar juntos."
    return Resposta(texto=f"Boa pergunta. {texto[-200:]}", pedaco=40, intervalo=0.02)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duracao", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--usuarios", type=int, default=1000)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--pausa", type=float, default=120.0, help="mean think time, seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pasta", help="keep the replicas' logs in this folder")
    parser.add_argument("--quick", action="store_true", help="CI smoke: about 25 s")
    args = parser.parse_args(argv)
    if args.quick:
        args.duracao, args.usuarios, args.pausa = 12.0, 200, 12.0
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m bench.soak`; --quick (CI's smoke run) prints, never fails."""
    args = parse_args(argv)
    if args.pasta:
        Path(args.pasta).mkdir(parents=True, exist_ok=True)
    codigo = asyncio.run(soak(args))
    return 0 if args.quick else codigo


if __name__ == "__main__":
    raise SystemExit(main())
