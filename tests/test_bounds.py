"""Parsing and validating bounds: what is accepted, and what is refused with which message."""

from __future__ import annotations

import dataclasses

import pytest
from gentrace.model import CANONICAL, NAMED, Bounds, BoundsError, build, get_design, parse_bounds
from gentrace.model.bounds import LIMITS, bounds_from_dict


def test_canonical_is_the_default() -> None:
    assert parse_bounds(None) == CANONICAL
    assert parse_bounds([]) == CANONICAL
    assert parse_bounds(["canonical"]) == CANONICAL
    assert CANONICAL == Bounds()


def test_canonical_values_are_the_documented_ones() -> None:
    """Two advances (three generations), small capacities, crossing the wrap and the ring end."""
    b = CANONICAL
    assert b.advances >= 2
    assert b.tracebuf in (1, 2)
    assert b.ring_start + b.rec_words == b.ring_words, "the first record ends at the end of the ring"
    assert b.top == 15 and b.top % 3 == 0
    assert b.first_gen <= b.top < b.first_gen + b.advances, "a canonical run crosses the wrap"


def test_large_adds_a_second_signal() -> None:
    assert parse_bounds(["large"]) == NAMED["large"]
    assert NAMED["large"] == dataclasses.replace(CANONICAL, signals=2)
    assert NAMED["ring"] == dataclasses.replace(CANONICAL, workers=0, signals=2)


def test_overrides_apply_on_top_of_canonical() -> None:
    b = parse_bounds(["workers=2", "signals=3"])
    assert b == dataclasses.replace(CANONICAL, workers=2, signals=3)


def test_overrides_apply_on_top_of_a_named_bound() -> None:
    b = parse_bounds(["large", "workers=2"])
    assert (b.signals, b.workers) == (2, 2)


def test_later_overrides_win() -> None:
    assert parse_bounds(["workers=2", "workers=3"]).workers == 3


@pytest.mark.parametrize("item,key,value", [
    ("first-gen=3", "first_gen", 3),     # dashes as on the command line
    (" workers = 2 ", "workers", 2),      # spaces around key and value
    ("first_gen=0xf", "first_gen", 15),  # any base Python reads
    ("word=64", "word", 64),
    ("sections=0", "sections", 0),
])
def test_accepted_spellings(item: str, key: str, value: int) -> None:
    assert getattr(parse_bounds([item]), key) == value


def test_every_limit_is_accepted_at_both_ends() -> None:
    for key, (lo, hi) in LIMITS.items():
        for v in (lo, hi):
            extra = {"first_gen": ["word=64"], "rec_words": ["ring_words=16"],
                     "ring_start": ["ring_words=16"], "tag_start": ["ring_tags=16"],
                     "ring_tags": ["tag_start=0"]}.get(key, [])
            if key == "word" and v % 2:
                continue
            assert getattr(parse_bounds([*extra, f"{key}={v}"]), key) == v


def test_the_top_of_a_word_is_odd_and_a_multiple_of_three() -> None:
    for word in range(4, 65, 2):
        top = Bounds(word=word, first_gen=1).validate().top
        assert top == (1 << word) - 1
        assert top % 2 == 1 and top % 3 == 0


@pytest.mark.parametrize("items,needle", [
    (["workers=5"], "workers=5 is out of range: use a whole number from 0 to 4"),
    (["ring_words=0"], "ring_words=0 is out of range"),
    (["ring_words=3"], "ring_words=3 is not a power of two"),
    (["rec_words=2"], "rec_words=2 is more than half of ring_words=2"),
    (["ring_start=2"], "ring_start=2 is not a position of a 2-word ring"),
    (["tag_start=5"], "tag_start=5 is not a position of a 2-tag ring"),
    (["tracebuf=9"], "tracebuf=9 is out of range"),
    (["signals=-1"], "signals=-1 is out of range"),
    (["word=2"], "word=2 is out of range"),
    (["word=5"], "word=5 is odd"),
    (["first_gen=16"], "first_gen=16 does not fit a 4-bit word: use 1 to 15"),
    (["first_gen=0"], "first_gen=0 does not fit a 4-bit word: use 1 to 15"),
    (["word=6", "first_gen=0"], "first_gen=0 does not fit a 6-bit word: use 1 to 63"),
    (["threads=2"], "unknown bound 'threads': known bounds are"),
    (["workers=two"], "workers='two' is not a whole number"),
    (["workers="], "is not a whole number"),
    (["workers=1.5"], "is not a whole number"),
    (["bogus"], "neither a named bound"),
    (["canonical", "large"], "more than one named bound (canonical, large)"),
])
def test_refused_with_a_clear_message(items: list[str], needle: str) -> None:
    with pytest.raises(BoundsError) as e:
        parse_bounds(items)
    assert needle in str(e.value)
    assert "\n" not in str(e.value)


def test_unknown_key_message_lists_the_known_ones() -> None:
    with pytest.raises(BoundsError, match="unknown bound") as e:
        parse_bounds(["cpus=2"])
    for f in dataclasses.fields(Bounds):
        assert f.name in str(e.value)


def test_validate_refuses_non_integers() -> None:
    for bad in (True, 1.0, "1", None):
        with pytest.raises(BoundsError, match="is not a whole number: use one from 0 to 4"):
            Bounds(workers=bad).validate()  # type: ignore[arg-type]


def test_building_a_system_validates_its_bounds() -> None:
    with pytest.raises(BoundsError):
        build(get_design("fixed"), Bounds(word=5))


def test_bounds_from_dict_round_trips() -> None:
    for b in (CANONICAL, NAMED["large"], parse_bounds(["word=64", "first_gen=12345"])):
        assert bounds_from_dict(b.as_dict()) == b


@pytest.mark.parametrize("d,needle", [
    ([], "must be a JSON object"),
    ({**CANONICAL.as_dict(), "cpus": 1}, "unknown bound 'cpus'"),
    ({k: v for k, v in CANONICAL.as_dict().items() if k != "word"}, "bound 'word' is missing"),
    ({**CANONICAL.as_dict(), "word": 6, "first_gen": 64}, "does not fit a 6-bit word"),
])
def test_bounds_from_dict_refuses(d: object, needle: str) -> None:
    with pytest.raises(BoundsError) as e:
        bounds_from_dict(d)
    assert needle in str(e.value)


def test_a_named_bound_and_overrides_in_any_order_and_across_repeats() -> None:
    assert parse_bounds(["workers=2", "large"]) == dataclasses.replace(NAMED["large"], workers=2)
    assert parse_bounds(["large", "workers=2", "workers=3"]).workers == 3, "a later override wins"


def test_two_named_bounds_are_refused_in_one_line() -> None:
    with pytest.raises(BoundsError, match=r"more than one named bound \(large, canonical\)"):
        parse_bounds(["large", "canonical"])


def test_a_non_integer_first_gen_names_the_words_range() -> None:
    with pytest.raises(BoundsError, match=r"first_gen='x' is not a whole number: use one from 1 to 15$"):
        Bounds(first_gen="x").validate()  # type: ignore[arg-type]
