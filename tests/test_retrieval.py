"""Retrieval quality on 20 questions written by reading the reports (eval/questions.json)."""

from __future__ import annotations

from eval import retrieval


def test_a_right_page_is_in_the_top5_for_at_least_18_of_20_questions(shared_index) -> None:
    _, index, doc_ids = shared_index
    results = retrieval.evaluate(index, doc_ids, k=5, filtered=True)
    assert len(results) == 20
    misses = [(r.qid, r.question, r.expected, r.got) for r in results if not r.hit]
    assert len(misses) <= 2, misses


def test_fusion_beats_or_matches_each_side_alone(shared_index) -> None:
    """Sanity of the fusion: a table-number question lands on the table page."""
    _, index, doc_ids = shared_index
    hits = index.search("退休费 80.61", k=3, doc_ids=[doc_ids["jiaozuo_2021_final"]])
    assert hits[0].metadata["page_start"] == 12 and hits[0].metadata["kind"] == "table"
