"""The one place experta is imported. Everything else imports experta's names from here.

experta 1.9.4 (its last release, 2019) needs three repairs on a modern Python, each measured in
shared/reference/dependencies.md, and two for speed (4 and 5), and five more below (6 to 10):

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

Five more for speed, each reaching the state experta's own code reaches (a test runs the bank's
cases through both networks): 6. a node whose children test one key of the fact against
literals (the Answer node has a child per question id; the root, one per class) looks the
fact's value up instead of trying each child; 7. reset() wipes each node's memory once, where
experta walks every path; 8. only conflict sets that changed (each notes itself when
activated) are asked for their activations, in experta's order;
9. a token is copied once a test has passed, not before each test, and without checking again
what it was checked for when made; 10. a test of a plain key reads fact[key] without splitting
the key at each call, and a plain value is declared without a type dispatch. The conflict-set walk is kept per matcher (experta's
lru_cache(maxsize=1) is shared, so two engines used in turn walked their networks each time).
"""

from __future__ import annotations

import bisect
import collections
import collections.abc
import logging
from collections.abc import Iterator, Mapping
from typing import Any

_added_alias = not hasattr(collections, "Mapping")
if _added_alias:
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]
_root = logging.getLogger()
_placeholder = logging.NullHandler()
_root.addHandler(_placeholder)
try:
    import frozendict  # noqa: F401  (imported while the alias exists)
    from experta import AND, NOT, OR, Fact, InitialFact, KnowledgeEngine, P, Rule, watchers
    from experta import fact as experta_fact
    from experta.matchers.rete import ReteMatcher
    from experta.matchers.rete.check import FeatureCheck, TypeCheck
    from experta.matchers.rete.mixins import ChildNode, NoMemory
    from experta.matchers.rete.nodes import BusNode, ConflictSetNode, FeatureTesterNode
    from experta.matchers.rete.token import Token
    from experta.strategies import DepthStrategy
finally:
    _root.removeHandler(_placeholder)
    if _added_alias:
        del collections.Mapping  # type: ignore[attr-defined]


def _each_node(matcher: Any) -> Iterator[Any]:
    """Every node of the network once, depth-first in first-visit order (nodes compare by
    identity, as in experta): the order experta's own walks see them in."""
    seen: set[int] = set()
    stack = [matcher.root_node]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(child.node for child in reversed(node.children))


def _conflict_set_nodes(matcher: Any) -> tuple[Any, ...]:
    """experta's ReteMatcher._get_conflict_set_nodes, linear: each node is visited once."""
    return tuple(node for node in _each_node(matcher) if isinstance(node, ConflictSetNode))


def _matcher_conflict_set_nodes(self: Any) -> tuple[Any, ...]:
    # Kept on the matcher: experta's lru_cache(maxsize=1) is shared by every matcher, so two
    # engines used in turn (evaluate's and the questionnaire's) walked the network each time.
    found: tuple[Any, ...] | None = self.__dict__.get("_conflict_set_nodes")
    if found is None:
        found = self._conflict_set_nodes = _conflict_set_nodes(self)
    return found


_original_conflict_set_nodes = ReteMatcher._get_conflict_set_nodes
ReteMatcher._get_conflict_set_nodes = _matcher_conflict_set_nodes


# ---- repair 6: the alpha network dispatches on literals ----

_MISSING = object()
_TYPE = (
    "\x00type"  # the key of a test of the fact's class (never a fact's own key: "__" is refused)
)
_LITERAL_TYPES = (str, int, float, bool)
_FEW = 2  # below this many literal tests under one node, trying each is as quick


def _literal_test(child: Any) -> tuple[str, Any] | None:
    """(key, value) when the child node tests `fact[key] == value` and nothing else, for a
    plain key and a value of a built-in type that equals only what hashes like it; or
    (_TYPE, class) when it tests the fact's class."""
    node = child.node
    matcher = getattr(node, "matcher", None)
    if type(node) is not FeatureTesterNode:
        return None
    if isinstance(matcher, TypeCheck):  # type(fact) == class: classes compare by identity
        return _TYPE, matcher.fact_type
    if not isinstance(matcher, FeatureCheck):
        return None
    if getattr(matcher.check, "__name__", "") != "equal_literal":
        return None
    what, value = matcher.what, matcher.expected.value
    if not isinstance(what, str) or "__" in what or what.isnumeric():
        return None
    if type(value) not in _LITERAL_TYPES or value != value:  # NaN equals nothing
        return None
    return what, value


class _Dispatch:
    """Stands in for a node's children when many of them test one key of the fact against a
    literal (the type Answer's node has a child per question id): looks the fact's value up
    instead of trying every child, and calls the children that can match, in their order.
    A child passed over is one whose test would have failed and done nothing, so the network
    reaches the same state; the children stay reachable (`children`) for walks and resets."""

    def __init__(self, children: list[Any], tests: list[tuple[str, Any] | None]) -> None:
        self.children = children
        self.keys = tuple(dict.fromkeys(t[0] for t in tests if t is not None))
        # For each key and value: the positions of the children testing that value.
        self.tables: dict[str, dict[Any, list[int]]] = {key: {} for key in self.keys}
        for position, test in enumerate(tests):
            if test is not None:
                self.tables[test[0]].setdefault(test[1], []).append(position)
        self.always = [i for i, test in enumerate(tests) if test is None]
        self.chosen: dict[tuple[Any, ...], list[Any]] = {}

    def reset(self) -> None:
        for child in self.children:
            child.node.reset()

    def callback(self, token: Any) -> None:
        (fact,) = token.data
        values = []
        for key in self.keys:
            if key is _TYPE:
                values.append(type(fact))
                continue
            try:
                value = fact[key]
            except (IndexError, KeyError, TypeError):
                value = _MISSING
            if value is not _MISSING and (type(value) not in _LITERAL_TYPES or value != value):
                for child in self.children:  # a value no table can answer for: try them all
                    child.callback(token)
                return
            values.append(value)
        signature = (*values, *map(type, values))  # 1, 1.0 and True are equal, not the same
        children = self.chosen.get(signature)
        if children is None:
            positions = list(self.always)
            for key, value in zip(self.keys, values, strict=True):
                if value is not _MISSING:
                    positions += self.tables[key].get(value, ())
            children = [self.children[i] for i in sorted(positions)]
            if len(self.chosen) > 10_000:  # answers are few; numbers typed could be many
                self.chosen.clear()
            self.chosen[signature] = children
        for child in children:
            child.callback(token)


def _dispatch(node: Any, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    children = node.children
    for child in children:
        _dispatch(child.node, seen)
    tests = [_literal_test(child) for child in children]
    literals = sum(t is not None and t[0] is not _TYPE for t in tests)
    classes = sum(t is not None and t[0] is _TYPE for t in tests)
    if type(node) in (FeatureTesterNode, BusNode) and (literals >= _FEW or classes >= 2):
        stand_in = _Dispatch(list(children), tests)
        node.children = [ChildNode(stand_in, stand_in.callback)]


def _memory_nodes(matcher: Any) -> list[Any]:
    """Every node that keeps a memory, once each (experta's reset walks every path)."""
    return [node for node in _each_node(matcher) if not isinstance(node, NoMemory | _Dispatch)]


_original_build_network = ReteMatcher.build_network


def _build_network(self: Any) -> None:
    _original_build_network(self)
    _dispatch(self.root_node, set())
    self._memory_nodes = _memory_nodes(self)
    # The conflict sets that may hold activations not yet collected, each noted once (repair 8).
    self._changed = []
    for position, csn in enumerate(self._get_conflict_set_nodes()):
        csn._position, csn._changed, csn._noted = position, self._changed, False


def _csn_activate(self: Any, token: Any) -> None:
    """experta's ConflictSetNode._activate, noting the node among those that changed."""
    _original_csn_activate(self, token)
    changed = getattr(self, "_changed", None)
    if changed is not None and not self._noted:
        self._noted = True
        changed.append(self)


def _reset(self: Any) -> None:
    """experta's reset, each node's memory wiped once: the same state."""
    for node in self._memory_nodes:
        node._reset()


def _changes(self: Any, adding: Any = None, deleting: Any = None) -> tuple[list[Any], list[Any]]:
    """experta's ReteMatcher.changes, asking only the conflict sets that changed for their
    activations (the others would give two empty sets): the same lists, in the same order."""
    if deleting is not None:
        for deleted in deleting:
            self.root_node.remove(deleted)
    if adding is not None:
        for added in adding:
            self.root_node.add(added)
    added_all: list[Any] = []
    removed_all: list[Any] = []
    changed = getattr(self, "_changed", None)
    if changed is None:  # a network built before the repair: every conflict set
        nodes = self._get_conflict_set_nodes()
    else:  # in experta's order, only those that changed since the last call
        nodes = sorted(changed, key=lambda csn: csn._position)
        changed.clear()
        for csn in nodes:
            csn._noted = False
    for csn in nodes:
        if csn.added or csn.removed:
            c_added, c_removed = csn.get_activations()
            added_all.extend(c_added)
            removed_all.extend(c_removed)
    return added_all, removed_all


def _token_copy(self: Any) -> Any:
    """experta's Token.copy without checking again what the token was checked for when made."""
    return tuple.__new__(type(self), (self.tag, self.data.copy(), self.context.copy()))


def _feature_activate(self: Any, token: Any) -> Any:
    """experta's FeatureTesterNode activation (OneInputNode.activate, then _activate), with the
    token copied only once the fact passes the test: the test reads the fact alone, and a copy
    that no child receives changes nothing."""
    if watchers.worth("MATCHER", "DEBUG"):
        watchers.MATCHER.debug("Node <%s> activated with token %r", self, token)
    if len(token.data) != 1:
        raise ValueError("a feature test takes a token of one fact")
    (fact,) = token.data
    match = self.matcher(fact)
    if not match:
        return None
    token = _token_copy(token)
    if isinstance(match, Mapping):
        context = token.context
        for key, value in match.items():
            if isinstance(key, tuple):  # a negated condition
                if key[1] in context and context[key[1]] == value:
                    return False
            else:
                if context.get(key, value) != value:
                    return False
                if (False, key) in context and context[(False, key)] == value:
                    return False
        context.update(match)
    for child in self.children:
        child.callback(token)
    return None


_plain_keys: dict[str, bool] = {}


def _plain_key(what: str) -> bool:
    """A key that FeatureCheck reads as fact[what]: not a dunder, no nested path, no index."""
    plain = _plain_keys.get(what)
    if plain is None:
        plain = _plain_keys[what] = not (
            what.startswith("__") or what.endswith("__") or "__" in what or what.isnumeric()
        )
    return plain


def _feature_check(self: Any, data: Any, is_fact: bool = True) -> Any:
    """experta's FeatureCheck.__call__ for a plain key: the value at the key, tested, and logged
    as experta logs it (only when its watcher is on), without splitting the key at each call."""
    what = self.what
    if not (is_fact and type(what) is str and _plain_key(what)):
        return _original_feature_check(self, data, is_fact)
    try:
        record = data[what]
    except (IndexError, KeyError, TypeError):
        return False
    res = self.check(record, self.expected)
    level = logging.INFO if res else logging.DEBUG
    if watchers.MATCH.isEnabledFor(level):
        watchers.MATCH.log(level, "what=%r, how=%r, fact=%s = %r", what, self.how, data, res)
    return res


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _freeze(value: Any) -> Any:
    """experta's freeze, which keeps a hashable value as it is, without a dispatch per value."""
    return value if type(value) in _SCALARS else _original_freeze(value)


_original_csn_activate = ConflictSetNode._activate
_original_feature_check = FeatureCheck.__call__
_original_freeze = experta_fact.freeze
_original_reset = ReteMatcher.reset
_original_changes = ReteMatcher.changes
_original_token_copy = Token.copy
ReteMatcher.build_network = _build_network
ReteMatcher.reset = _reset
ReteMatcher.changes = _changes
Token.copy = _token_copy
FeatureTesterNode.activate = _feature_activate
FeatureCheck.__call__ = _feature_check
ConflictSetNode._activate = _csn_activate
experta_fact.freeze = _freeze


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
