"""The answer lexicon (lexicon.json beside this module, shipped as package data): the field's terms,
their synonyms, qualifiers and question intents. Questions are matched against it; no term lives in
code branches."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

_QUOTES = re.compile(r"[“”\"'‘’「」《》〈〉]")
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"(20\d{2})\s*年")


def normalize(text: str) -> str:
    """Compare-ready text: no quotes or spaces, full-width brackets as ASCII, 出(境) spelt one way."""
    text = _QUOTES.sub("", text).replace("收、支", "收支")
    text = text.replace("（", "(").replace("）", ")").replace("：", ":").replace("，", ",")
    text = _SPACE.sub("", text)
    # one spelling for 因公出国(境)费 (also printed 出国境, 出国（境）, 出国出境)
    return text.replace("出国(境)", "出国境").replace("出国出境", "出国境")


@dataclass(frozen=True)
class Lexicon:
    synonyms: dict[str, list[str]]
    qualifiers: dict[str, list[str]]
    intents: dict[str, list[str]]
    asked_units: dict[str, list[str]]
    unit_aliases: dict[str, list[str]]
    stopwords: list[str]
    field_names: dict[str, list[str]]
    decline_if_budget_report: list[str] = field(default_factory=list)

    def expand(self, question: str) -> str:
        """The question plus the report's own term for every variant it uses."""
        q = normalize(question)
        extra = [
            normalize(term)
            for term, variants in self.synonyms.items()
            if any(normalize(v) in q for v in variants) and normalize(term) not in q
        ]
        return q + ("|" + "|".join(extra) if extra else "")

    def has(self, kind: str, text: str, group: str = "intents") -> bool:
        words = getattr(self, group)[kind]
        q = normalize(text)
        return any(normalize(w) in q for w in words)

    def intents_of(self, question: str) -> set[str]:
        return {kind for kind in self.intents if self.has(kind, question)}

    def qualifiers_of(self, question: str) -> set[str]:
        return {kind for kind in self.qualifiers if self.has(kind, question, "qualifiers")}

    def asked_unit(self, question: str) -> str | None:
        q = normalize(question)
        for unit, cues in self.asked_units.items():
            if any(c in q for c in cues):
                return unit
        return None

    def strip_stopwords(self, text: str) -> str:
        """Question words of two or more characters out; one-character ones are judged per term."""
        for word in sorted((w for w in self.stopwords if len(w) > 1), key=len, reverse=True):
            text = text.replace(word, " ")
        return text


def years_in(question: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(question)]


@lru_cache(maxsize=1)
def load() -> Lexicon:
    raw = json.loads(resources.files("service.qa").joinpath("lexicon.json").read_text(encoding="utf-8"))
    raw.pop("_doc", None)
    return Lexicon(**raw)
