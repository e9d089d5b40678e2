"""Flag evidence-rich responses: specific figures, sources, or first-hand experience."""

from __future__ import annotations

import re

# a number that measures something: money, a share, a count of people or things, a period, a
# year; not an age ("I am 45"), a reference ("Section 12", "question 3") or a lone number
_REFERENCE = (r"(?<!section )(?<!clause )(?<!paragraph )(?<!para )(?<!question )(?<!page )"
              r"(?<!part )(?<!article )(?<!chapter )(?<!schedule )(?<!item )(?<!point )"
              r"(?<!option )(?<!rule )(?<!am )(?<!aged )(?<!age )(?<!i'm )")
_FIGURES = re.compile(
    r"(£|\$|€)\s?\d|\b\d+(\.\d+)?\s?(%|per ?cent|pounds|pence|p\b|k\b|m\b|bn\b)"
    r"|\b\d{1,3}(,\d{3})+\b|\b(hundreds|thousands|millions|billions)\b"
    r"|\b(in|since|from|by|until|of) (19|20)\d\d\b"
    r"|" + _REFERENCE + r"\b\d+(\.\d+)? ?(minutes|hours|days|years|months|weeks|times|"
    r"(?!years? old)(?:[a-z]+ )?(people|children|adults|patients|families|staff|members|"
    r"users|customers|residents|businesses|shops|jobs|cases|deaths|incidents|respondents|"
    r"students|pupils|households|players|venues|premises|outlets|stores|employees|workers))\b"
    r"|" + _REFERENCE + r"\b\d{3,}\b(?! years? old)",
    re.IGNORECASE,
)
# a source named or cited: "research by", "a 2023 study", "according to", "figures from"
_SOURCES = re.compile(
    r"\b(according to|a (recent |new |\d{4} )?(study|survey|report|review|trial|poll)|"
    r"(research|studies|evidence|data|figures|statistics|surveys?|reports?|polls?)"
    r" (by|from|of|shows?|showed|suggests?|suggested|found|finds|indicates?|published|"
    r"demonstrates?|proves?|confirms?)|"
    r"published (by|in)|per ?cent|"
    r"a (third|quarter|half|fifth|tenth) of)\b",
    re.IGNORECASE,
)
# first-hand experience: the respondent's own work, family or clients; not "as a result" or
# "I was not consulted"
_EXPERIENCE = re.compile(
    r"\b(my (son|daughter|husband|wife|partner|father|mother|dad|mum|brother|sister|friend|family|"
    r"child|children|colleague|colleagues|patients?|clients?|club|customers|pupils|students)|"
    r"as an? (?!result\b|consequence\b|whole\b|rule\b|matter\b|society\b|country\b|nation\b|"
    r"minimum\b|start\b|general\b|means\b|way\b|last\b|first\b|bare\b|direct\b|side\b|"
    r"starting\b|further\b|precaution\b|deterrent\b|baseline\b|priority\b|nation\b)[a-z]+|"
    r"i (work|worked|have worked|lost|saw|have seen|used to (work|be|run|own|gamble|smoke|vape|"
    r"play|drink))|i was (a|an|once|working|employed|diagnosed|treated|addicted|made|forced|"
    r"refused|homeless|attacked|injured|robbed|sacked|evicted)\b|i've (seen|watched|lost|worked)|"
    r"lost (my|our)|my local|in my (experience|work|job|practice|role|career)|our (organisation|"
    r"members|clients|service|charity|business|shop|staff|customers))\b",
    re.IGNORECASE,
)


def evidence_signals(text: str) -> list[str]:
    """Which kinds of evidence ``text`` shows: 'figures', 'sources', 'experience'."""
    found = []
    if _FIGURES.search(text):
        found.append("figures")
    if _SOURCES.search(text):
        found.append("sources")
    if _EXPERIENCE.search(text):
        found.append("experience")
    return found


def is_evidence_rich(text: str) -> bool:
    """True when the response gives at least one kind of specific evidence."""
    return bool(evidence_signals(text))
