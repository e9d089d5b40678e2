"""What a unit chosen for an offline answer brings with it, and which passage leads.

A sentence or list item chosen by score rarely reads right alone: a list item needs its lead-in
and its list, a sentence opening "This means..." the one before it, a sentence introducing a
table the table, a rule with a worked example the example, one case of a rule ("0 to 8 weeks
after the death") its parallel case. The helpers here take the units of the top sources (in
source and position order) and the chosen ones, and return what to quote with them, within
MAX_WORDS; ``case_first`` orders the passages, and ``list_goes_on`` and ``tables_going_on`` say
which quoted lists and tables go on past what is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence

from assistant.types import SECTION_SEPARATOR, Chunk, ScoredChunk
from assistant.units import Unit, is_table_row, label_kind, leads_in, text_lines
from assistant.words import STOPWORDS, stem, terms

MAX_WORDS = 180  # words quoted in all, at most
MAX_ITEMS = 10  # a list longer than this is quoted in part, with its lead-in

# pointers to other pages or tools ("Use the calculator", "Read more about"): rarely the answer
POINTER = re.compile(
    r"^(?:Use the|Read more|Find out more|Find out how|There's a separate guide|"
    r"This guide is also available|You can also read|See the|"
    r"This file may not be suitable for users of assistive technology)\b", re.IGNORECASE)
POINTER_WEIGHT = 0.6  # a pointer's score is multiplied by this
# a sentence that leans on the one before it ("This means...", "They must...")
# ("However," goes on from what came before; "However you claim, ..." starts afresh)
_LEANS_BACK = re.compile(
    r"^(?:(?:This|These|That|Those|It|They|Such|So|He|She|Or|But)\b|However,"
    # "To delay it, write to them...", "If so, ...", "If this happens, ..."
    # (not "To ensure that the ...", where "that" joins a clause)
    r"|To \w+ (?:it|them|this|that)(?=[,.;])|To \w+ (?:it|them)\b"
    r"|If (?:so|not|this|that|it|they)\b)"
    # "No more payments will be made after that."
    r"|^.*\b(?:after|before|since|until|from) (?:that|then|this)\.$")
_COMPOUND = re.compile(r"[a-z]+(?:-[a-z]+)*")  # "self-employed", "seven-year-old"; no figures


def _whole_terms(text: str) -> set[str]:
    """Content words as ``terms``, a hyphenated compound as one ("seven-year-old" is an age,
    not the word "year"), a possessive as its word ("worker’s" is "worker"), no figures."""
    return {stem(w) for w in _COMPOUND.findall(text.lower())
            if len(w) > 2 and w not in STOPWORDS}


def case_first(order: Sequence[int], sources: Sequence[ScoredChunk], chosen: Sequence[Unit],
               question: str) -> list[int]:
    """``order`` with each passage under a subheading that names a circumstance of the case
    put before the passage of the section above it, which states the general rule: "Carrying
    over leave > Workers on parental or sick leave" (up to 20 days) before "Carrying over
    leave" (a maximum of 8) when the worker was off sick. The subheading's word must name
    this case alone: no other source found (the general passage, a second chunk of it, a
    sibling case "due after 6 April 2024") uses it in its title, section or text ("workers"
    does not make every worker's question a sick worker's), and the passage quoted from under
    it uses it too (its parental leave sentence, quoted alone, is no sick worker's rule). A
    label folding two sibling sections ("A > B; C") names no one case."""
    asked = _whole_terms(question)
    out = list(order)
    for narrow in order:
        specific = sources[narrow].chunk
        quoted = _whole_terms(" ".join(u.text for u in chosen if u.source == narrow))
        for general in out[:out.index(narrow)]:
            chunk = sources[general].chunk
            extra = specific.section[len(chunk.section):]
            if chunk.doc_id != specific.doc_id or ";" in chunk.section or ";" in extra \
                    or not extra.startswith(SECTION_SEPARATOR) \
                    or not specific.section.startswith(chunk.section):
                continue
            said = _whole_terms(" ".join(f"{s.chunk.title} {s.chunk.section} {s.chunk.text}"
                                         for s in sources if s.chunk.section != specific.section))
            if (_whole_terms(extra) - said) & asked & quoted:
                out.remove(narrow)
                out.insert(out.index(general), narrow)
                break
    return out


def items_of_a_relevant_lead_in(units: Sequence[Unit], scores: Sequence[float],
                                stating: Collection[int]) -> list[float]:
    """A list item stating the fact asked for ("£40 a week") under a lead-in that itself answers
    well ("You can get the Island Posting Allowance ... if all of the following apply:") scores
    as its lead-in does: the item has none of the question's words, its lead-in has them."""
    out = list(scores)
    for i in stating:
        if not units[i].is_item:
            continue
        j = i
        while j > 0 and units[j - 1].is_item and units[j - 1].source == units[i].source \
                and units[j - 1].position == units[j].position - 1:
            j -= 1
        lead = j - 1
        if lead >= 0 and units[lead].source == units[i].source \
                and units[lead].position == units[j].position - 1 \
                and leads_in(units[lead].text):
            out[i] = max(out[i], scores[lead])
    return out


def list_goes_on(units: Sequence[Unit], chosen: Sequence[Unit]) -> set[tuple[int, int]]:
    """(source, position) of each chosen list item whose list goes on with items not chosen: a
    list quoted in part must not read as the whole list."""
    at = {(u.source, u.position): u for u in units}
    picked = set(chosen)
    return {(u.source, u.position) for u in chosen
            if u.is_item and (after := at.get((u.source, u.position + 1))) is not None
            and after.is_item and after not in picked}


def tables_going_on(sources: Sequence[ScoredChunk], units: Sequence[Unit],
                    chosen: Sequence[Unit], next_chunk: Callable[[Chunk], Chunk | None] | None
                    ) -> set[tuple[int, int]]:
    """(source, position) of each chosen table row that ends its chunk when the next chunk of
    the document goes on with the same table: same section, opening with the same header row
    (ingest repeats it). The employer National Insurance rates run to 16 rows over three
    chunks; quoted from the first alone, rows A to C read as the whole table and row M, the
    0% for employees under 21, was nowhere (an employer adviser's review)."""
    if next_chunk is None:
        return set()
    out: set[tuple[int, int]] = set()
    for rank in {u.source for u in chosen}:
        last = max((u for u in units if u.source == rank), key=lambda u: u.position)
        chunk = sources[rank].chunk
        lines = [line for line in text_lines(chunk.text) if line]
        rows = [line for line in lines if is_table_row(line)]
        if last not in chosen or not rows or lines[-1] != rows[-1]:  # (no row of it ends it)
            continue
        after = next_chunk(chunk)
        opening = next((line for line in text_lines(after.text) if line), "") if after else ""
        if after is not None and after.section == chunk.section and opening == rows[0]:
            out.add((rank, last.position))
    return out


def with_their_lists(units: list[Unit]) -> list[Unit]:
    """``units`` without a last line that is a lead-in ("You must contact the enquiry line
    straight away if:" ending a chunk): its list is in the next chunk, so it would promise a list
    and give none."""
    return units[:-1] if units and leads_in(units[-1].text) else units
PARALLEL_WORDS = 5  # first sentences under sibling headings that open alike state parallel cases


def parallel_cases(units: Sequence[Unit], chosen: Sequence[Unit], docs: Sequence[str]
                   ) -> list[Unit]:
    """Units to quote beside ``chosen``: a chosen first sentence under a heading line brings
    the first sentence under each heading line of the same document's sources that names
    another case of the same thing (``_parallel``) and opens with the same PARALLEL_WORDS
    words: "0 to 8 weeks after the death" / "An employee must give you notice before ..." and
    "9 to 56 weeks after the death" / "An employee must give you at least one week's notice
    ..." are one rule's two cases, and quoting one alone answers for the wrong case as often as
    the right one. Within MAX_WORDS in all. ``docs``: the document of each source, by rank."""
    firsts: dict[tuple[str, str], Unit] = {}
    for unit in units:
        if unit.heading and not unit.is_item and unit.source < len(docs):
            firsts.setdefault((docs[unit.source], unit.heading), unit)
    extra: list[Unit] = []
    words = sum(len(u.text.split()) for u in chosen)
    for unit in chosen:
        if unit.source >= len(docs) or firsts.get((docs[unit.source], unit.heading)) is not unit:
            continue
        opening = unit.text.casefold().split()[:PARALLEL_WORDS]
        for (doc, heading), other in firsts.items():
            if doc == docs[unit.source] and _parallel(heading, unit.heading) \
                    and other.text.casefold().split()[:PARALLEL_WORDS] == opening \
                    and other not in chosen and other not in extra \
                    and words + len(other.text.split()) <= MAX_WORDS:
                extra.append(other)
                words += len(other.text.split())
    return extra
_EXAMPLE = re.compile(r"^(?:For (?:example|instance)\b|Example:)")


def with_examples(units: Sequence[Unit], chosen: list[Unit]) -> list[Unit]:
    """A chosen sentence brings the worked example right after it ("Part-time workers ... are
    entitled to at least 5.6 weeks' paid holiday ..." then "For example, if they work 3 days a
    week, they must get at least 16.8 days' leave a year"): the example is often the only place
    the figure for a case is written (an HR caseworker's review). Within MAX_WORDS in all."""
    words = sum(len(u.text.split()) for u in chosen)
    taken = set(chosen)
    out = list(chosen)
    for unit in chosen:
        index = units.index(unit)
        following = units[index + 1] if index + 1 < len(units) else None
        if following is None or following in taken or following.is_item or unit.is_item \
                or following.source != unit.source \
                or following.position != unit.position + 1 \
                or following.heading != unit.heading or not _EXAMPLE.match(following.text) \
                or words + len(following.text.split()) > MAX_WORDS:
            continue
        out.append(following)
        taken.add(following)
        words += len(following.text.split())
    return sorted(out, key=lambda u: (u.source, u.position))


# a sentence that limits the one before it: "This is only allowed in exceptional circumstances."
_LIMITS = re.compile(r"\b(?:only|not|unless|except|cannot|can['’]t|never)\b", re.IGNORECASE)
QUALIFIER_WORDS = 25  # a limiting sentence longer than this says more than a limit


def with_qualifiers(units: Sequence[Unit], chosen: list[Unit]) -> list[Unit]:
    """A quoted sentence or list brings a short sentence right after it that leans back on it
    and limits it: "You can ask for your repayments to be delayed ... Repayments can be delayed
    for: 3 months ... 1 month ..." then "This is only allowed in exceptional circumstances."
    Quoted without it, a delay reads as anyone's for the asking (a debt adviser's review).
    One that leads in a list comes with its list ("To get an Adult Dependants' Grant, another
    adult must depend on you financially." then "They cannot be any of the following:" and
    "your partner if you're under 25 - unless you're married ...": an education adviser's
    review), or not at all. Same heading, next position, within QUALIFIER_WORDS words (the
    sentence) and MAX_WORDS in all. Not a pointer or boilerplate ("This file may not be
    suitable for users of assistive technology."). A limit naming another nation than the one
    asked about is quoted all the same, by design: "This is only available in Scotland." after
    a rule quoted for a Welsh case is what that case needs to know."""
    words = sum(len(u.text.split()) for u in chosen)
    at = {(u.source, u.position): u for u in units}
    taken = set(chosen)
    out = list(chosen)
    for unit in chosen:
        following = at.get((unit.source, unit.position + 1))
        if following is None or following in taken or following.is_item \
                or following.heading != unit.heading or not _LEANS_BACK.match(following.text) \
                or not _LIMITS.search(following.text) or POINTER.match(following.text) \
                or len(following.text.split()) > QUALIFIER_WORDS:
            continue
        brought = _list_around(units, units.index(following)) if leads_in(following.text) \
            else [following]
        added = sum(len(u.text.split()) for u in brought if u not in taken)
        if (leads_in(following.text) and len(brought) < 2) or words + added > MAX_WORDS:
            continue  # a lead-in whose list is not in this chunk, or too long to quote
        out += [u for u in brought if u not in taken]
        taken.update(brought)
        words += added
    return sorted(out, key=lambda u: (u.source, u.position))


def bridged(units: Sequence[Unit], chosen: list[Unit], elsewhere: Collection[Unit] = ()
            ) -> list[Unit]:
    """A single sentence left out between two chosen sentences under one heading is quoted
    too, within MAX_WORDS: a "…" in its place hid "pay these into your staff's pension
    scheme by the 22nd day ... of the next month", the one date asked for, between two
    sentences that were quoted (an employer adviser's review). Not a pointer ("This guide is
    also available in Welsh"), which says nothing of the case, nor one of ``elsewhere`` (about
    another nation than the one asked about: Scotland's Winter Heating Payment in a Welsh
    case). The first of the two may end a list: "You can ask for your repayments to be delayed
    if you cannot afford them." between a list of repayment periods and "Repayments can be
    delayed for:" (a debt adviser's review)."""
    words = sum(len(u.text.split()) for u in chosen)
    at = {(u.source, u.position): u for u in units}
    out = list(chosen)
    for first, then in zip(chosen, chosen[1:], strict=False):
        middle = at.get((first.source, first.position + 1))
        if middle is None or then.source != first.source \
                or then.position != first.position + 2 \
                or middle.is_item or then.is_item or middle in elsewhere \
                or POINTER.match(middle.text) \
                or not first.heading == middle.heading == then.heading \
                or words + len(middle.text.split()) > MAX_WORDS:
            continue
        out.append(middle)
        words += len(middle.text.split())
    return sorted(out, key=lambda u: (u.source, u.position))


def _parallel(a: str, b: str) -> bool:
    """Two headings naming cases of one thing, told apart only by figures and the words that
    compare them: "0 to 8 weeks after the death" and "9 to 56 weeks after the death"; "If the
    baby is due before 6 April 2024" and "... on or after 6 April 2024". Not "Staying in
    approved education" and "... training", nor "England" and "Scotland": separate rules."""
    if a == b or not any(ch.isdigit() for ch in a + b):
        return False
    words_a, words_b = (set(_CASE_WORD.findall(h.casefold())) - _COMPARING for h in (a, b))
    return bool(words_a) and words_a == words_b
_CASE_WORD = re.compile(r"[^\W\d]+(?:['’][^\W\d]+)?")  # words without figures
_COMPARING = frozenset({"before", "after", "on", "or", "from", "to", "until", "under", "over",
                        "up", "and", "between", "than", "more", "less", "at", "least", "most",
                        "aged", "age"})


def with_list_context(units: Sequence[Unit], chosen: list[Unit],
                      elsewhere: Collection[Unit] = ()) -> list[Unit]:
    """A chosen lead-in ('You must:') or list item brings its whole list (lead-in and items);
    a chosen sentence that leans on the one before it ('This means...') brings that one,
    unless it is one of ``elsewhere`` (about another nation than the one asked about)."""
    keep = set(chosen)
    for unit in chosen:
        index = units.index(unit)
        if unit.is_item or leads_in(unit.text):
            run = _list_around(units, index)
            keep.update(run)
            keep.update(_lead_ins_above(units, run))
        elif _LEANS_BACK.match(unit.text) and index > 0 and \
                units[index - 1].source == unit.source and not units[index - 1].is_item \
                and units[index - 1].position == unit.position - 1 \
                and units[index - 1].heading == unit.heading and units[index - 1] not in elsewhere:
            keep.add(units[index - 1])
    return sorted(keep, key=lambda u: (u.source, u.position))


def with_tables(units: Sequence[Unit], chosen: list[Unit], question: str) -> list[Unit]:
    """A chosen sentence right before a table brings the table: the sentence introduces it
    ("The maximum amount you can get depends on where you live." over the rates), and quoted
    alone it promises figures it does not give (an education adviser's review). Only a table
    under the same heading that shares a word with the question, its header and as many rows
    as fit MAX_WORDS (at most MAX_ITEMS)."""
    asked = set(terms(question))
    words = sum(len(u.text.split()) for u in chosen)
    out, taken = list(chosen), set(chosen)
    for unit in chosen:
        index = units.index(unit)
        if unit.is_item or not _table_after(units, index):
            continue
        table = _table_rows(units, index + 1)
        if not any(asked & set(terms(row.text)) for row in table):
            continue  # a table about something else that happens to follow
        rows = [row for row in table if row not in taken]
        while rows and words + sum(len(r.text.split()) for r in rows) > MAX_WORDS:
            rows.pop()
        if len(rows) >= 2:  # a header and at least one row
            out += rows
            taken.update(rows)
            words += sum(len(r.text.split()) for r in rows)
    return sorted(out, key=lambda u: (u.source, u.position))


def _table_rows(units: Sequence[Unit], start: int) -> list[Unit]:
    """The table starting at ``units[start]``: its header and at most MAX_ITEMS rows."""
    rows = [units[start]]
    for unit in units[start + 1:]:
        last = rows[-1]
        if len(rows) > MAX_ITEMS or not (unit.is_item and is_table_row(unit.text)) \
                or unit.source != last.source or unit.position != last.position + 1 \
                or unit.heading != last.heading:
            break
        rows.append(unit)
    return rows


def _table_after(units: Sequence[Unit], index: int) -> bool:
    """Whether a table starts right after ``units[index]`` (same source, next position): the
    sentence before a table introduces it ("The maximum amount you can get depends on where
    you live." over the rates), and quoted alone it promises figures it does not give."""
    if index + 1 >= len(units):
        return False
    unit, following = units[index], units[index + 1]
    return following.is_item and is_table_row(following.text) \
        and following.source == unit.source and following.position == unit.position + 1 \
        and following.heading == unit.heading


def _lead_ins_above(units: Sequence[Unit], run: Sequence[Unit]) -> list[Unit]:
    """The lead-ins a nested list hangs from, above the one it starts with: "(a) provide
    either:" over "(i) evidence ..." is itself an item of "V 7.3. If the applicant is applying
    for an 11-month entry clearance ... they must also:", which sets when it applies."""
    found: list[Unit] = []
    first = run[0] if run else None
    for _ in range(3):  # nested lists rarely go deeper
        if first is None or not (first.is_item and leads_in(first.text)):
            break
        outer = _list_around(units, units.index(first))
        if not outer or outer[0] is first or not leads_in(outer[0].text):
            break
        found.append(outer[0])
        first = outer[0]
    return found


def _list_around(units: Sequence[Unit], index: int) -> list[Unit]:
    """The lead-in and items of the list that ``units[index]`` belongs to (capped at MAX_ITEMS)."""
    source = units[index].source
    start = index
    while start > 0 and units[start].is_item and units[start - 1].source == source:
        start -= 1
        if _nested_lead_in(units, start, index):
            break
    if "|" in units[index].text:  # a table row: from the table's first row (its header)
        while not ("|" in units[start].text and units[start].is_item):
            start += 1
    elif not _nested_lead_in(units, start, index) and (
            units[start].is_item or not leads_in(units[start].text)):
        start = index if units[index].is_item else index + 1
    nested = _nested_lead_in(units, start, index)
    end = max(start, index) + 1
    while end < len(units) and units[end].is_item and units[end].source == source \
            and not (nested and _outside(units[start], units[index], units[end])):
        end += 1
    run = list(units[start:end])
    if len(run) <= MAX_ITEMS + 1:
        return run
    # a long list: its lead-in and the chosen item, or, when the lead-in itself was chosen, its
    # first items (a lead-in alone would promise a list and give none)
    lead_in_chosen = index == start and leads_in(units[start].text)
    return run[:MAX_ITEMS + 1] if lead_in_chosen else [units[start], units[index]]


def _nested_lead_in(units: Sequence[Unit], start: int, index: int) -> bool:
    """Whether the item at ``start``, above the chosen item, introduces the list the chosen item
    is in: "CR 3.3. Where the application is under Appendix Long Residence, the applicant must
    not have:" over "(a) spent a total of more than 548 days outside the UK". The condition its
    items depend on, so quoted with them. Indents decide where the text has them; loaders often
    write nested lists flat, and then a lead-in's sibling is told by its label: "CR 3.5." after
    "CR 3.3. ... must not have:" and its "(a)", "(b)" is no item of it."""
    lead, item = units[start], units[index]
    if not (start < index and lead.is_item and leads_in(lead.text)):
        return False
    if lead.depth != item.depth:
        return lead.depth < item.depth
    kind = label_kind(lead.text)
    return kind is None or kind != label_kind(item.text)


def _outside(lead: Unit, item: Unit, other: Unit) -> bool:
    """Whether ``other``, after the nested list that ``lead`` introduces, has left it."""
    if item.depth > lead.depth:
        return other.depth <= lead.depth
    kind = label_kind(lead.text)
    return leads_in(other.text) or (kind is not None and kind == label_kind(other.text))
