"""The rule authors' commands: questions, check, test, evaluate, schema and graph (explain:
triage/cli/explain.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from triage.conditions import YES_NO
from triage.errors import (
    EXIT_OK,
    EXIT_RULES,
    EXIT_USAGE,
    Location,
    Problem,
    RulesError,
    printable,
)
from triage.model import KnowledgeBase

# The one spelling of an author's install, in a clone: every command then reads the clone's rules/.
EDITABLE_INSTALL = '.venv/bin/pip install -e ".[test]"'


def questions(fmt: str, rules: list[Path]) -> int:
    import json

    from triage.knowledge import loading

    kb = loading.load(rules)
    if fmt == "yaml":
        from triage.template import answers_template

        sys.stdout.write(answers_template(kb))
        return EXIT_OK
    listing = [
        {
            "id": q.id,
            "section": q.section,
            "ask": q.ask,
            "type": q.type,
            "choices": [c for c, _ in q.choices]
            if q.choices
            else (list(YES_NO) if q.type == "yes_no" else []),
            "unit": q.unit,
            "why": q.why,
            "journal": q.journal,
        }
        for q in kb.questions.values()
    ]
    if fmt == "json":
        print(json.dumps(listing, indent=2, ensure_ascii=False))
        return EXIT_OK
    for q in listing:
        if q["journal"]:
            accepts = f"from your journal ({q['journal']}), never asked"
        else:
            accepts = {"number": f"a number ({q['unit'] or 'plain'})", "scale": "0-10"}.get(
                str(q["type"]), " / ".join(q["choices"] or [])
            )
        print(f"{q['id']}  [{q['section']}, {q['type']}: {accepts}]\n    {q['ask']}")
    return EXIT_OK


def check(paths: list[Path], packs: list[Path], strict: bool) -> int:
    """Every problem in one run, sorted by file and line, each with its line and a caret."""
    from triage import lint
    from triage.engine import compile_rules
    from triage.knowledge import loading

    if paths and not _has_about(loading.rule_files(paths)):
        # A pack (no 'about' block of its own) is checked as it is used: on the shipped rules.
        packs, paths = [*paths, *packs], []
    paths = [*(paths or [loading.shipped_rules_dir()]), *packs]
    files = loading.rule_files(paths)
    kb: KnowledgeBase | None = None
    suppressed = 0
    try:
        kb = loading.load(paths, trust_cache=False)  # a check reports the files, not a cache
    except RulesError as exc:
        problems, suppressed = exc.problems, exc.suppressed
    else:
        compile_rules(kb)  # proves every rule compiles to experta, not only that it parses
        problems = lint.lint(kb)
    problems = [*problems, *_schema_pointers(paths[0])]
    problems = sorted(problems, key=Problem.sort_key)
    sources: dict[str, list[str]] = {}
    for problem in problems:
        print(_relative(str(problem)))
        print(_snippet(problem.location, sources), end="")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    counted = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(len(files), 'file')}"
    if kb is None:
        if suppressed:
            unread = "the file" if len(problems) == 1 else "the files"
            counted += (
                f"; {_plural(suppressed, 'more problem')} in the other files not shown: they "
                f"may follow from {unread} above, which could not be read; put it right and "
                "run check again"
            )
        print(counted)
        return EXIT_RULES
    print(
        f"ok: {_plural(len(kb.files), 'file')}, {_plural(len(kb.questions), 'question')}, "
        f"{_plural(len(kb.rules), 'rule')}, {_plural(len(kb.suggestions), 'suggestion')}, "
        f"{_plural(len(kb.sources), 'source')}, "
        f"{_plural(len(kb.disagreements), 'disagreement')}; {counted}"
    )
    return EXIT_RULES if strict and warnings else EXIT_OK


def test(paths: list[Path], rules: list[Path]) -> int:
    from triage import testing
    from triage.knowledge import loading

    kb = loading.load(rules, trust_cache=False)  # tests test the files, not a cache
    # By default: the shipped rules' tests and each pack's own tests/ folder.
    default = [r / "tests" for r in rules if (r / "tests").is_dir()]
    files = testing.case_files(paths or default)
    if not files:
        print("spasm-triage: no test cases found (rules/tests/*.yaml)", file=sys.stderr)
        return EXIT_USAGE
    outcomes = testing.run(kb, files)
    gaps = testing.untested(kb, outcomes, files)
    text, passed = testing.report([*outcomes, *gaps], testing.unfired(kb, outcomes, files))
    sys.stdout.write(_relative(text))
    return EXIT_OK if passed else EXIT_RULES


def evaluate(paths: list[Path], fmt: str, rules: list[Path]) -> int:
    """Realistic cases scored like symptom-checker vignettes; exit 1 on an unsafe case or a
    violated not_suggests, 2 on a case file that cannot be evaluated."""
    from triage import evaluate, testing
    from triage.knowledge import loading

    files = testing.case_files(paths)
    if not files:
        shown = ", ".join(str(p) for p in paths)
        print(f"spasm-triage: no case files (*.yaml) in {shown}", file=sys.stderr)
        return EXIT_USAGE
    kb = loading.load(rules, trust_cache=False)  # judged on the files, not a cache
    cases = evaluate.read(kb, files)
    outcome = evaluate.run(kb, cases)
    if fmt == "json":
        import json

        print(json.dumps(evaluate.as_dict(outcome), indent=2, ensure_ascii=False))
    else:
        from triage import evaluate_view

        evaluate_view.render(outcome)
    if outcome.failed:
        unsafe = [v.case.id for v in outcome.verdicts if v.under]
        violating = [v.case.id for v in outcome.verdicts if v.violated]
        reasons = []
        if unsafe:
            reasons.append(f"under-triaged (unsafe): {', '.join(unsafe)}")
        if violating:
            reasons.append(f"not_suggests violated: {', '.join(violating)}")
        print(f"spasm-triage evaluate: {'; '.join(reasons)}", file=sys.stderr)
        return EXIT_RULES
    return EXIT_OK


def schema(cases: bool) -> int:
    from importlib import resources

    name = "cases.schema.json" if cases else "schema.json"
    sys.stdout.write(resources.files("triage").joinpath(name).read_text(encoding="utf-8"))
    return EXIT_OK


def graph(fmt: str, focus: str | None, rules: list[Path]) -> int:
    from triage import graph
    from triage.knowledge import loading

    kb = loading.load(rules)
    try:
        if fmt in ("mermaid", "dot"):
            sys.stdout.write(graph.draw(kb, fmt, focus))
            return EXIT_OK
        from triage import graph_picture

        if fmt == "png" and sys.stdout.isatty():
            print("spasm-triage: a PNG is not for a terminal: spasm-triage graph --format png "
                  "> graph.png", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        drawn = graph_picture.picture(kb, fmt, focus)
    except KeyError:
        from triage.errors import did_you_mean

        names = [*kb.questions, *kb.findings, *kb.suggestions]
        print(
            f"spasm-triage: no question, finding or suggestion '{focus}'"
            f"{did_you_mean(str(focus), names)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except graph_picture.NeedsGraphviz:
        print("spasm-triage: a PNG is drawn by Graphviz, which is not installed (apt install "
              "graphviz, brew install graphviz, or graphviz.org); --format html or svg draws "
              "without it", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    except OSError as exc:
        print(f"spasm-triage: Graphviz could not draw it ({exc})", file=sys.stderr)
        return EXIT_RULES
    sys.stdout.flush()
    sys.stdout.buffer.write(drawn)
    sys.stdout.buffer.flush()
    return EXIT_OK


def _relative(text: str) -> str:
    """The tool's own rules/, when it is under the current folder (an editable install, run in
    its clone), named relative, as `check rules` or `test rules/tests` name it."""
    import os

    from triage.knowledge.rule_files import shipped_rules_dir

    shipped, here = shipped_rules_dir(), Path.cwd()
    if not shipped.is_relative_to(here):
        return text
    return text.replace(f"{shipped}{os.sep}", f"{shipped.relative_to(here)}{os.sep}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def note_if_clone_is_not_used() -> None:
    """Run from a clone whose rules/ is not the one in use (a non-editable install), a rule
    author's edits would be silently ignored: the first line of the output says so, before any
    "ok" about other rules."""
    from triage.knowledge.rule_files import shipped_rules_dir

    here = Path.cwd()
    project = here / "pyproject.toml"
    try:
        is_clone = (here / "rules" / "about.yaml").is_file() and (
            'name = "spasm-triage"' in project.read_text(encoding="utf-8")
        )
    except OSError:
        return
    if is_clone and (here / "rules").resolve() != shipped_rules_dir().resolve():
        print(
            f"spasm-triage: note: using the installed rules ({shipped_rules_dir()}), not this "
            f"clone's rules/, so edits here are not seen; to work on them: {EDITABLE_INSTALL}",
            flush=True,
        )


def _schema_pointers(folder: Path) -> list[Problem]:
    """In a clone, every shipped rule file and rule test starts with the line that points
    editors at the schema (docs/rules.md, "Completion and hover help"): a file without it gets
    no help in an editor, and the project's tests refuse it. Only where the schema is there to
    point at (a clone's rules/, beside triage/), never for a pack."""
    from triage.errors import NO_SCHEMA_POINTER

    if not folder.is_dir() or not (folder.parent / "triage" / "schema.json").is_file():
        return []
    found = []
    for pattern, line in (
        ("*.yaml", "# yaml-language-server: $schema=../triage/schema.json"),
        ("tests/*.yaml", "# yaml-language-server: $schema=../../triage/cases.schema.json"),
    ):
        for file in sorted(folder.glob(pattern)):
            try:
                with file.open(encoding="utf-8", errors="replace") as opened:
                    first = opened.readline().rstrip("\r\n")
            except OSError:
                continue  # the load reports a file it cannot read
            if first != line:
                found.append(
                    Problem(
                        NO_SCHEMA_POINTER,
                        f"the first line should point editors at the schema: {line}",
                        Location(str(file), 1, 1),
                        severity="warning",
                    )
                )
    return found


def _has_about(files: list[Path]) -> bool:
    """Whether the files hold a whole knowledge base: one of them has the 'about' block."""
    import re

    from triage.files import TooLarge, read_bounded
    from triage.knowledge.rule_files import MAX_RULE_FILE

    for file in files:
        try:
            raw = read_bounded(file, MAX_RULE_FILE, regular=True)
        except (OSError, TooLarge):
            return True  # let the load report the file as it is
        if re.search(rb"^about\s*:", raw, re.M):
            return True
    return False


def _snippet(location: Location, sources: dict[str, list[str]]) -> str:
    """The offending line with a caret under the column, as compilers show it."""
    if location.line <= 0:
        return ""
    if location.file not in sources:
        from triage.files import TooLarge, read_bounded
        from triage.knowledge.rule_files import MAX_RULE_FILE

        try:
            raw = read_bounded(location.file, MAX_RULE_FILE)
            sources[location.file] = raw.decode("utf-8-sig", errors="replace").splitlines()
        except (OSError, TooLarge):
            sources[location.file] = []
    lines = sources[location.file]
    if location.line > len(lines):
        return ""
    number = str(location.line)
    gutter = " " * len(number)
    caret = " " * max(location.col - 1, 0) + "^"
    return f" {number} | {printable(lines[location.line - 1])}\n {gutter} | {caret}\n"
