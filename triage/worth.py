"""What is worth asking before the advice is offered, beyond what can change its tier: the value
of an answer over the ranked advice the person would be shown.

A person who takes "See my advice now" reads the first few items and acts on them. So, once the
tier is settled, a question on the quick path (`quick: true` in the rules) is asked when an
answer to it could put an item among the first three numbered items: some undecided rule that
depends on it (or on a question whose ask_if it settles) would make a suggestion that is not in
the advice yet, is not left out at this tier, and would rank above the third item shown now.
Among such questions, the one whose best item would rank highest goes first. Not before a result
whose tier's policy says `refine: false` (rules/about.yaml: a tier that already sends the person
to a doctor today): only the cautions its items' `unless` read are asked.

A question that could withhold an item already in the advice (an `unless` that reads it, such as
a painkiller's cautions) is asked before the advice too, on any path: an item is never shown as
if an unasked question had been answered in its favour.
"""

from __future__ import annotations

import weakref

from triage import ranking
from triage.conditions import AnswerTest, Condition, leaves
from triage.model import TIER_RANK, KnowledgeBase, Question, Rule, SuggestRef
from triage.relevance import CORE_RANK, Evaluation, Planner, Progress

TOP = 3  # the first items a person reads and acts on


def _would_be(kb: KnowledgeBase, rule: Rule, ref: SuggestRef) -> ranking.Advice:
    suggestion = kb.suggestions[ref.id]
    confidence = rule.confidence if rule.confidence is not None else suggestion.confidence
    return ranking.Advice(
        suggestion,
        ref.tier or suggestion.tier,
        confidence,
        "",
        (),
        rule.priority,
        not rule.for_everyone,
    )


def top_changers(
    planner: Planner, progress: Progress, result: ranking.Result
) -> dict[str, tuple[int, ...]]:
    """Quick-path questions whose answer could change the first three items, each with the
    rank key of the best item it could put there (lower ranks higher)."""
    kb = planner.kb
    first = kb.about.words.personal_first
    numbered = [a for group in result.groups() for _, a in group.items]
    bar = ranking.sort_key(numbered[TOP - 1], first) if len(numbered) >= TOP else None
    shown = {a.id for a in result.advice}
    policy = kb.about.policy.get(result.tier) if result.tier else None
    dropped = set(policy.drop) if policy else set()
    evaluation = planner.evaluation(progress)
    best: dict[str, tuple[int, ...]] = {}
    for qid, made in addable(planner, progress).items():
        if not kb.questions[qid].quick:
            continue
        for rule, ref in made:
            suggestion = kb.suggestions[ref.id]
            advice = _would_be(kb, rule, ref)
            if ref.id in shown or advice.tier in dropped or suggestion.safety_net:
                continue
            if suggestion.unless is not None and evaluation.condition(suggestion.unless):
                continue
            key = ranking.sort_key(advice, first)
            if (bar is None or key < bar) and (qid not in best or key < best[qid]):
                best[qid] = key
    return best


def _gates(planner: Planner, progress: Progress) -> set[str]:
    """Questions whose answer decides whether a quick question not yet asked is asked."""
    evaluation = planner.evaluation(progress)
    found: set[str] = set()
    for question in planner.kb.questions.values():
        if (
            question.quick
            and question.ask_if is not None
            and not progress.asked(question.id)
            and evaluation.ask_if(question) is None
        ):
            found |= condition_questions(planner, question.ask_if)
    return found


def cautions(
    planner: Planner, progress: Progress, result: ranking.Result, *, made_by: bool = True
) -> list[str]:
    """Unasked questions that could withhold an item in this advice, in the order of the items:
    those its `unless` reads while it is not settled, and, when no rule that made the item is
    certain to (and `made_by`), those the undecided rules that made it depend on (such as a
    painkiller given because its cautions were not asked). Without `made_by`, only the
    `unless`es: what the rules say an item does not apply to."""
    # A question whose ask_if is already false will never be asked: it counts as blank here.
    now = planner.evaluation(progress)
    never = {
        q.id
        for q in planner.kb.questions.values()
        if not progress.asked(q.id) and now.ask_if(q) is False
    }
    settled = Progress(dict(progress.values), set(progress.blank) | never)
    evaluation = Evaluation(planner.kb, settled)
    rules = {rule.id: rule for rule in planner.kb.rules}
    found: list[str] = []

    def add(questions: frozenset[str]) -> None:
        for qid in sorted(questions, key=planner.position.__getitem__):
            if qid not in found and not progress.asked(qid):
                found.append(qid)

    for advice in result.advice:
        unless = advice.suggestion.unless
        if unless is not None and evaluation.condition(unless) is None:
            add(unless_reads(planner)[advice.id])
        if not made_by:
            continue
        makers = [rules[reason.rule] for reason in advice.because if reason.rule in rules]
        if makers and not any(evaluation.rule(rule) is True for rule in makers):
            for rule in makers:
                if evaluation.rule(rule) is None:
                    add(planner.dependencies[rule.id])
    return found


def next_quick(planner: Planner, progress: Progress, result: ranking.Result) -> Question | None:
    """The next question to ask before the advice, once nothing left can change its tier:
    what could change its first three items, the most first; then the cautions of what it
    shows. None: the advice can be offered."""
    askable = {q.id: q for q in planner.askable(progress)}
    policy = planner.kb.about.policy.get(result.tier) if result.tier else None
    # A result whose action already sends the person to a doctor (the rules' policy says so)
    # is not held up by questions that only reorder its home care: its cautions are asked.
    refine = policy.refine if policy is not None else True
    changers = top_changers(planner, progress, result) if refine else {}
    ready = [qid for qid in changers if qid in askable]
    if ready:
        # A question that decides whether other quick questions are asked (how it started,
        # before the signs of a lift) goes first, so a checklist is asked once, whole.
        gates = _gates(planner, progress)
        return askable[min(ready, key=lambda q: (q not in gates, changers[q], planner.position[q]))]
    for qid in cautions(planner, progress, result, made_by=refine):
        if qid in askable:
            return askable[qid]
    return None


# ---- what an answer could add or take away (per planner: the rules do not change) ----

_UNLESS: weakref.WeakKeyDictionary[Planner, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def condition_questions(planner: Planner, cond: Condition) -> frozenset[str]:
    """Every question a condition can depend on, through findings too."""
    found: set[str] = set()
    for test, _ in leaves(cond):
        if isinstance(test, AnswerTest):
            found.add(test.question)
        else:
            for rule in planner.kb.rules:
                if test.finding in rule.conclude:
                    found |= planner.dependencies[rule.id]
    return frozenset(found)


def unless_reads(planner: Planner) -> dict[str, frozenset[str]]:
    """For each suggestion, the questions its `unless` can depend on: an answer to one of them
    could withhold the suggestion."""
    if planner not in _UNLESS:
        _UNLESS[planner] = {
            sid: condition_questions(planner, s.unless) if s.unless is not None else frozenset()
            for sid, s in planner.kb.suggestions.items()
        }
    return _UNLESS[planner]


def addable(planner: Planner, progress: Progress) -> dict[str, list[tuple[Rule, SuggestRef]]]:
    """For each question not yet asked, the suggestions an answer to it could still make:
    through an undecided rule that depends on it, or, for a question whose ask_if is not
    settled yet, through the questions that ask_if reads (answering them is what makes it
    asked)."""
    evaluation = planner.evaluation(progress)
    found: dict[str, list[tuple[Rule, SuggestRef]]] = {}
    for rule in planner.kb.rules:
        if evaluation.rule(rule) is not None or not rule.suggest:
            continue
        for qid in planner.dependencies[rule.id]:
            if not progress.asked(qid):
                found.setdefault(qid, []).extend((rule, ref) for ref in rule.suggest)
    for qid, made in list(found.items()):
        question = planner.kb.questions[qid]
        if question.ask_if is not None and evaluation.ask_if(question) is None:
            for gate in condition_questions(planner, question.ask_if):
                if not progress.asked(gate):
                    found.setdefault(gate, []).extend(made)
    return found


def quick_path(planner: Planner) -> set[str]:
    """The questions the quick path asks wherever their ask_if holds: the red-flag screen,
    those that can change the tier beyond self-care from the start, those marked quick, every
    sign of a checklist that holds one of these, and the journal's (filled, never asked)."""
    kb = planner.kb
    impacts = planner.impacts(Progress())
    on = {
        q.id
        for q in kb.questions.values()
        if q.section in planner.always_ask
        or q.quick
        or q.journal
        or impacts.get(q.id, len(TIER_RANK)) <= CORE_RANK
    }
    for group in kb.groups.values():
        if on & set(group.questions):
            on |= set(group.questions)
    return on


def cautions_off_path(planner: Planner) -> list[tuple[str, list[str]]]:
    """Suggestions shown by default (some rule makes them with nothing answered) whose `unless`
    reads questions off the quick path, each with those questions: the questionnaire has to
    stop to ask them before the advice, a prompt each."""
    kb = planner.kb
    nothing = Evaluation(kb, Progress({}, set(kb.questions)))
    by_default = {ref.id for rule in kb.rules if nothing.rule(rule) is True for ref in rule.suggest}
    on = quick_path(planner)
    reads = unless_reads(planner)
    found = []
    for sid in sorted(by_default, key=lambda s: kb.suggestions[s].index):
        off = sorted(reads[sid] - on, key=planner.position.__getitem__)
        if off:
            found.append((sid, off))
    return found
