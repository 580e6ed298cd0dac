"""Rank files and definitions by how the rest of the repository refers to them (pure; no I/O).

A reference in file B to a name defined in file A is an edge B -> A. A personalised PageRank over files
(biased toward focus files) gives each file a rank; each file then passes its rank along its out-edges to the
definitions it uses, so a definition scores high when important files use it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hame.context.tags import Definition, FileTags

DAMPING = 0.85
FOCUS_WEIGHT = 10.0  # focus files together get ~10x the teleport mass of all other files
GENERIC_DEFINERS = 5  # a name defined in more files than this is too generic to say much
OWN_RANK_SHARE = 0.5  # part of a file's rank shared among its own definitions
# Builtins and ubiquitous method names: a reference to one says almost nothing about where it is defined.
COMMON_NAMES = frozenset(
    """
    str int float bool bytes list dict set tuple type object len range print open iter next map filter zip sum min
    max abs any all repr hash id format super isinstance getattr setattr hasattr sorted reversed enumerate property
    get put pop add append extend insert remove clear copy update keys values items index count join split strip
    replace find read write close flush text value name data key size length args kwargs cls self this new init
    toString push then log console constructor Object Array String Number Promise Error Map Set JSON require
    err fmt make nil ctx clone from into unwrap Some None Ok Err Self Vec Box Option Result default equals hashCode
    printf malloc free size_t NULL
    """.split()
)


@dataclass(frozen=True)
class RankedDef:
    path: str
    definition: Definition
    score: float


@dataclass(frozen=True)
class Ranking:
    file_rank: dict[str, float]
    defs: list[RankedDef]  # best first


def pagerank(
    nodes: Sequence[str],
    edges: Mapping[tuple[str, str], float],
    personalization: Mapping[str, float] | None = None,
    damping: float = DAMPING,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> dict[str, float]:
    """Power-iteration PageRank over weighted edges; dangling nodes teleport by `personalization`."""
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    teleport = normalized([(personalization or {}).get(node, 0.0) for node in nodes]) or [1 / len(nodes)] * len(nodes)
    out = out_shares(index, edges)
    rank = list(teleport)
    for _ in range(max_iter):
        dangling = sum(rank[i] for i in range(len(nodes)) if not out[i])
        new = [(1 - damping + damping * dangling) * t for t in teleport]
        for src, shares in enumerate(out):
            mass = damping * rank[src]
            for dst, share in shares:
                new[dst] += mass * share
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < tol:
            break
    return {node: rank[i] for node, i in index.items()}


def normalized(values: list[float]) -> list[float]:
    total = sum(values)
    return [v / total for v in values] if total > 0 else []


def out_shares(index: Mapping[str, int], edges: Mapping[tuple[str, str], float]) -> list[list[tuple[int, float]]]:
    weights: list[list[tuple[int, float]]] = [[] for _ in index]
    for (src, dst), weight in sorted(edges.items()):
        if weight > 0 and src in index and dst in index:
            weights[index[src]].append((index[dst], weight))
    shares = []
    for row in weights:
        total = sum(w for _, w in row)
        shares.append([(dst, w / total) for dst, w in row])
    return shares


def name_weight(name: str, definer_count: int, focus_words: frozenset[str]) -> float:
    """How much a reference to `name` says about the files that define it."""
    weight = 1.0
    if name in focus_words:
        weight *= 10
    if name.startswith("_"):
        weight *= 0.1
    if name in COMMON_NAMES:
        weight *= 0.05
    if definer_count > GENERIC_DEFINERS:
        weight *= 0.1
    if is_descriptive(name):
        weight *= 10
    return weight


def is_descriptive(name: str) -> bool:
    """Long snake_case or camelCase names are specific: a reference to one almost surely means that definition."""
    core = name.strip("_")
    return len(core) >= 8 and ("_" in core or not (core.islower() or core.isupper()))


def reference_edges(
    tags: Mapping[str, FileTags], focus_words: frozenset[str]
) -> dict[str, list[tuple[str, str, float]]]:
    """For each referring file: (defining file, name, weight) for every name it uses that another file defines."""
    definers: dict[str, list[str]] = defaultdict(list)
    for path in sorted(tags):
        for name in sorted({d.name for d in tags[path].defs}):
            definers[name].append(path)
    out: dict[str, list[tuple[str, str, float]]] = {}
    for src in sorted(tags):
        uses = []
        for name, count in sorted(tags[src].refs.items()):
            targets = [dst for dst in definers.get(name, ()) if dst != src]
            weight = name_weight(name, len(definers.get(name, ())), focus_words) * math.sqrt(count)
            uses += [(dst, name, weight) for dst in targets]
        if uses:
            out[src] = uses
    return out


def focus_set(
    paths: Iterable[str], tags: Mapping[str, FileTags], focus_files: Iterable[str], words: frozenset[str]
) -> set[str]:
    """Focus files, plus files whose stem is a focus word or that define one."""
    wanted = set(focus_files)
    lowered = {w.lower() for w in words}
    for path in paths:
        stem = path.rsplit("/", 1)[-1].split(".", 1)[0].lower()
        if stem in lowered or any(d.name in words for d in tags[path].defs):
            wanted.add(path)
    return wanted


def rank_repository(
    tags: Mapping[str, FileTags], focus_files: Sequence[str] = (), focus_words: Sequence[str] = ()
) -> Ranking:
    """Rank every file and every definition; deterministic for the same inputs."""
    words = frozenset(focus_words)
    nodes = sorted(tags)
    uses = reference_edges(tags, words)
    edges: dict[tuple[str, str], float] = defaultdict(float)
    for src, rows in uses.items():
        for dst, _name, weight in rows:
            edges[(src, dst)] += weight
    focus = focus_set(nodes, tags, focus_files, words) & set(nodes)
    bonus = FOCUS_WEIGHT * len(nodes) / len(focus) if focus else 0.0
    personal = {node: 1.0 + (bonus if node in focus else 0.0) for node in nodes}
    file_rank = pagerank(nodes, edges, personal)
    return Ranking(file_rank, score_definitions(tags, uses, file_rank, words))


def score_definitions(
    tags: Mapping[str, FileTags],
    uses: Mapping[str, list[tuple[str, str, float]]],
    file_rank: Mapping[str, float],
    words: frozenset[str],
) -> list[RankedDef]:
    score: dict[tuple[str, str], float] = defaultdict(float)
    for src, rows in uses.items():
        total = sum(weight for _, _, weight in rows)
        for dst, name, weight in rows:
            score[(dst, name)] += file_rank[src] * weight / total
    ranked = []
    for path, file_tags in tags.items():
        own = OWN_RANK_SHARE * file_rank[path] / max(1, len(file_tags.defs))
        for d in file_tags.defs:
            value = score.get((path, d.name), 0.0) + own
            ranked.append(RankedDef(path, d, value * (10 if d.name in words else 1)))
    ranked.sort(key=lambda r: (-r.score, r.path, r.definition.line))
    return ranked
