"""The validated knowledge base: plain, frozen dataclasses, built once from the YAML files."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

from triage.conditions import Condition
from triage.errors import Location

# The tier vocabulary is an interface: output, rules and other tools rely on these exact words.
Tier = Literal["emergency", "urgent", "see_clinician", "self_care", "training", "prevention"]
TIERS: tuple[str, ...] = get_args(Tier)  # most urgent first
TIER_RANK = MappingProxyType({tier: rank for rank, tier in enumerate(TIERS)})

QuestionType = Literal["yes_no", "one_of", "many_of", "number", "scale"]
NUMERIC_TYPES = frozenset({"number", "scale"})
WEIGHT_UNIT = "weight"
WEIGHT_UNITS = ("kg", "lb")


@dataclass(frozen=True)
class Section:
    """A group of questions asked together (a rule file, or several joined), in `order`."""

    id: str
    title: str
    order: int
    always_ask: bool
    location: Location = field(compare=False)


@dataclass(frozen=True)
class Source:
    """Where knowledge came from: a forum thread, a guideline, a published article, book, video
    or course, or personal experience."""

    id: str
    kind: Literal["forum_thread", "guideline", "article", "book", "video", "course", "personal"]
    title: str
    published: str
    file: str | None
    url: str | None
    location: Location = field(compare=False)
    # A copy, summary or report of someone else's publication: the output says so.
    secondary: bool = False


@dataclass(frozen=True)
class Question:
    """Something the user is asked (or the journal answers), with what it accepts."""

    id: str
    ask: str
    type: QuestionType
    why: str
    choices: tuple[tuple[str, str], ...]  # (id, words shown), in file order
    unit: str | None
    min: float | None
    max: float | None
    ask_if: Condition | None
    short: str
    priority: int
    section: str
    location: Location = field(compare=False)
    journal: str | None = None  # filled from the spasm journal, never asked
    group: str | None = None  # the checklist it is asked in, with the group's other signs
    sign: str = ""  # its words as a line of that checklist ("" : its `ask`)
    tick: str | None = None  # the answer a tick on its sign gives (None: yes; unticked: blank)
    quick: bool = False  # asked before the advice wherever it could change the first three
    # Choices that answers files of an earlier wording may hold, each with what changed.
    retired: tuple[tuple[str, str], ...] = ()

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(choice for choice, _ in self.choices)

    def from_mark(self, mark: Any) -> Any:
        """The answer a checklist's mark on this sign gives: yes (ticked), no (unticked) or
        unsure. A sign with a `tick` gives that answer when ticked, and is left blank (None)
        when not: an unticked line never stands for the question's other answers."""
        if self.tick is None or mark is None:
            return mark
        if mark == "yes":
            return self.tick
        if mark == "unsure":  # every sign with a tick can say it (triage/knowledge/items.py checks)
            return "unsure"
        return None

    def to_mark(self, value: Any) -> Any:
        """The mark on its sign that gives this answer (the inverse of from_mark)."""
        if self.tick is None or value is None:
            return value
        if value == self.tick:
            return "yes"
        return "unsure" if value == "unsure" else "no"

    def label(self, choice: str) -> str:
        return dict(self.choices).get(choice, choice)

    @property
    def is_weight(self) -> bool:
        return self.type == "number" and self.unit == WEIGHT_UNIT


@dataclass(frozen=True)
class Group:
    """Yes/no signs asked on one screen: "which of these apply?", with "none of these". Each
    sign stays its own question for rules, answers files and the journal."""

    id: str
    ask: str
    why: str
    questions: tuple[str, ...]  # in asking order
    section: str
    location: Location = field(compare=False)


@dataclass(frozen=True)
class Finding:
    """An intermediate conclusion rules draw and other rules build on."""

    id: str
    means: str
    location: Location = field(compare=False)


@dataclass(frozen=True)
class SuggestRef:
    """A rule's pointer to a suggestion, optionally overriding its tier."""

    id: str
    tier: Tier | None  # None: the suggestion's own tier


@dataclass(frozen=True)
class Rule:
    """When `when` holds, conclude findings and make suggestions."""

    id: str
    when: Condition
    conclude: tuple[str, ...]
    suggest: tuple[SuggestRef, ...]
    confidence: float | None
    priority: int
    index: int  # load order, the tie-break for equal priorities
    location: Location = field(compare=False)
    section: str = ""  # the section of the file it is written in
    # Its answers only make the advice safe for the person (a guard), they do not make it fit
    # them: what it suggests ranks with the advice for everyone.
    for_everyone: bool = False


@dataclass(frozen=True)
class Citation:
    """Who said it, where, in their words: every suggestion carries at least one."""

    source: str
    poster: str | None
    quote: str


@dataclass(frozen=True)
class NumberSpec:
    """A personal number: a fraction of one of the user's answers, rounded per unit."""

    of: str
    times: float
    round_to: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Suggestion:
    """A piece of advice, with its tier, confidence, evidence and sources."""

    id: str
    tier: Tier
    text: str
    personal: str | None
    placeholders: tuple[str, ...]  # the {names} in `personal`, checked when loaded
    numbers: tuple[tuple[str, NumberSpec], ...]
    confidence: float
    evidence: Literal[
        "clinical_guideline", "several_posters", "one_poster", "expert_opinion", "personal_experience"
    ]
    sources: tuple[Citation, ...]
    safety_net: bool
    index: int
    location: Location = field(compare=False)
    unless: Condition | None = None  # when it does not apply, whatever rule makes it
    brief: str | None = None  # one line for the short result; else its first sentence
    action: str | None = None  # a red flag's own action and time frame: the result's banner

    @property
    def short_text(self) -> str:
        """What the short result shows: the brief, or the text's first sentence."""
        if self.brief:
            return self.brief
        first = self.text.split(". ")[0].rstrip(".")
        return first + "."

    @property
    def title(self) -> str:
        """Its first clause, as a short name: in explanations, follow-ups and the history."""
        first = self.text.split(". ")[0].split(": ")[0].rstrip(".")
        return first if len(first) <= 60 else first[:59].rstrip() + "…"


@dataclass(frozen=True)
class Disagreement:
    """Suggestions whose sources contradict each other, and which one is preferred."""

    id: str
    topic: str
    prefer: str
    over: tuple[str, ...]
    why: str
    location: Location = field(compare=False)


@dataclass(frozen=True)
class TierText:
    """What a tier is called and the action it asks for, as shown to the user."""

    title: str
    action: str


@dataclass(frozen=True)
class TierPolicy:
    """What a result at one tier leaves out, and the line that says so."""

    drop: tuple[str, ...]  # tiers of advice not shown with a result at this tier
    left_out: str  # said under the result when anything was left out
    # Whether the quick path asks what could only reorder the advice before a result at this
    # tier: not where the tier's action already sends the person to a doctor.
    refine: bool = True


@dataclass(frozen=True)
class ResultWords:
    """The words around the advice groups, and how long the short result is."""

    personal_title: str = "From your answers"
    generic_title: str = "For any back spasm"
    safety_net_title: str = "What would change this advice"
    tell_title: str = "What to tell them"
    reported_title: str = "Signs you reported"
    disclaimer_short: str = ""
    # Red-flag questions an answers file left out are taken as no: said, with {count}.
    unanswered: str = ""
    per_group: int = 3  # items per group in the short result (red-flag tiers: all of them)
    personal_first: tuple[str, ...] = ("self_care", "training", "prevention")
    # One deadline per result, the banner's: the heading of a group less urgent than the result
    # (a tier, "personal" or "generic"), saying it comes after the banner's action.
    later_titles: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Read from YAML as a dict; held, like every mapping of the model, read-only.
        object.__setattr__(self, "later_titles", MappingProxyType(dict(self.later_titles)))


@dataclass(frozen=True)
class About:
    """The words around the advice: the disclaimer, the intro, the tiers' texts."""

    disclaimer: str
    intro: str
    tiers: MappingProxyType[str, TierText]
    weight_unit_question: str | None
    # What a local rule pack may add to but never weaken (see triage.knowledge.protect).
    protected_sections: tuple[str, ...] = ()
    protected_tiers: tuple[str, ...] = ()
    # Per result tier, what it leaves out (rules/about.yaml `policy`); a tier not named keeps all.
    policy: MappingProxyType[str, TierPolicy] = field(default_factory=lambda: MappingProxyType({}))
    words: ResultWords = field(default_factory=ResultWords)
    # Hosts that copy other people's publications: a source cited there gets a warning (W111).
    source_mirrors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Disabled:
    """A rule a local pack turned off (`disable:`), kept so that explanations can say so."""

    rule: str
    location: Location  # where the pack disables it
    suggests: tuple[str, ...]  # what the rule would have suggested


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the rule files say, validated and cross-checked; never changed."""

    sections: tuple[Section, ...]
    sources: MappingProxyType[str, Source]
    questions: MappingProxyType[str, Question]  # in asking order
    findings: MappingProxyType[str, Finding]
    rules: tuple[Rule, ...]  # in firing order
    suggestions: MappingProxyType[str, Suggestion]
    disagreements: tuple[Disagreement, ...]
    about: About
    files: tuple[str, ...]
    fingerprint: str  # a hash of the files that made it: which rules gave a piece of advice
    groups: MappingProxyType[str, Group] = field(default_factory=lambda: MappingProxyType({}))
    disabled: tuple[Disabled, ...] = ()
    # With local packs loaded: the shipped knowledge loaded on its own. Its verdict on the same
    # answers leads every result (triage.ranking), so no pack can reach it. Never cached with
    # the whole: loading attaches it each time.
    shipped: KnowledgeBase | None = field(default=None, compare=False, repr=False)
