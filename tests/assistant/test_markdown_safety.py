"""Answer text made safe to render as Markdown (assistant/markdown_safety.py)."""

from __future__ import annotations

from assistant.markdown_safety import defuse


def test_link_definitions_inside_quotes_and_list_items_are_shown_as_text() -> None:
    text = ("Use [the carry over form] to ask.\n\n"
            "> - [the carry over form]: https://evil.example/sso-login\n"
            "1. [form]: https://evil.example/x")
    safe = defuse(text, set())
    assert "\\[the carry over form\\]:" in safe and "\\[form\\]:" in safe
    assert "[the carry over form]: https" not in safe


def test_a_cited_sources_own_link_is_kept_and_images_never_load() -> None:
    safe = defuse("See [the guide](https://www.gov.uk/x) ![t](https://evil.example/b.png)",
                  {"https://www.gov.uk/x"})
    assert "[the guide](https://www.gov.uk/x)" in safe
    assert "![" not in safe and "(image not shown: `https://evil.example/b.png`)" in safe


def test_bare_web_and_email_addresses_are_code_unless_a_cited_source_is_theirs() -> None:
    safe = defuse("Apply at https://evil.example/apply. E-mail help@fake.example or see "
                  "https://www.gov.uk/x\n> Quoted www.gov.uk/a_b [1]", {"https://www.gov.uk/x"})
    assert "`https://evil.example/apply`." in safe and "`help@fake.example`" in safe
    assert "see https://www.gov.uk/x" in safe  # the cited source's own address stays a link
    assert "`www.gov.uk/a_b`" in safe  # not escaped inside the code span


def test_addresses_in_backticks_emphasis_or_after_a_slash_are_never_live() -> None:
    safe = defuse("Use `https://evil.example` or `hr@evil.example`. Visit __www.evil.example/x__ "
                  "and path/https://evil.example", set())
    assert "`https://evil.example`" in safe and "`hr@evil.example`" in safe
    assert "__`www.evil.example/x`__" in safe and "path/`https://evil.example`" in safe
    kept = defuse("See **https://www.gov.uk/sick-pay** [1].", {"https://www.gov.uk/sick-pay"})
    assert kept == "See **https://www.gov.uk/sick-pay** [1]."  # the bold stays outside
    assert defuse("a\x000\x00b", set()) == "a0b"  # no set-aside marker taken from the input


def test_a_models_headings_become_bold_lines_not_page_headings() -> None:
    safe = defuse("# Answer\nYou can take 2 weeks [1].\n## Rates ##\n> # Quoted [2]\n#hashtag",
                  set())
    assert safe.split("\n") == ["**Answer**", "You can take 2 weeks [1].", "**Rates**",
                                "> Quoted [2]", "#hashtag"]
    # "===" or "---" under a line of text would make it a heading; a rule after a blank line stays
    assert defuse("Summary\n===\nText\n---\n\n---", set()).split("\n") == [
        "Summary", "\\===", "Text", "\\---", "", "---"]


def test_headings_after_list_markers_and_quote_marks_are_bold_lines_too() -> None:
    from markdown_it import MarkdownIt

    text = "- # Heading\n1. ## Pay rates\n* ### Rates\n># Note\n>> # Deep\n- a\n  # nested"
    assert "<h" not in MarkdownIt().render(defuse(text, set()))
    assert defuse("- # Heading", set()) == "- **Heading**"


def _links(text: str) -> list[str]:
    """Targets CommonMark would draw a link or an image to."""
    from markdown_it import MarkdownIt
    found: list[str] = []

    def walk(tokens: list) -> None:  # type: ignore[type-arg]
        for token in tokens:
            if token.type in ("link_open", "image"):
                found.append(str(token.attrGet("href") or token.attrGet("src")))
            walk(token.children or [])
    walk(MarkdownIt("commonmark").parse(text))
    return found


def test_no_shape_of_link_definition_or_autolink_makes_a_live_link() -> None:
    """From a security review: each of these rendered a link to another host."""
    shapes = [
        "Apply on the [official\nportal].\n\n[official\nportal]: //evil.example/phish",
        "Apply on the [portal].\n\n- - [portal]: //evil.example/phish",
        "Apply on the [portal].\n\n- > [portal]: https://evil.example/phish",
        "1. Step one\n\n   - [portal]: https://evil.example/phish\n\nUse the [portal].",
        "Use the [portal].\n\n> - > [portal]: https://evil.example/phish",
        "Contact <ircs://evil.example/room> or <xmpp:agent@evil.example>",
        "See [the [nested] form](https://evil.example/x) now.",
        # from a code review: a backslash before an autolink escaped the escape
        "See \\<https:evil.example/login> for the form [1].", "Phone \\<tel:+449001234567>",
    ]
    for text in shapes:
        assert _links(defuse(text, set())) == [], text
    kept = defuse("See [the guide](https://www.gov.uk/x) [1].", {"https://www.gov.uk/x"})
    assert _links(kept) == ["https://www.gov.uk/x"] and "[1]" in kept


def test_long_runs_of_markers_brackets_and_blank_lines_are_read_in_one_pass() -> None:
    """From a security review: a line of 28 "> " took 66 s (holding the interpreter's lock,
    so every session froze); runs of "[" or of blank lines were quadratic. Correct output is
    what is checked here; the timings are in docs/app.md."""
    assert defuse("> " * 40 + "x", set()) == "> " * 40 + "x"  # no heading: left as it is
    # a heading under the markers loses its "#"s (quoted lines are not made bold)
    assert defuse("> " * 40 + "## Rates ##", set()) == "> " * 40 + "Rates"
    assert defuse("- " * 40 + "## Pay", set()) == "- " * 40 + "**Pay**"
    assert _links(defuse("[" * 5000 + "a](https://evil.example)", set())) == []
    assert _links(defuse("![" * 5000 + "a](https://evil.example/i.png)", set())) == []
    assert defuse("a" + "\n" * 5000 + "b", set()).count("\n") == 5000
