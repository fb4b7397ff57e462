"""Benchmark the mentor: Cogep's own overhead around a streamed model answer.

Targets (issue 14): context assembly before the model is called p95 <= 50 ms (2,000 stored
messages in the conversation, a 100,000-chunk knowledge base); the first visible text in the
chat <= 1.0 s after the model's first token; at most one Bot API edit per second per chat
while streaming (drafts: stated); the extra RSS per concurrent streaming answer with 50
at once; and, for a voice note, the time from the transcription request to the first visible
text ("🎙 …"), the model not counted.

    python -m bench.mentor [--mensagens 2000] [--trechos 100000] [--amostras 200] [--tokens 1000]
                           [--quick]

Method
------
1. A fresh database (TEST_DATABASE_URL / DATABASE_URL, else local PostgreSQL, else embedded),
   migrated, dropped at the end. Seeded with server-side SQL: 60 users; the asker's private chat
   holds `--mensagens` turns (about 400 characters each, alternating question and answer), and
   100 other chats 500 turns each, so the index has neighbours to skip; the knowledge base gets
   `--trechos` chunks (100 per document, 60 words each drawn from a 150-word vocabulary of the
   team's subjects), indexed by the same generated tsvector column as real ingestion.
2. Overhead before the model: the real `MentorService` (limits check, the question stored,
   summary + recent turns within the budget, the request built) against the fake
   OpenAI-compatible server of tests/; measured from the call to the moment the fake receives
   the request (so the HTTP client's own work is included), with the real `ConhecimentoService`
   searched for each question (the whole question, then its telling words). Questions mix
   the vocabulary's words. Baseline: one primary-key SELECT through the same session factory.
3. Streaming through Telegram: the real Application, polling the fake Bot API of tests/, with
   a fake model that streams `--tokens` tokens at a fixed pace (5 ms each). Private chat: time
   from the model's first piece to the first draft with text at the fake Bot API; drafts per
   second while streaming. Group: the same for the placeholder's edits. Baseline for the
   latency: one getMe round trip of the same bot.
4. Memory: 50 people ask at once (200 tokens at 10 ms each); RSS is sampled every 20 ms;
   (peak - RSS before) / 50 is the extra per concurrent answer. The fakes run in the same
   process, so their per-request buffers are included: an upper bound.

Numbers never make the exit status non-zero: this is a measurement, not a gate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import random
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import psutil
from sqlalchemy import select, text

from bench.comum import bench_database, pct
from bot.app import CogepApplication, build_application, serving
from bot.conhecimento import ConhecimentoService
from bot.database import Database
from bot.mentor import MentorService, Modelo, Pergunta
from bot.notificacoes import SilentNotifier
from bot.processos import ProcessoService
from bot.settings import Settings
from db.engine import create_engine, create_sessions
from db.models import Usuario
from tests.fake_openai import FakeOpenAI, Resposta, Transcricao
from tests.fake_telegram import FakeTelegram
from tests.people import Pessoa

ASKER = 5_000_001
TARGET_OVERHEAD_MS = 50.0
TARGET_FIRST_VISIBLE_S = 1.0


def _seed_sql(mensagens: int) -> list[str]:
    frase = (
        "Estamos avaliando filas, idempotência e versionamento de contratos; o professor "
        "sugeriu medir antes de otimizar e revisar os limites de cada serviço. "
    )
    return [
        f"""INSERT INTO usuarios (telegram_id, nome, papel)
            SELECT {ASKER} + g, 'Pessoa ' || g, CASE WHEN g = 0 THEN 'membro' ELSE 'membro' END
            FROM generate_series(0, 59) g""",
        f"""INSERT INTO mensagens (chat_id, usuario_id, papel, texto, estado, criado_em)
            SELECT {ASKER}, (SELECT id FROM usuarios WHERE telegram_id = {ASKER}),
                   CASE WHEN g % 2 = 0 THEN 'usuario' ELSE 'mentor' END,
                   g || ': ' || repeat('{frase}', 3), 'ok',
                   now() - interval '2 days' + g * interval '1 second'
            FROM generate_series(1, {mensagens}) g""",
        f"""INSERT INTO mensagens (chat_id, usuario_id, papel, texto, estado, criado_em)
            SELECT {ASKER} + 1 + c, NULL, CASE WHEN g % 2 = 0 THEN 'usuario' ELSE 'mentor' END,
                   repeat('{frase}', 2), 'ok', now() - interval '3 days'
            FROM generate_series(1, 100) c, generate_series(1, 500) g""",
    ]


VOCABULARIO = [
    "deploy",
    "rollback",
    "migração",
    "banco",
    "imagem",
    "servidor",
    "cluster",
    "kubernetes",
    "contêiner",
    "fila",
    "mensagem",
    "idempotência",
    "contrato",
    "versão",
    "api",
    "cliente",
    "pagamento",
    "fatura",
    "boleto",
    "pix",
    "cache",
    "redis",
    "índice",
    "consulta",
    "latência",
    "throughput",
    "observabilidade",
    "métrica",
    "alerta",
    "plantão",
    "incidente",
    "backup",
    "restauração",
    "replicação",
    "réplica",
    "particionamento",
    "sharding",
    "transação",
    "bloqueio",
    "deadlock",
    "autenticação",
    "autorização",
    "token",
    "sessão",
    "senha",
    "certificado",
    "tls",
    "proxy",
    "balanceador",
    "dns",
    "rede",
    "firewall",
    "vpn",
    "log",
    "rastreamento",
    "trace",
    "painel",
    "grafana",
    "prometheus",
    "teste",
    "integração",
    "unitário",
    "pipeline",
    "build",
    "artefato",
    "registro",
    "homologação",
    "produção",
    "ambiente",
    "configuração",
    "segredo",
    "cofre",
    "permissão",
    "papel",
    "operador",
    "gestor",
    "processo",
    "prazo",
    "prioridade",
    "requisito",
    "arquitetura",
    "módulo",
    "serviço",
    "evento",
    "domínio",
    "agregado",
    "repositório",
    "esquema",
    "tabela",
    "coluna",
    "chave",
    "estrangeira",
    "normalização",
    "desempenho",
    "escalabilidade",
    "disponibilidade",
    "resiliência",
    "retry",
    "timeout",
    "circuito",
    "limite",
    "cota",
    "custo",
    "orçamento",
    "licença",
    "fornecedor",
    "suporte",
    "documentação",
    "manual",
    "guia",
    "política",
    "revisão",
    "código",
    "padrão",
    "refatoração",
    "dívida",
    "técnica",
]


def _seed_conhecimento_sql(trechos: int) -> list[str]:
    documentos = max(1, trechos // 100)
    vocabulario = "{" + ",".join(VOCABULARIO) + "}"
    return [
        f"""INSERT INTO documentos (titulo, origem, referencia, status, total_trechos)
            SELECT 'Documento ' || d, 'arquivo', '/bench/documento-' || d, 'pronto', 100
            FROM generate_series(1, {documentos}) d""",
        f"""INSERT INTO trechos (documento_id, posicao, secao, texto)
            SELECT d.id, g, 'Seção ' || (g % 7 + 1),
                   (SELECT string_agg(v[1 + floor(random() * {len(VOCABULARIO)})::int], ' ')
                    FROM (SELECT '{vocabulario}'::text[] AS v) voc, generate_series(1, 60 + g * 0))
            FROM documentos d, generate_series(1, 100) g
            WHERE d.referencia LIKE '/bench/%'""",
    ]


async def medir_preparo(
    settings: Settings, database: Database, ai: FakeOpenAI, amostras: int
) -> tuple[list[float], list[float]]:
    """Milliseconds from `responder` to the request at the model, and pk-lookup baselines."""
    processos = ProcessoService(database.sessions, settings, SilentNotifier())
    conhecimento = ConhecimentoService(database.sessions, settings, SilentNotifier())
    modelo = Modelo.de(settings)
    assert modelo is not None
    mentor = MentorService(
        database.sessions, settings, processos, modelo=modelo, conhecimento=conhecimento
    )
    async with database.sessions() as session:
        usuario = await session.scalar(select(Usuario).where(Usuario.telegram_id == ASKER))
    assert usuario is not None
    ai.padrao = lambda pedido: Resposta(texto="ok", pedaco=100)
    overhead: list[float] = []
    baseline: list[float] = []
    sorteio = random.Random(14)
    for indice in range(amostras + 5):
        palavras = " ".join(sorteio.sample(VOCABULARIO, 3))
        texto = f"Como lidar com {palavras} no nosso caso {indice}?"
        pergunta = Pergunta(usuario=usuario, chat_id=ASKER, texto=texto)
        inicio = time.monotonic()
        admitida = await mentor.admitir(pergunta)
        assert admitida is not None
        await mentor.responder(admitida, lambda _t: None, asyncio.Event())
        if indice >= 5:  # warm-up discarded
            overhead.append((ai.chegadas[-1] - inicio) * 1000)
        inicio = time.perf_counter()
        async with database.sessions() as session:
            await session.get(Usuario, usuario.id, populate_existing=True)
        if indice >= 5:
            baseline.append((time.perf_counter() - inicio) * 1000)
    await modelo.fechar()
    return overhead, baseline


def _modelo(pedido: dict[str, Any], *, texto: str, intervalo: float) -> Resposta:
    """Streams `texto` one token per `intervalo`; summaries (not streamed) come back at once."""
    if not pedido.get("stream"):
        return Resposta(texto="Resumo: conversa longa sobre filas e contratos.")
    return Resposta(texto=texto, pedaco=4, intervalo=intervalo)


@contextlib.asynccontextmanager
async def bot_servindo(settings: Settings, database: Database) -> AsyncIterator[CogepApplication]:
    app = build_application(settings, database=database)
    async with serving(app, poll_timeout=1):
        yield app


async def medir_transmissao(
    tg: FakeTelegram, ai: FakeOpenAI, database: Database, settings: Settings, tokens: int
) -> dict[str, float]:
    """First visible text and update rates, in a private chat and in a group."""
    resultado: dict[str, float] = {}
    async with bot_servindo(settings, database) as app:
        inicio = time.perf_counter()
        await app.bot.get_me()
        resultado["getme_s"] = time.perf_counter() - inicio
        ana = Pessoa(tg, ASKER, "Pessoa 0")
        await ana.diz("/start")
        texto = "tok " * tokens
        for onde in ("privado", "grupo"):
            chat: dict[str, Any] | None = None
            if onde == "grupo":
                chat = tg.group(-100_555, "Bench")
                async with database.sessions.begin() as session:
                    await session.execute(
                        text(
                            "INSERT INTO grupos (chat_id, titulo, autorizado) "
                            "VALUES (-100555, 'Bench', true)"
                        )
                    )
            chat_id = chat["id"] if chat else ana.id
            ai.padrao = functools.partial(_modelo, texto=texto, intervalo=0.005)
            marca = len(tg.calls)
            ana.envia("@cogep_test_bot explique" if chat else "explique", chat=chat)
            await tg.wait_for_message(
                chat_id, predicate=lambda m: m["text"].count("tok") >= tokens, timeout=120
            )
            primeiro = ai.primeiros_pedacos[-1]
            metodo = "sendMessageDraft" if onde == "privado" else "editMessageText"
            atualizacoes = [
                c for c in tg.calls[marca:]
                if c.method == metodo and c.params.get("chat_id") == chat_id
                and "tok" in str(c.params)
            ]  # fmt: skip
            resultado[f"{onde}_primeiro_s"] = atualizacoes[0].at - primeiro
            janela = max(atualizacoes[-1].at - atualizacoes[0].at, 1e-9)
            resultado[f"{onde}_por_s"] = (len(atualizacoes) - 1) / janela
            resultado[f"{onde}_n"] = len(atualizacoes)
            resultado["stream_s"] = tokens * 0.005
        resultado.update(await medir_voz(tg, ai, ana))
    return resultado


async def medir_voz(tg: FakeTelegram, ai: FakeOpenAI, ana: Pessoa, n: int = 20) -> dict[str, float]:
    """Voice: from the note's arrival, and from the transcription request, to "🎙 …" shown."""
    chegada: list[float] = []
    pedido: list[float] = []
    ai.padrao = functools.partial(_modelo, texto="ok.", intervalo=0.0)
    for _ in range(n):
        ai.transcricoes.append(Transcricao("explique filas com idempotência"))
        marca, mensagens = len(tg.calls), tg.mark(ana.id)
        inicio = time.monotonic()
        tg.send_voice(ana.user, b"OggS" + bytes(16_000), duration=5)
        ouvida = await tg.wait_for_call(
            "sendMessage", after=marca, timeout=30,
            predicate=lambda c: str(c.params.get("text", "")).startswith("🎙"),
        )  # fmt: skip
        chegada.append((ouvida.at - inicio) * 1000)
        pedido.append((ouvida.at - ai.audios[-1]["at"]) * 1000)
        await tg.wait_for_message(ana.id, predicate=lambda m: m["text"] == "ok.",
                                  after=mensagens, timeout=30)  # fmt: skip
        await asyncio.sleep(1.1)  # the chat's pace (1 message/s) is not the voice path's cost
    return {"voz_chegada_p50": pct(chegada, 50), "voz_chegada_p95": pct(chegada, 95),
            "voz_pedido_p50": pct(pedido, 50), "voz_pedido_p95": pct(pedido, 95),
            "voz_n": float(n)}  # fmt: skip


async def medir_memoria(
    tg: FakeTelegram, ai: FakeOpenAI, database: Database, settings: Settings, n: int
) -> dict[str, float]:
    """Extra RSS per concurrent streaming answer."""
    processo = psutil.Process()
    async with bot_servindo(settings, database):
        pessoas = [Pessoa(tg, ASKER + 1 + i, f"Pessoa {i + 1}") for i in range(n)]
        for pessoa in pessoas:
            await pessoa.diz("/start")
        ai.padrao = functools.partial(_modelo, texto="tok " * 200, intervalo=0.01)
        gc.collect()
        await asyncio.sleep(0.2)
        antes = processo.memory_info().rss
        pico, marca = antes, len(tg.calls)
        for pessoa in pessoas:
            pessoa.envia("uma pergunta para medir memória")
        ativas, ja_vistos = 0, len(ai.primeiros_pedacos)
        limite = time.monotonic() + 120
        while time.monotonic() < limite:
            pico = max(pico, processo.memory_info().rss)
            finais = [
                c for c in tg.calls[marca:]
                if c.method == "sendRichMessage" and c.error is None and "tok" in str(c.params)
            ]  # fmt: skip
            ativas = max(ativas, len(ai.primeiros_pedacos) - ja_vistos - len(finais))
            if len(finais) >= n:
                break
            await asyncio.sleep(0.02)
    mb = 2**20
    return {
        "antes_mb": antes / mb,
        "pico_mb": pico / mb,
        "extra_kb": (pico - antes) / n / 1024,
        "simultaneas": float(ativas),
    }


async def run(args: argparse.Namespace) -> None:
    async with bench_database("cogep_bench_m") as (url, onde):
        print(f"database: {onde}")
        engine = create_engine(url, pool_size=20)
        database = Database(engine=engine, sessions=create_sessions(engine))
        try:
            async with engine.begin() as connection:
                for sql in [*_seed_sql(args.mensagens), *_seed_conhecimento_sql(args.trechos)]:
                    await connection.execute(text(sql))
                await connection.execute(text("ANALYZE"))
            async with FakeOpenAI() as ai, FakeTelegram() as tg:
                settings = Settings(
                    telegram_bot_token=tg.token, telegram_api_base_url=tg.base_url,
                    telegram_file_base_url=tg.base_file_url, database_url=url,
                    openai_api_key="sk-bench", openai_base_url=ai.base_url,
                    openai_model=ai.modelo, cadastro_aberto=True,
                    mentor_perguntas_por_minuto=100_000, mentor_tokens_por_dia=0,
                    _env_file=None,
                )  # fmt: skip
                overhead, baseline = await medir_preparo(settings, database, ai, args.amostras)
                fluxo = await medir_transmissao(tg, ai, database, settings, args.tokens)
                memoria = await medir_memoria(tg, ai, database, settings, args.concorrentes)
        finally:
            await engine.dispose()
    relatorio(args, overhead, baseline, fluxo, memoria)


def relatorio(
    args: argparse.Namespace,
    overhead: list[float],
    baseline: list[float],
    fluxo: dict[str, float],
    memoria: dict[str, float],
) -> None:
    base = pct(baseline, 95)
    p95 = pct(overhead, 95)
    print(f"\n1. overhead before the model is called ({args.mensagens:,} stored turns, "
          f"{args.trechos:,} knowledge-base chunks, {len(overhead)} questions)")  # fmt: skip
    print(f"   p50 {pct(overhead, 50):.1f} ms  p95 {p95:.1f} ms  p99 {pct(overhead, 99):.1f} ms"
          f"  (pk lookup p95 {base:.2f} ms: {p95 / base:.1f}x)  "
          f"target p95 <= {TARGET_OVERHEAD_MS:.0f} ms: "
          f"{'yes' if p95 <= TARGET_OVERHEAD_MS else 'NO'}")  # fmt: skip
    getme = fluxo["getme_s"]
    print(f"\n2. streaming {args.tokens} tokens at 5 ms each ({fluxo['stream_s']:.1f} s of model "
          f"output); getMe round trip {getme * 1000:.1f} ms")  # fmt: skip
    for onde, rotulo, alvo in (
        ("privado", "private, drafts", None),
        ("grupo", "group, edits", 1.0),
    ):
        primeiro = fluxo[f"{onde}_primeiro_s"]
        taxa = fluxo[f"{onde}_por_s"]
        meta = (
            f" (target <= {alvo:.0f}/s: {'yes' if taxa <= alvo * 1.05 else 'NO'})" if alvo else ""
        )
        print(f"   {rotulo:<22} first visible {primeiro * 1000:6.0f} ms after the first token "
              f"({primeiro / getme:.1f}x getMe; target <= 1 s: "
              f"{'yes' if primeiro <= TARGET_FIRST_VISIBLE_S else 'NO'}); "
              f"{int(fluxo[f'{onde}_n'])} updates, {taxa:.2f} calls/s per chat{meta}")  # fmt: skip
    print(f"\n2b. voice ({int(fluxo['voz_n'])} notes of 5 s, model not counted): note arrival -> "
          f"\"🎙 …\" shown p50 {fluxo['voz_chegada_p50']:.0f} ms p95 "
          f"{fluxo['voz_chegada_p95']:.0f} ms; transcription request -> shown p50 "
          f"{fluxo['voz_pedido_p50']:.0f} ms p95 {fluxo['voz_pedido_p95']:.0f} ms "
          f"({fluxo['voz_pedido_p95'] / 1000 / getme:.1f}x getMe)")  # fmt: skip
    print(f"\n3. memory: {args.concorrentes} answers streaming at once "
          f"(max {memoria['simultaneas']:.0f} simultaneous): RSS {memoria['antes_mb']:.1f} -> "
          f"{memoria['pico_mb']:.1f} MB, extra {memoria['extra_kb']:.0f} KiB per answer "
          f"({memoria['extra_kb'] / 1024 / memoria['antes_mb'] * 100:.2f}% of the idle RSS; "
          "fakes in-process included)")  # fmt: skip


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mensagens", type=int, default=2000)
    parser.add_argument("--trechos", type=int, default=100_000)
    parser.add_argument("--amostras", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--concorrentes", type=int, default=50)
    parser.add_argument(
        "--quick", action="store_true", help="10,000 chunks, 50 samples, 300 tokens, 20 at once"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.trechos, args.amostras, args.tokens, args.concorrentes = 10_000, 50, 300, 20
    return args


def main(argv: list[str] | None = None) -> int:
    asyncio.run(run(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
