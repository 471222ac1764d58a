"""traceNextGen's lemmas: proved for the real function, refuted (with a witness) for wrap-to-one."""

from __future__ import annotations

import pytest
from gentrace.symbolic.lemmas import next_gen_lemmas, small_word_lemmas


@pytest.mark.parametrize("width", [32, 64])
def test_the_real_traceNextGen(width: int) -> None:
    got = {lm.name: lm.verdict for lm in next_gen_lemmas(width)}
    assert got == {"never-zero": "proved", "parity-alternates": "proved", "mod3-alternates": "proved"}


@pytest.mark.parametrize("width", [32, 64])
def test_wrapping_to_one_breaks_parity_at_the_top(width: int) -> None:
    lms = {lm.name: lm for lm in next_gen_lemmas(width, wrap_to=1)}
    parity = lms["parity-alternates"]
    assert parity.verdict == "refuted" and parity.witness == (1 << width) - 1
    assert lms["never-zero"].verdict == "proved"


def test_a_wrap_to_zero_is_caught() -> None:
    lms = {lm.name: lm for lm in next_gen_lemmas(32, wrap_to=0)}
    assert lms["never-zero"].verdict == "refuted" and lms["never-zero"].witness == (1 << 32) - 1


@pytest.mark.parametrize("width", [4, 6, 8, 16, 62])
def test_even_small_words_stand_for_the_real_one(width: int) -> None:
    assert {lm.verdict for lm in small_word_lemmas(width)} == {"proved"}


@pytest.mark.parametrize("width", [5, 7, 63])
def test_odd_words_do_not(width: int) -> None:
    bad = {lm.name for lm in small_word_lemmas(width) if lm.verdict == "refuted"}
    assert bad == {"top-multiple-of-3", "mod3-alternates"}
