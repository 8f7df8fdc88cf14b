"""The answer cache itself: bounded by size, least recently used first out, ETags compared as
``If-None-Match`` asks."""

from __future__ import annotations

from projecthub.api.answer_cache import AnswerCache


def test_the_least_recently_used_answers_leave_first_when_the_cache_is_full():
    cache = AnswerCache(max_bytes=10)
    builds: list[str] = []

    def build(body: str):
        return lambda: builds.append(body) or body.encode()

    cache.answer("a", build("aaaa"))
    cache.answer("b", build("bbbb"))
    cache.answer("a", build("never"))  # kept: not built again, and now the most recent
    cache.answer("c", build("cccc"))  # 12 bytes: "b" leaves
    assert builds == ["aaaa", "bbbb", "cccc"] and len(cache) == 2
    cache.answer("b", build("bbbb"))
    assert builds[-1] == "bbbb"
    cache.answer("huge", build("x" * 11))  # larger than the whole cache: answered, not kept
    assert len(cache) == 2


def test_an_etag_matches_if_none_match_lists_weak_tags_and_star():
    answer = AnswerCache(max_bytes=100).answer("k", lambda: b"{}")
    assert answer.matches(answer.etag)
    assert answer.matches(f'"other", W/{answer.etag}')
    assert answer.matches("*")
    assert not answer.matches('"other"') and not answer.matches("")
    assert AnswerCache(max_bytes=100).answer("k2", lambda: b"[]").etag != answer.etag
