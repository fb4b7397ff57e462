"""Token estimates without a tokenizer download: characters, calibrated by the model's usage.

tiktoken fetches its encodings on first use (no internet here, and a different model family may
not even share them), so before a call Cogep estimates from characters: about four per token to
begin with, then the ratio the model itself reported in `usage.prompt_tokens` for what was sent,
smoothed so one odd reply cannot swing it.
"""

from __future__ import annotations

from dataclasses import dataclass

CARACTERES_POR_TOKEN = 4.0
SUAVIZACAO = 0.3  # weight of each new observation
LIMITES = (1.0, 8.0)  # no real tokenizer falls outside this (CJK ~1, long English words ~6)


@dataclass
class Estimador:
    """Characters-per-token ratio, learned from usage."""

    caracteres_por_token: float = CARACTERES_POR_TOKEN

    def tokens(self, texto: str) -> int:
        """Estimated tokens of `texto` (at least one per non-empty text)."""
        if not texto:
            return 0
        return max(1, round(len(texto) / self.caracteres_por_token))

    def calibrar(self, *, caracteres: int, tokens: int) -> None:
        """Learn from a request of `caracteres` that the model counted as `tokens`."""
        if caracteres < 200 or tokens <= 0:  # too small to say anything about the ratio
            return
        observado = min(max(caracteres / tokens, LIMITES[0]), LIMITES[1])
        self.caracteres_por_token += SUAVIZACAO * (observado - self.caracteres_por_token)
