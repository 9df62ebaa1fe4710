"""Sources a clinician would accept (issue 20): every shipped source can be opened at the primary
publication's address, `check` says what it can offline about an address, and a secondary source
says so wherever the advice names it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from conftest import run_cli, write_rules

from triage.errors import SOURCE_BAD_ADDRESS, SOURCE_MIRROR, SOURCE_NO_ADDRESS
from triage.lint import lint
from triage.model import KnowledgeBase

SOURCE_CODES = {SOURCE_NO_ADDRESS, SOURCE_MIRROR, SOURCE_BAD_ADDRESS}


def test_every_shipped_source_has_an_address_check_accepts(shipped: KnowledgeBase) -> None:
    problems = [p for p in lint(shipped) if p.code in SOURCE_CODES]
    assert problems == [], "\n".join(p.message for p in problems)
    for source in shipped.sources.values():
        if source.kind == "personal":
            continue
        assert source.url, source.id
        assert urlsplit(source.url).scheme in ("http", "https"), source.id


def test_no_shipped_source_is_on_the_mirror_list_the_rules_keep(shipped: KnowledgeBase) -> None:
    # The list is knowledge (rules/about.yaml): the test reads it rather than repeating it.
    mirrors = shipped.about.source_mirrors
    assert mirrors, "the shipped rules name no mirror hosts"
    for source in shipped.sources.values():
        host = (urlsplit(source.url or "").hostname or "").lower()
        assert not any(host == m or host.endswith("." + m) for m in mirrors), source.id


def test_a_forum_thread_is_cited_by_its_address_not_only_a_saved_copy(
    shipped: KnowledgeBase,
) -> None:
    threads = [s for s in shipped.sources.values() if s.kind == "forum_thread"]
    assert threads and all(s.url for s in threads)


def test_a_secondary_source_says_so_in_the_text_and_markdown_results(tmp_path: Path) -> None:
    pack = write_rules(
        tmp_path / "pack",
        {
            "mine.yaml": """
                sources:
                  - id: copied_guide
                    kind: guideline
                    title: "A guideline read as a copy"
                    published: "the guideline body, reproduced by a clinic's blog"
                    url: "https://clinic.example.org/copy-of-guideline"
                    secondary: true
                suggestions:
                  - id: copied_advice
                    tier: self_care
                    text: "Walk for ten minutes every hour."
                    confidence: 0.9
                    evidence: clinical_guideline
                    sources: [{source: copied_guide, quote: "Walk often."}]
                rules:
                  - {id: copied_rule, when: {}, suggest: copied_advice, priority: 600}
            """
        },
    )
    given = tmp_path / "answers.yaml"
    given.write_text("weight_unit: kg\n", encoding="utf-8")
    for fmt in ("text", "markdown"):
        done = run_cli(
            "--rules", str(pack), "--answers", str(given), "--no-journal", "--full", "--format", fmt
        )
        assert done.returncode == 0, done.stderr
        assert "Walk for ten minutes every hour." in done.stdout
        named = [line for line in done.stdout.splitlines() if "A guideline read as a copy" in line]
        assert named and all("secondary source" in line for line in named), fmt


def test_check_warns_about_each_address_a_reader_could_not_open(tmp_path: Path) -> None:
    pack = write_rules(
        tmp_path / "pack",
        {
            "mine.yaml": """
                sources:
                  - {id: no_address, kind: guideline, title: T, published: P}
                  - {id: cut_short, kind: guideline, title: T, published: P,
                     url: "https://www.cochranelibrary.com/cdsr/doi/10.1002/x.pub2//th"}
                  - {id: on_a_mirror, kind: guideline, title: T, published: P,
                     url: "https://www.scribd.com/document/1/paper"}
                  - {id: fine, kind: guideline, title: T, published: P,
                     url: "https://www.nhs.uk/conditions/back-pain/"}
                suggestions:
                  - id: s
                    tier: self_care
                    text: "T."
                    confidence: 0.5
                    evidence: clinical_guideline
                    sources:
                      - {source: no_address, quote: Q.}
                      - {source: cut_short, quote: Q.}
                      - {source: on_a_mirror, quote: Q.}
                      - {source: fine, quote: Q.}
                rules:
                  - {id: r, when: {}, suggest: s}
            """
        },
    )
    done = run_cli("--rules", str(pack), "check", "--strict")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    for code, sid in (
        (SOURCE_NO_ADDRESS, "no_address"),
        (SOURCE_BAD_ADDRESS, "cut_short"),
        (SOURCE_MIRROR, "on_a_mirror"),
    ):
        assert any(f"{code}: source '{sid}'" in line for line in lines), (code, done.stdout)
    assert not any("source 'fine'" in line for line in lines)
