"""The command line: a thin layer over the library. Problems become one line each on stderr
and an exit code; never a traceback. Heavy modules are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from triage.errors import AnswersError, Location, Problem, RunawayError, TriageError

EXIT_OK, EXIT_RULES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spasm-triage",
        description="Triage for a lifter's lower-back spasm: red flags first, then ranked, "
        "sourced advice. Not a diagnosis.",
    )
    parser.add_argument(
        "--answers",
        metavar="FILE",
        help="YAML or JSON file mapping question ids to answers ('-' reads stdin)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="output format (default: text)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    questions = commands.add_parser(
        "questions", help="list every question: id, wording, type, choices"
    )
    questions.add_argument("--format", choices=("text", "json"), default="text", dest="list_format")
    check = commands.add_parser("check", help="load and validate rule files")
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="rule directories or files (default: the shipped rules)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "questions":
            return _questions(args.list_format)
        if args.command == "check":
            return _check([Path(p) for p in args.paths] or None)
        if args.answers is not None:
            return _consult(args.answers, args.format)
        print(
            "spasm-triage: give your answers with --answers FILE (YAML or JSON; "
            "'spasm-triage questions' lists the questions). See --help.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except TriageError as exc:
        show_codes = not isinstance(exc, AnswersError)
        for problem in exc.problems:
            line = str(problem) if show_codes else f"{problem.location}: {problem.message}"
            print(line, file=sys.stderr)
        return exc.exit_code
    except RunawayError as exc:
        print(f"spasm-triage: {exc}", file=sys.stderr)
        return EXIT_RULES
    except KeyboardInterrupt:
        print("\nspasm-triage: interrupted; nothing was changed.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK


def _consult(answers_path: str, fmt: str) -> int:
    from triage import answers, loading, ranking, report
    from triage.engine import Engine

    kb = loading.load()
    name = "<stdin>" if answers_path == "-" else answers_path
    try:
        raw = sys.stdin.buffer.read() if answers_path == "-" else Path(answers_path).read_bytes()
    except OSError as exc:
        problem = Problem("A001", f"cannot read the answers file: {exc.strerror}", Location(name))
        raise AnswersError([problem]) from None
    given = answers.read_bytes(raw, name, kb)
    result = ranking.rank(kb, given, Engine(kb).consult(given))
    render = {"json": report.to_json, "markdown": report.to_markdown, "text": report.to_text}[fmt]
    sys.stdout.write(render(result, kb).rstrip("\n") + "\n")
    return EXIT_OK


def _questions(fmt: str) -> int:
    import json

    from triage import loading

    kb = loading.load()
    listing = [
        {
            "id": q.id,
            "section": q.section,
            "ask": q.ask,
            "type": q.type,
            "choices": [c for c, _ in q.choices]
            if q.choices
            else (["yes", "no", "unsure"] if q.type == "yes_no" else []),
            "unit": q.unit,
            "why": q.why,
        }
        for q in kb.questions.values()
    ]
    if fmt == "json":
        print(json.dumps(listing, indent=2, ensure_ascii=False))
        return EXIT_OK
    for q in listing:
        accepts = {"number": f"a number ({q['unit'] or 'plain'})", "scale": "0-10"}.get(
            str(q["type"]), " / ".join(q["choices"] or [])
        )
        print(f"{q['id']}  [{q['section']}, {q['type']}: {accepts}]\n    {q['ask']}")
    return EXIT_OK


def _check(paths: list[Path] | None) -> int:
    from triage import loading
    from triage.engine import compile_rules

    kb = loading.load(paths)
    compile_rules(kb)  # proves every rule compiles to experta, not only that it parses
    print(
        f"ok: {len(kb.files)} files, {len(kb.questions)} questions, {len(kb.rules)} rules, "
        f"{len(kb.suggestions)} suggestions, {len(kb.sources)} sources, "
        f"{len(kb.disagreements)} disagreements"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
