"""Schemes a question asks about ("Carer's Allowance", "Boiler Upgrade Scheme"), for the check
that the guidance found mentions them.

A retriever ranks the closest guidance first even when the scheme asked about is in none of it:
"What is the weekly earnings limit for Carer's Allowance?" finds maternity pay's "Lower Earnings
Limit is £123", which reads like an answer. Only the question sentences are read (a scenario
names people, firms and towns), and only a run of capitalised words ending in a word that names
a kind of scheme ("Allowance", "Benefit", "Scheme"...): "John Smith", "North Wales" and "Bank of
England" are no schemes. A scheme is known by its last two words, so "Mary Brown's Child
Benefit" asks about "Child Benefit".
"""

from __future__ import annotations

import re
from functools import lru_cache

MAX_CHARS = 2000  # a question box's limit: names are looked for in no more than this
# a sentence ends at ".", "!" or "?", but not at the full stops of "e.g.", "i.e.", "No. 3", or
# of "etc." and "approx." going on in lower case ("Can I claim for e.g. a cooker?" is one question)
_DOT_GOES_ON = (r"(?:(?<=\be\.g)\.|(?<=\bi\.e)\.|(?<=\b[eEiI])\.(?=[gGeE]\.)"
                r"|(?<=\betc)\.(?=\s?[a-z,])|(?<=\bapprox)\.(?=\s?[a-z\d£])|(?<=\b[Nn]o)\.(?=\s?\d))")
# unrolled and possessive (a run of other characters, then an allowed full stop and another
# run...): no backtracking into a run
_QUESTION = re.compile(rf"[^.!?]*+(?:{_DOT_GOES_ON}[^.!?]*+)*+\?")
_CAPITALISED = r"[A-Z][a-z]+(?:['’]s)?"
_NAME = re.compile(rf"\b{_CAPITALISED}(?:(?: of| for| on)? {_CAPITALISED})+\b")
# the last word of a scheme's name: what kind of thing the government pays or runs. Not
# "Pension", "Pay", "Visa", "Account" and the like: "Tom's Pension", "Can Mark Pay ...",
# "Skilled Worker Visa" (the rules say "route") and "Company Pension" name no scheme to look for
_KIND_TEXT = (
    "Allowance Allowances Benefit Benefits Payment Payments Credit Credits Grant Grants Loan Loans "
    "Scheme Schemes Bursary Bursaries Premium"
)
_KINDS = frozenset(_KIND_TEXT.split())
# capitalised because they open a sentence or address someone, not because they name anything
_OPENER_TEXT = (
    "Does Do Did Can Could Is Are Was Were Am Has Have Had Will Would Should Shall May Might Must "
    "What How Why When Where Who Whom Whose Which If My Our Your His Her Their Its I We You He She "
    "They It The A An In On At For To From This That These Those Please Also Hi Hello Dear Thanks "
    "Mr Mrs Ms Miss Dr Client Customer Regarding Re About Quick Question Query Urgent Just So"
)
_OPENERS = frozenset(_OPENER_TEXT.split())


@lru_cache(maxsize=256)  # asked of one query by several checks in turn
def question_sentences(text: str) -> str:
    """The sentences of ``text`` that end in "?" (all of it when none does)."""
    # the last MAX_CHARS: a long case comes first and its question last
    asked = " ".join(q.strip() for q in _QUESTION.findall(text[-MAX_CHARS:]))
    return asked or text


def case_facts(text: str) -> str:
    """What ``text`` says around its question sentences ("" when no sentence ends in "?")."""
    text = text[-MAX_CHARS:]  # as question_sentences reads it
    return _QUESTION.sub(" ", text).strip() if "?" in text else ""


# typed in lower case ("how much is carers allowance"): a word of a topic before the kind of
# scheme, not a word of grammar or of amount ("any benefit", "the extra payment", "weekly grant")
_LOWER_KINDS = _KIND_TEXT.lower().replace(" ", "|")
_LOWER_NAME = re.compile(rf"\b([A-Za-z][a-z]*(?:['’]s|s['’])?) ({_LOWER_KINDS})\b")
_NOT_A_NAME_TEXT = (
    "a an the any some no this that these those my our your his her their its which what whose "
    "much many "
    "each every other another more most extra additional new old same such one first second "
    "weekly monthly yearly annual daily full part partial single joint total maximum minimum "
    "basic standard higher lower top up back over under advance advanced interim final overall "
    "usual normal special relevant eligible qualifying certain different separate main "
    "late backdated next last missed overpaid underpaid early previous current existing both "
    "all "
    "state government council cash lump sum money financial welfare social means tested "
    "income related contribution based earnings related in of for to on at by from with get got "
    "claim claims claiming receive receiving received apply applying paid pay and or but if is "
    "are was were be been being do does did can could will would should may might must")
_NOT_A_NAME = frozenset(_NOT_A_NAME_TEXT.split())
# "... on X", "receiving X", or a relative clause after someone ("an employee who gets X");
# not the question's own "Who gets X?"
_CIRCUMSTANCE = re.compile(r"(?:\b(?:on|in receipt of|receiving|getting)|(?<=[A-Za-z] )(?:who|that)"
                          r" (?:gets|has|claims|is claiming|is on)|\balready (?:gets|has|claims))"
                          r"\s+$", re.IGNORECASE)


def proper_names(text: str, *, lower_case: bool = False) -> list[str]:
    """Names of schemes in ``text``, each as its last two words: "Can I get Carer's
    Allowance?" names "Carer's Allowance". Text in capitals names nothing (every word is).
    With ``lower_case``, "carers allowance" typed in lower case names one too."""
    names: list[str] = []
    if lower_case:
        for found in _LOWER_NAME.finditer(text[:MAX_CHARS]):
            # "a worker on tax credits", "while on sickness benefit": a circumstance of the
            # case, not what is asked about
            if found.group(1).lower() not in _NOT_A_NAME \
                    and not _CIRCUMSTANCE.search(text[:found.start()]):
                names.append(found.group(0))
    for found in _NAME.finditer(text[:MAX_CHARS]):
        words = found.group(0).split()
        while words and words[0] in _OPENERS:
            words = words[1:]
        if len(words) >= 2 and words[-1] in _KINDS:
            names.append(" ".join(words[-2:]))
    return names
