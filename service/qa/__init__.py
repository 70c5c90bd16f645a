"""Answers to questions about ingested reports: ``Engine(settings).ask(question, doc=None) -> Answer``."""

from service.qa.engine import Engine

__all__ = ["Engine"]
