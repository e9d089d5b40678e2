"""Flag evidence-rich responses: specific figures, sources, or first-hand experience."""

from __future__ import annotations

import re

# a number that measures something: money, a share, a count of people or things, a period, a
# year; not an age ("I am 45"), a reference ("Section 12", "question 3") or a lone number
_AMOUNTS = re.compile(
    r"[£$€]\s?\d|\b\d+(\.\d+)?\s?(%|per ?cent|pounds|pence|p\b|k\b|m\b|bn\b)"
    r"|\b\d{1,3}(,\d{3})+\b|\b(hundreds|thousands|millions|billions)\b"
    r"|\b(in|since|from|by|until|of) (19|20)\d\d\b",
)
_COUNTS = re.compile(
    r"\b\d+(\.\d+)? ?(minutes|hours|days|years|months|weeks|times|"
    r"(?!years? old)([a-z]+ )?(people|children|adults|patients|families|staff|members|"
    r"users|customers|residents|businesses|shops|jobs|cases|deaths|incidents|respondents|"
    r"students|pupils|households|players|venues|premises|outlets|stores|employees|workers))\b"
    r"|\b\d{3,}\b(?! years? old)",
)
# words before a number that make it a reference or an age, checked after a count matches
_NOT_COUNTED_AFTER = frozenset([
    "section", "clause", "paragraph", "para", "question", "page", "part", "article", "chapter",
    "schedule", "item", "point", "option", "rule", "am", "aged", "age", "i'm",
])
# a source named or cited: "research by", "a 2023 study", "according to", "figures from"
_SOURCES = re.compile(
    r"\b(according to|a (recent |new |\d{4} )?(study|survey|report|review|trial|poll)|"
    r"(research|studies|evidence|data|figures|statistics|surveys?|reports?|polls?)"
    r" (by|from|of|shows?|showed|suggests?|suggested|found|finds|indicates?|published|"
    r"demonstrates?|proves?|confirms?)|"
    r"published (by|in)|per ?cent|"
    r"a (third|quarter|half|fifth|tenth) of)\b",
)
# first-hand experience: things that happened to the respondent, their family or clients, or the
# work they do ("I lost", "my son", "when I worked as a nurse", "I have been a carer for 10
# years"); not "as a result", "such as a ban", "I see this as a tax" or "I was a bit surprised"
_NOT_A_ROLE = (r"(?!(result|consequence|whole|rule|matter|society|country|nation|minimum|start|"
               r"general|means|way|last|first|bare|direct|side|starting|further|precaution|"
               r"deterrent|baseline|priority)\b)")
_EXPERIENCE = re.compile(
    r"\b(my (son|daughter|husband|wife|partner|father|mother|dad|mum|brother|sister|friend|family|"
    r"child|children|colleague|colleagues|patients?|clients?|club|customers|pupils|students)|"
    r"(^|[.!?;:(\n]\s*|speaking |(work|worked|working|write|writing|respond|responding|speak|"
    r"volunteer|volunteered|serve|served|trained|qualified|retired) )as an? " + _NOT_A_ROLE
    + r"[a-z]+|"
    r"i (work|worked|have worked|lost|saw|have seen|used to (work|be|run|own|gamble|smoke|vape|"
    r"play|drink))|i was (once|working|employed|diagnosed|treated|addicted|forced|"
    r"refused|homeless|attacked|injured|robbed|sacked|evicted)\b|i've (seen|watched|lost|worked)|"
    r"(i|we)('ve| have| had)( been| worked| lived| volunteered| cared| run| owned| taught)"
    r"\b[^.!?]{0,60}?\bfor (over |more than |nearly |almost |about )?\w+ (years|decades)|"
    r"i was an? [a-z]+ (for|until)\b|"
    r"lost (my|our)|my local|in my (experience|work|job|practice|role|career)|our (organisation|"
    r"members|clients|service|charity|business|shop|staff|customers))\b",
)


def evidence_signals(text: str) -> list[str]:
    """Which kinds of evidence ``text`` shows: 'figures', 'sources', 'experience'."""
    found = []
    text = text.lower()  # the patterns are lower case: IGNORECASE makes each search slower
    if _AMOUNTS.search(text) or _has_count(text):
        found.append("figures")
    if _SOURCES.search(text):
        found.append("sources")
    if _EXPERIENCE.search(text):
        found.append("experience")
    return found


def is_evidence_rich(text: str) -> bool:
    """True when the response gives at least one kind of specific evidence."""
    return bool(evidence_signals(text))


def _has_count(text: str) -> bool:
    """True when a number counts something and is not a reference or an age ("Section 12")."""
    for match in _COUNTS.finditer(text):
        at = match.start()
        before = text[max(0, at - 12):at].split()
        if text[at - 1:at] != " " or not before or before[-1].lower() not in _NOT_COUNTED_AFTER:
            return True
    return False
