"""The answer cache itself: bounded by size, least recently used first out, ETags compared as
``If-None-Match`` asks."""

from __future__ import annotations

from starlette.responses import Response

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


def test_a_kept_answer_is_sent_with_the_headers_starlette_would_build_each_time():
    answer = AnswerCache(max_bytes=100).answer("k", lambda: b'{"items": []}')
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
    full = Response(answer.body, media_type="application/json", headers=headers)
    unchanged = Response(status_code=304, headers=headers)
    for if_none_match, expected in ((None, full), ("", full), ('"other"', full),
                                    (answer.etag, unchanged), ("*", unchanged)):
        sent = answer.response(if_none_match)
        assert (sent.status_code, sent.body, sent.raw_headers) == (
            expected.status_code, expected.body, expected.raw_headers)
    # Each response its own list: the middleware adds its headers to the one it is sent.
    first = answer.response(None)
    first.raw_headers.append((b"x-request-id", b"1"))
    assert answer.response(None).raw_headers == full.raw_headers
