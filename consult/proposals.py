"""What a consultation question asks: a view on a proposal, and which way that proposal points
(restricts, enables, lifts a rule) and what it proposes; or ideas (an open question, a closing
"anything else?" question), which have no proposal to agree with.
"""

from __future__ import annotations

import re
from typing import Literal

_RESTRICTS = re.compile(
    r"\b(ban(ned|ning|s)?|prohibit\w*|restrict\w*|limit(ed|ing|s)?|cap(ped|ping)?|curb\w*|"
    r"scrap\w*|abolish\w*|outlaw\w*|phase out|crack down|clamp down|tighten\w*|"
    r"tax(es|ed|ing)?|levy|levies|fees?|fines?|charg(e|es|ing))\b")
_ENABLES = re.compile(
    r"\b(permanent\w*|allow\w*|introduc\w*|expand\w*|extend\w*|legalis\w*|legaliz\w*|"
    r"continu\w*|keep|kept|approv\w*|build|invest\w*|creat\w*|reopen\w*)\b")
# proposals turned round: lifting a restriction is its own direction ("lifts"); no longer
# allowing something restricts
_LIFTS = re.compile(
    r"\b(lift(s|ed|ing)?|remov(e|es|ed|ing)|end(s|ed|ing)?|scrap(s|ped|ping)?|abolish\w*|"
    r"drop(s|ped|ping)?|relax\w*|eas(e|ed|ing))\b"
    r"[^.?,;]{0,20}\b(ban|bans|tax|taxes|cap|caps|charge|charges|limit|limits|restrictions?|"
    r"levy|fee|fees)\b|\b(ban|tax|cap|charge|limit|restrictions?|levy|fee)\b"
    r"(?:(?!\b(?:now|where|when|once|since|after|because|if|while)\b)[^.?,;]){0,80}\b"
    r"(be )?(lifted|removed|ended|scrapped|abolished|dropped|relaxed|eased)\b"
    r"|\b(removal|abolition|scrapping|lifting|ending) of (the )?\w*\s?(ban|tax|cap|charge|"
    r"limit|restrictions?|levy|fee)s?\b")
_NO_LONGER = re.compile(r"\b(no longer|not|never) be (allowed|permitted|available|offered|"
                        r"kept|open|funded)\b")
# the question's own proposal, "should X be (made) permanent" -> "permanent"
_PROPOSED = re.compile(
    r"\b(?:should|to|would|will|could|be) "
    r"(?:(?!(?:so|that|if|when|can|could|will|would|may|might)\b)[\w-]+ ){0,8}?"
    r"be (?:made |completely |fully |"
    r"totally |entirely |permanently )?([a-z]{4,})\b")
_PROPOSAL_QUESTION = re.compile(
    r"^\W*(should|do|does|is|are|would|will|could|can|to what extent|how far|how much)\b"
    r"|\b(agree|support|oppose)\b|\bviews? (on|about)\b|\bthink (of|about)\b"
    r"|\bfeel about\b|\bopinions? (on|of|about)\b",
    re.IGNORECASE,
)
_ASKS_FOR_IDEAS = re.compile(r"\b(what|how|which|why|describe|suggest|tell us)\b", re.IGNORECASE)
# the closing catch-all of a consultation ("Is there anything else we should consider?", "Do you
# have any other comments?"): it asks for more, not for a view on a proposal ...
_CATCH_ALL_QUESTION = re.compile(
    r"\banything (else|further|more)\b|\b(any|other|further|additional|final) (other |further |"
    r"more |additional |final )?(comments?|views?|points?|thoughts?|feedback|information|"
    r"remarks?|suggestions?|observations?)\b", re.IGNORECASE)
# ... unless it also asks for a stance ("Do you agree? Add any other comments.")
_ASKS_FOR_STANCE = re.compile(
    r"\b(agree|disagree|support|oppose|views? (on|about)|opinions? (on|of|about)|feel about)\b",
    re.IGNORECASE)
# "lifts": the proposal removes a restriction or the thing itself ("should the ban be lifted",
# "should the 20mph limit be scrapped"): appeals to freedom and calls to remove it both agree
Direction = Literal["restricts", "enables", "lifts", "unknown"]


def is_open_question(question: str) -> bool:
    """True for questions that ask for ideas rather than a view on a proposal (a closing
    catch-all question among them)."""
    return is_catch_all_question(question) or (
        not _PROPOSAL_QUESTION.search(question) and bool(_ASKS_FOR_IDEAS.search(question)))


def is_catch_all_question(question: str) -> bool:
    """True for a consultation's closing "anything else?" question, which asks for no stance."""
    return bool(_CATCH_ALL_QUESTION.search(question)) and not _ASKS_FOR_STANCE.search(question)


def proposal_direction(question: str) -> Direction:
    """Whether the question's proposal restricts something (ban, limit, scrap) or enables or
    keeps it (make permanent, allow, extend); "unknown" when it says neither."""
    text = question.lower()
    if _LIFTS.search(text):  # "should the ban be lifted", "remove the cap"
        return "lifts"
    if _RESTRICTS.search(text) or _NO_LONGER.search(text):  # "no longer be allowed"
        return "restricts"
    return "enables" if _ENABLES.search(text) else "unknown"


def proposed_word(question: str) -> str:
    """The word the question proposes ("permanent" in "should the schemes be made permanent"),
    or "" when it has no "should ... be X" form."""
    found = _PROPOSED.search(question.lower())
    return found.group(1) if found and found.group(1) not in _HOLLOW else ""


_HOLLOW = frozenset({"able", "used", "given", "done", "made", "more", "less", "very", "much"})


def proposes_no_longer(question: str) -> bool:
    """True when the question proposes that something no longer be allowed ("should cars no
    longer be allowed"): the answer "they should not be allowed" agrees with it."""
    return bool(_NO_LONGER.search(question.lower()))
