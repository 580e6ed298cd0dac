"""Pure pieces of the repo map: PageRank, name weights, signatures, and the JSON tag cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from hame.context.ranking import is_descriptive, pagerank, rank_repository
from hame.context.tag_cache import TagCache
from hame.context.tags import Definition, FileTags, extract_tags, signature


def test_pagerank_favours_the_hub_and_sums_to_one() -> None:
    nodes = ["a", "b", "c", "hub"]
    ranks = pagerank(nodes, {("a", "hub"): 1.0, ("b", "hub"): 1.0, ("c", "hub"): 1.0})
    assert max(ranks, key=ranks.__getitem__) == "hub"
    assert sum(ranks.values()) == pytest.approx(1.0)


def test_pagerank_personalization_moves_mass() -> None:
    nodes = ["a", "b", "c"]
    plain = pagerank(nodes, {})
    biased = pagerank(nodes, {}, {"c": 10.0, "a": 1.0, "b": 1.0})
    assert plain["a"] == pytest.approx(plain["c"])
    assert biased["c"] > 5 * biased["a"]
    assert pagerank([], {}) == {}


def test_descriptive_names() -> None:
    assert is_descriptive("compute_checksum") and is_descriptive("parseConfig1")
    assert not is_descriptive("get") and not is_descriptive("VERSION") and not is_descriptive("__init__")


def test_definition_scores_follow_references() -> None:
    lib = FileTags((Definition("used_often", 0, 1, "def used_often():"), Definition("never", 3, 4, "def never():")))
    tags = {
        "lib.py": lib,
        "a.py": FileTags(refs={"used_often": 3}),
        "b.py": FileTags(refs={"used_often": 1}),
    }
    ranking = rank_repository(tags)
    assert [r.definition.name for r in ranking.defs] == ["used_often", "never"]
    assert ranking.file_rank["lib.py"] > ranking.file_rank["a.py"]
    assert rank_repository(tags) == ranking


def test_signature_joins_open_brackets_and_drops_comments() -> None:
    lines = ["def run(  # noqa: X", "    a: int,", "    b: str = 'x',", ") -> None:", "    pass"]
    assert signature(lines, 0) == "def run(a: int, b: str = 'x', ) -> None:"
    assert signature(["int main(void) {"], 0) == "int main(void)"
    assert signature(["TABLE = {"], 0) == "TABLE = {"
    assert signature(["f(", "a,", "b,", "c,", "d,", "e,", "g)"], 0) == "f(a, b, c, d, …"


def test_extract_tags_separates_definitions_from_references() -> None:
    tags = extract_tags("m.py", b"import os\n\ndef walk_tree(path):\n    return os.walk(path) or walk_tree(path)\n")
    assert tags is not None
    assert [(d.name, d.line, d.end) for d in tags.defs] == [("walk_tree", 2, 3)]
    assert tags.refs == {"os": 2, "path": 3, "walk": 1, "walk_tree": 1}
    assert extract_tags("notes.txt", b"hello") is None


def test_tag_cache_round_trip_and_invalidation(tmp_path: Path) -> None:
    tags = FileTags((Definition("f", 0, 1, "def f():"),), {"g": 2})
    cache = TagCache(tmp_path / "cache", tmp_path)
    cache.put("m.py", (1, 10), tags)
    cache.save()
    again = TagCache(tmp_path / "cache", tmp_path)
    assert again.get("m.py", (1, 10)) == tags
    assert again.get("m.py", (2, 10)) is None
    again.path.write_text("{not json")
    assert TagCache(tmp_path / "cache", tmp_path).get("m.py", (1, 10)) is None
