"""The command line's words: every command and option with its help, the examples in --help,
and `help [COMMAND]`. Parsing only: what each command does is in cli.py and its siblings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from triage.errors import EXIT_OK, EXIT_USAGE

PACKS_ENV = "SPASM_TRIAGE_RULES"  # local rule packs, separated like PATH

EXAMPLES = """examples:
  spasm-triage                              the questionnaire, in a terminal
  spasm-triage --demo                       an example lifter's advice; keeps nothing
  spasm-triage --answers mine.yaml          advice from a file of answers
  spasm-triage questions --format yaml > mine.yaml   a template of every question to fill in
  spasm-triage history                      your earlier spasms and what helped
  spasm-triage help check                   the help of one command

Not a diagnosis. If you are worried, call a doctor, your health line or your emergency number."""


COMMAND_EXAMPLES = {
    "questions": """  spasm-triage questions                    every question: id, wording, type, choices
  spasm-triage questions --format yaml > mine.yaml   a file of answers to fill in""",
    "check": """  spasm-triage check                        the shipped rules, with every local pack
  spasm-triage check my-rules               a pack, on top of the shipped rules
  spasm-triage check --strict               warnings fail too (exit 1)""",
    "test": """  spasm-triage test                         every shipped rule test
  spasm-triage --rules my-rules test my-rules/tests   a pack's own tests""",
    "evaluate": """  spasm-triage evaluate tests/cases/bank/   a row per case, then the totals
  spasm-triage evaluate my-cases.yaml --format json""",
    "schema": """  spasm-triage schema > my-rules/rules.schema.json   for an editor's completion""",
    "graph": """  spasm-triage graph --focus glute_activation   what leads to one piece of advice
  spasm-triage graph --focus tail_tuck --format html > tail_tuck.html   a page to open offline
  spasm-triage graph --format png > graph.png   with Graphviz installed""",
    "history": """  spasm-triage history                      the latest consultations and a chart
  spasm-triage history --format csv > journal.csv   everything, for a spreadsheet
  spasm-triage history --forget             delete the journal, after asking""",
    "follow-up": """  spasm-triage follow-up                    asks about each suggestion
  spasm-triage follow-up --helped heat_for_pain --not-helped stay_active""",
    "explain": """  spasm-triage explain tail_tuck_seen       a rule in plain words, with its sources
  spasm-triage explain wake_up_glutes --answers mine.yaml   why it fired, or why not
  spasm-triage explain heat_for_pain --last   ... in your last consultation, from the journal""",
}


COMMANDS = (
    "questions", "check", "test", "evaluate", "schema", "graph", "history", "follow-up",
    "explain", "help",
)  # fmt: skip


def consultation(argv: Sequence[str] | None) -> bool:
    """Whether a command line (one argparse refused) was asking for advice, not a command."""
    words = sys.argv[1:] if argv is None else list(argv)
    return not any(word in COMMANDS for word in words)


def parser(commands: bool = True) -> argparse.ArgumentParser:
    """The command line's parser. Without `commands`, only the consultation's options: what a
    bare `spasm-triage` parses, so the questionnaire's first screen waits for no command's
    parser (the same values: a command's own options are set only when it is given)."""
    from triage import __version__

    parser = argparse.ArgumentParser(
        prog="spasm-triage",
        description="Triage for a lifter's lower-back spasm: red flags first, then ranked, "
        "sourced advice. Not a diagnosis.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"spasm-triage {__version__}")
    parser.add_argument(
        "--answers",
        metavar="FILE",
        help="YAML or JSON file mapping question ids to answers ('-' reads stdin)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="output format with --answers (default: text)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="the advice for an example lifter (a poster of the T Nation thread), keeping "
        "nothing: no journal, no cache",
    )
    parser.add_argument(
        "--interactive",
        action="store_true",
        help="with --answers: take those answers and ask only what is missing",
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue an unfinished questionnaire"
    )
    parser.add_argument(
        "--save", metavar="FILE", help="also write the advice as Markdown, e.g. for a physio"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="show everything: every item, its confidence, why, and each source's quote",
    )
    # --rules and --journal go before a command or after it. Given after, SUPPRESS keeps the
    # command's own default from erasing one given before.
    common = argparse.ArgumentParser(add_help=False)
    journal = argparse.ArgumentParser(add_help=False)
    for target, default in ((parser, None), (common, argparse.SUPPRESS)):
        target.add_argument(
            "--rules",
            action="append",
            dest="packs",
            metavar="DIR",
            default=default,
            help="a local rule pack: a directory (or file) of rules loaded after the shipped "
            f"ones; repeatable (also ${PACKS_ENV}, separated like PATH)",
        )
    for target, default in ((parser, None), (journal, argparse.SUPPRESS)):
        target.add_argument(
            "--journal",
            metavar="PATH",
            default=default,
            help="the spasm journal (SQLite) to use (default: in your user data folder; also "
            "$SPASM_TRIAGE_JOURNAL)",
        )
        target.add_argument(
            "--no-journal",
            action="store_true",
            default=False if target is parser else argparse.SUPPRESS,
            help="keep nothing: no history, no resume",
        )
    if not commands:
        parser.set_defaults(command=None)
        return parser
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    questions = subparsers.add_parser(
        "questions", parents=[common], help="list every question: id, wording, type, choices"
    )
    questions.add_argument(
        "--format",
        choices=("text", "json", "yaml"),
        default="text",
        dest="list_format",
        help="a list to read (default), JSON, or a commented answers file to fill in (yaml)",
    )
    check = subparsers.add_parser("check", parents=[common], help="load and validate rule files")
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="rule directories or files (default: the shipped rules)",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    test = subparsers.add_parser(
        "test", parents=[common], help="run the rule tests (YAML cases beside the rules)"
    )
    test.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="case files or directories (default: the shipped rules' tests)",
    )
    evaluate = subparsers.add_parser(
        "evaluate",
        parents=[common],
        help="score realistic cases: tier accuracy, safety, advice, prompts (exit 1 if unsafe)",
    )
    evaluate.add_argument("paths", nargs="+", metavar="FILE", help="case files or directories")
    evaluate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        dest="evaluate_format",
        help="a row per case and the totals (default), or everything as one JSON object",
    )
    schema = subparsers.add_parser(
        "schema", help="print the JSON Schema of rule files (or --cases: of rule-test files)"
    )
    schema.add_argument("--cases", action="store_true", help="the schema of rules/tests/*.yaml")
    graph = subparsers.add_parser(
        "graph", parents=[common], help="draw questions -> findings -> suggestions"
    )
    graph.add_argument(
        "--format",
        choices=("mermaid", "dot", "html", "svg", "png"),
        default="mermaid",
        dest="graph_format",
        help="Mermaid, which GitHub draws (default); Graphviz dot; or a picture to open "
        "offline: html (one self-contained page), svg, or png (needs Graphviz)",
    )
    graph.add_argument(
        "--focus", metavar="ID", help="only what connects to this question, finding or suggestion"
    )
    history = subparsers.add_parser(
        "history",
        parents=[common, journal],
        help="past episodes, what helped, a chart per month; or export or forget them",
    )
    history.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        dest="history_format",
        help="a table and a chart to read (default), JSON, or CSV for a spreadsheet",
    )
    history.add_argument("--forget", action="store_true", help="delete the journal (asks first)")
    history.add_argument("--yes", action="store_true", help="with --forget: do not ask")
    follow = subparsers.add_parser(
        "follow-up",
        parents=[common, journal],
        help="say which suggestions of your last consultation you tried, and what helped",
    )
    for flag, what in (
        ("--tried", "tried, without saying whether it helped"),
        ("--helped", "tried, and it helped"),
        ("--not-helped", "tried, no help"),
    ):
        follow.add_argument(
            flag,
            action="append",
            default=[],
            metavar="SUGGESTION",
            help=f"a suggestion you {what} (repeatable; without any of these flags, you are asked)",
        )
    explain = subparsers.add_parser(
        "explain",
        parents=[common, journal],
        help="why a rule or suggestion fired or not; without --answers or --last, it in plain words",
    )
    explain.add_argument("name", metavar="RULE_OR_SUGGESTION", help="a rule's or a suggestion's id")
    against = explain.add_mutually_exclusive_group()
    against.add_argument(
        "--answers",
        dest="explain_answers",
        metavar="FILE",
        help="YAML or JSON answers to explain it against ('-' reads stdin)",
    )
    against.add_argument(
        "--last",
        action="store_true",
        help="explain it against your last consultation in the journal (its answers and history)",
    )
    helper = subparsers.add_parser("help", help="this help, or a command's: spasm-triage help check")
    helper.add_argument(
        "topic", nargs="?", metavar="COMMAND", help="the command to explain (default: all)"
    )
    for listed in subparsers._choices_actions:  # a command's own help says what it does, and how
        command = subparsers.choices[listed.dest]
        command.description = f"{listed.help[0].upper()}{listed.help[1:]}." if listed.help else None
        if listed.dest in COMMAND_EXAMPLES:
            command.epilog = "examples:\n" + COMMAND_EXAMPLES[listed.dest]
            command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def show_help(parser: argparse.ArgumentParser, topic: str | None) -> int:
    if topic is None:
        parser.print_help()
        return EXIT_OK
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        chosen = getattr(action, "choices", None) or {}
        if topic in chosen:
            chosen[topic].print_help()
            return EXIT_OK
        from triage.errors import did_you_mean

        known = ", ".join(c for c in chosen if c != "help")
        print(
            f"spasm-triage: no command '{topic}'{did_you_mean(topic, chosen)}; commands: {known}",
            file=sys.stderr,
        )
    return EXIT_USAGE
