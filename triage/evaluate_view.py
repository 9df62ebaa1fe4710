"""`spasm-triage evaluate` as text: one row per case, what each case's advice lacked or should
not have had, the questions each left blank, and the totals, laid out by rich to the terminal's
width (80 columns when piped). On a narrow terminal the rows give counts and the lists follow the
table, so no tier name or number is ever cut."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from triage.evaluate import TOP_WITHIN, Run, Verdict, totals

WIDE = 110  # below this, the lists of suggestions move out of the rows


def _top(verdict: Verdict, rank: int | None) -> str:
    if not verdict.case.top:
        return "-"
    return "none" if rank is None else f"#{rank}"


def _listed(ids: tuple[str, ...], wide: bool, style: str = "") -> Text:
    words = ", ".join(ids) if wide else (str(len(ids)) if ids else "")
    return Text(words, style=style if ids else "")


def _cases(outcome: Run, wide: bool) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        title="Cases",
        title_justify="left",
        pad_edge=False,
        padding=(0, 0),
    )
    table.add_column("case", overflow="fold", min_width=10)
    for name in ("expected", "given", "exact", "safe"):
        table.add_column(name, no_wrap=True)
    for name in ("missing", "violated"):
        table.add_column(
            name, overflow="fold", no_wrap=not wide, justify="left" if wide else "right"
        )
    table.add_column("top", justify="right", no_wrap=True)
    table.add_column("all", justify="right", no_wrap=True)
    table.add_column("prompts", justify="right", no_wrap=True)
    for v in outcome.verdicts:
        table.add_row(
            v.case.id,
            v.case.tier,
            v.tier or "(none)",
            "yes" if v.exact else "no",
            Text("yes") if v.safe else Text("NO", style="bold red"),
            _listed(v.missing, wide),
            _listed(v.violated, wide, "bold red"),
            _top(v, v.top_rank),
            _top(v, v.full.top_rank if v.full else None),
            str(v.replay.prompts),
        )
    return table


def _by_case(rows: list[tuple[str, str]]) -> Table:
    """Lines of 'case: list', the list wrapped under itself."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for case_id, text in rows:
        grid.add_row(Text(f"  {case_id}:"), Text(text))
    return grid


def _of(part: int, whole: int, share: float | None) -> tuple[str, str]:
    return ("-" if share is None else f"{share:.1%}", f"{part} of {whole}")


def _totals(t: dict[str, Any]) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        title="Totals",
        title_justify="left",
        pad_edge=False,
        collapse_padding=True,
        expand=True,  # as wide as the terminal: the layout does not move with the timing's digits
    )
    table.add_column("measure")
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("of", overflow="fold", ratio=1)  # the rest of the width is the last column's
    n = t["cases"]
    table.add_row("exact accuracy", *_of(t["exact"], n, t["exact_accuracy"]))
    for tier, row in t["accuracy_per_tier"].items():
        table.add_row(
            f"  accuracy, expected {tier}", *_of(row["exact"], row["cases"], row["accuracy"])
        )
    table.add_row("safety (expected tier or more urgent)", *_of(t["safe"], n, t["safety"]))
    table.add_row("under-triage", *_of(t["under_triaged"], n, t["under_triage_rate"]))
    table.add_row("over-triage", *_of(t["over_triaged"], n, t["over_triage_rate"]))
    table.add_row(
        "emergency recall", *_of(t["emergency_given"], t["emergency_cases"], t["emergency_recall"])
    )
    _advice_rows(table, t, "")
    same = t["same_first_three"]
    table.add_row(
        "same first 3, different top",
        str(len(same)),
        "; ".join(", ".join(ids) for ids in same) or "no two cases",
    )
    for key, label in (
        ("all", "prompts, median / max"),
        ("emergency", "  expected emergency"),
        ("non_emergency", "  the others"),
    ):
        p = t["prompts"][key]
        shown = "-" if p["median"] is None else f"{p['median']:g} / {p['max']}"
        table.add_row(label, shown, f"{p['cases']} cases")
    c = t["if_answered_all"]
    table.add_row("all answered (counterfactual):", "", "")
    table.add_row("  exact accuracy", *_of(c["exact"], c["cases"], c["exact_accuracy"]))
    table.add_row("  safety", *_of(c["safe"], c["cases"], c["safety"]))
    _advice_rows(table, c, "  ")
    speed = t["cases_per_second"]
    table.add_row(
        "cases per second",
        "-" if speed is None else f"{speed:,.0f}",
        f"{n} cases in {t['seconds'] * 1000:.0f} ms "
        f"(+{t['setup_seconds'] * 1000:.0f} ms compiling the rules)",
    )
    return table


def render(outcome: Run, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    wide = console.width >= WIDE
    console.print(_cases(outcome, wide))
    what = "the lists" if wide else "how many"
    console.print(
        Text(
            f"missing: expected suggestions not in the advice; violated: not_suggests in the "
            f"advice ({what}), as the person sees it after the questions the quick path "
            "asked; top: the number of the first 'top' item in that advice (none: not there; "
            "-: the case has no top); all: the same if they answered every question "
            "(a counterfactual)"
        )
    )
    verdicts = outcome.verdicts
    lists: list[tuple[str, list[tuple[str, tuple[str, ...]]]]] = []
    if not wide:
        lists.append(("Missing from the advice:", [(v.case.id, v.missing) for v in verdicts]))
        lists.append(
            ("In the advice against its not_suggests:", [(v.case.id, v.violated) for v in verdicts])
        )
    lists.append(
        (
            "Left blank (asked by the questionnaire, not answered by the case):",
            [(v.case.id, v.replay.blank) for v in verdicts],
        )
    )
    for title, per_case in lists:
        rows = [(case_id, ", ".join(ids)) for case_id, ids in per_case if ids]
        if rows:
            console.print()
            console.print(Text(title))
            console.print(_by_case(rows))
    console.print()
    console.print(_totals(totals(outcome)))


def _advice_rows(table: Table, totals: dict[str, Any], indent: str) -> None:
    """The advice's measures, scored on the quick path or, indented, on every answer."""
    s = totals["suggests"]
    table.add_row(f"{indent}suggests met", *_of(s["met"], s["expected"], s["share"]))
    table.add_row(f"{indent}not_suggests violations", str(totals["not_suggests_violations"]), "")
    top = totals["top_in_first_three"]
    value, of = _of(top["met"], top["cases"], top["share"])
    table.add_row(f"{indent}a top item in the first {TOP_WITHIN}", value, f"{of} cases with top")
