"""The one place experta is imported. Everything else imports experta's names from here.

experta 1.9.4 (its last release, 2019) needs three repairs on a modern Python, each measured in
shared/reference/dependencies.md, and two for speed (4 and 5):

1. It pins frozendict==1.2, whose class statement reads `collections.Mapping`, removed in Python 3.10.
   The alias exists only while frozendict is imported, then is removed again, so nothing else
   can come to rely on it. Upstream's own suite passes 299/299 this way on 3.11-3.13, pip's pins
   stay satisfied (`pip check` is clean) and any installer gives the same result.
2. `import experta` calls logging.basicConfig(), which puts a stderr handler on the root logger
   and would print experta's warnings over our output. A placeholder handler during the import
   makes basicConfig a no-op; it is removed afterwards.
3. DepthStrategy sometimes fails to remove an activation from the agenda (when three or more share
   a key), so a stale activation fires, even past a NOT that has become false. SafeDepthStrategy
   searches the whole run of equal keys. (The compiler also gives every rule its own salience, so
   keys never tie; this is the second line of defence.)
4. The first reset() collects the network's terminal nodes by walking every path and dropping
   repeats with a list-membership test: quadratic, and most of a consultation's time at a few
   thousand rules. The same nodes, in the same first-visit order, are collected in one pass.
5. DepthStrategy.get_key is wrapped in an lru_cache keyed on the activation, whose hash covers
   its rule and facts but whose equality also covers its key, set just after the lookup. So
   the cache never hits for a new activation, yet the same rule's activations of earlier
   consultations pile up under one hash and every lookup compares against each of them: about
   half of a reset() on one engine reused for many consultations. The key is computed directly,
   the same way (rule salience, fact ids from newest), with no cache.
"""

from __future__ import annotations

import bisect
import collections
import collections.abc
import logging
from functools import lru_cache
from typing import Any

_added_alias = not hasattr(collections, "Mapping")
if _added_alias:
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]
_root = logging.getLogger()
_placeholder = logging.NullHandler()
_root.addHandler(_placeholder)
try:
    import frozendict  # noqa: F401  (imported while the alias exists)
    from experta import AND, NOT, OR, Fact, InitialFact, KnowledgeEngine, P, Rule
    from experta.matchers.rete import ReteMatcher
    from experta.matchers.rete.nodes import ConflictSetNode
    from experta.strategies import DepthStrategy
finally:
    _root.removeHandler(_placeholder)
    if _added_alias:
        del collections.Mapping  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _conflict_set_nodes(matcher: Any) -> tuple[Any, ...]:
    """experta's ReteMatcher._get_conflict_set_nodes, linear: each node is visited once, in the
    same depth-first, first-visit order (nodes compare by identity, as in experta)."""
    found: list[Any] = []
    seen: set[int] = set()
    stack = [matcher.root_node]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ConflictSetNode):
            found.append(node)
        stack.extend(child.node for child in reversed(node.children))
    return tuple(found)


_original_conflict_set_nodes = ReteMatcher._get_conflict_set_nodes
ReteMatcher._get_conflict_set_nodes = _conflict_set_nodes


class SafeDepthStrategy(DepthStrategy):  # type: ignore[misc]
    """DepthStrategy whose removal looks at every activation with an equal key, not just three,
    and whose key is computed without experta's lru_cache (repair 5)."""

    def get_key(self, activation: Any) -> tuple[Any, list[Any]]:
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts)

    def _update_agenda(self, agenda: Any, added: Any, removed: Any) -> None:
        acts = agenda.activations
        for act in removed:
            act.key = self.get_key(act)
            for i in range(bisect.bisect_left(acts, act), bisect.bisect_right(acts, act)):
                if acts[i] == act:
                    del acts[i]
                    break
        for act in added:
            act.key = self.get_key(act)
            bisect.insort(acts, act)


__all__ = [
    "AND",
    "NOT",
    "OR",
    "Fact",
    "InitialFact",
    "KnowledgeEngine",
    "P",
    "Rule",
    "SafeDepthStrategy",
]
