"""Positions offline: agree / disagree / unclear towards a question's proposal, from wording cues.

No training data and no topic-specific words: generic phrases of agreement, disagreement and
hedging ("I object", "should not go ahead"), plus arguments against an intervention (its cost:
"too expensive", "cannot afford"; its harmful consequences; "let people choose"; "that is not the
real problem") and proposals of a middle way ("rather than", "a compromise").
Open questions ("What alternatives ...?") have no proposal to oppose: their answers are read as
agreeing unless they say outright that they disagree. Answers that engage with a proposal's aims
without stating a position are read as agreeing, as consultation analysts usually code them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

Position = Literal["agree", "disagree", "unclear"]
POSITIONS: tuple[Position, ...] = ("agree", "disagree", "unclear")

_NOT = r"(?<!\bnot )(?<!\bn't )(?<!\bnever )"  # "not in favour" is no agreement
_EXPLICIT_AGREE = [
    r"^\W*(yes|yeah|agreed?|absolutely|definitely|certainly|of course)\b",
    r"\b(i|we)( would)?( strongly| fully| completely| wholeheartedly| totally)? "
    r"(agree|support|welcome|back|endorse|favour)\b",
    _NOT + r"\bin favour\b",
    r"(?<!\bnot a )(?<!\bnot )(?<!\bnot very )"
    r"\b(good|great|excellent|sensible|welcome) (idea|step|move|proposal|change)\b",
    r"\b(long )?overdue\b",
]
_EXPLICIT_DISAGREE = [
    r"^\W*(no|nope|not at all|absolutely not|definitely not)\b([^-]|$)",
    r"\b(i|we)( would)?( strongly| completely| totally| firmly)? "
    r"(disagree|oppose|object|reject)\b",
    r"\b(do not|don't|cannot|can't|won't|wouldn't|does not|doesn't|could not|couldn't|"
    r"would not|will not|did not|didn't)( really| fully)? (support|agree|endorse|welcome|back)\b",
    r"\b(not|never) in favour\b|\bnot (supportive|convinced)\b",
    r"\b(terrible|bad|awful|poor|dreadful|stupid|silly|wrong|foolish|ridiculous) "
    r"(idea|step|move|proposal|change|decision|policy|plan)\b",
    r"\b(a|an|big|huge|serious|grave) (mistake|error)\b",
    r"\bnot (a |very )?(good|great|sensible) (idea|step|move|proposal|change)\b",
    r"\b(i'm|i am|we are|we're)( strongly| firmly| completely| totally)? (against|opposed)\b",
    r"\b(should|must)( not|n't) (go ahead|proceed)\b",
]
_ARGUED_AGAINST = [
    r"\b(excessive|overreach|heavy[- ]handed|nanny state|disproportionate|unnecessary|"
    r"unjustified|counterproductive|pointless|misguided|draconian|unworkable|overkill)\b",
    r"\b(goes|go|going|gone) too far\b",
    r"\b(won't|will not|wouldn't|would not|doesn't|does not|can't|cannot) "
    r"(work|help|solve|stop|prevent|change)\b",
    r"\b(isn't|aren't|is not|are not|not) the (real )?(problem|cause|issue|answer|solution)\b",
    r"\bthe real (problem|issue|cause)\b|\ba symptom\b",
    r"\bwould (literally |simply |just |only )?(kill|hurt|harm|devastate|destroy|damage|reduce|"
    r"cost|lose|end|punish|undermine|disproportionately)\b",
    r"\bwithout (it|them|this|that|their|these|those|the|such)\b.*\b(would|could|will)\b",
    r"\bwithout (it|them|this|their money)\b|\bwould (disappear|fold|die|suffer|collapse)\b",
    r"\b(free market|market decide|personal (choice|responsibility|freedom)|own choices?|"
    r"their choice|freedom of|choose for themselves|let (people|adults|consumers))\b",
    r"\b(don't|do not) (punish|penalise|penalize)\b|\bwhere does it end\b|\bbad precedent\b",
    r"\bwhy single out\b|\balready (face|faces|heavily|strictly|tightly) (heavy )?regulat",
    r"\b(lifeline|only thing keeping)\b",
    r"\b(cannot|can't|could not|couldn't|can not|unable to) afford\b|\bunaffordable\b",
    r"\btoo (expensive|costly|much of a burden)\b|\bcosts? too much\b",
]
_UNCLEAR = [
    r"\b(not sure|unsure|don't know|do not know|undecided|no strong (view|opinion))\b",
    r"\b(it|that) depends\b|\bdepends on\b",
    r"\b(on the other hand|both sides|mixed feelings|difficult to say|hard to say|in two minds)\b",
    r"\b(rather than|instead of|better than an?|compromise|middle ground|maybe|perhaps)\b",
    r"\b(not just about|too extreme|more concerning than)\b",
]
# whole answers on a Likert scale or a yes/no question, as survey tools export them
_LIKERT: dict[str, Position] = {
    **dict.fromkeys(["agree", "strongly agree", "agree strongly", "tend to agree",
                     "somewhat agree", "mostly agree", "yes", "yes definitely", "definitely"],
                    "agree"),
    **dict.fromkeys(["disagree", "strongly disagree", "disagree strongly", "tend to disagree",
                     "somewhat disagree", "mostly disagree", "no", "definitely not",
                     "no not at all", "not at all"], "disagree"),
    **dict.fromkeys(["neither", "neither agree nor disagree", "neither agree or disagree",
                     "neutral", "not sure", "unsure", "don't know", "dont know", "do not know",
                     "no opinion", "undecided", "no view"], "unclear"),
}
_NOT_WORD = re.compile(r"[^a-z' ]+")
_PROPOSAL_QUESTION = re.compile(
    r"^\W*(should|do|does|is|are|would|will|could|can|to what extent|how far|how much)\b"
    r"|\b(agree|support|oppose)\b",
    re.IGNORECASE,
)
_ASKS_FOR_IDEAS = re.compile(r"\b(what|how|which|why|describe|suggest|tell us)\b", re.IGNORECASE)


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


_CUES = {
    "agree": _compile(_EXPLICIT_AGREE),
    "disagree": _compile(_EXPLICIT_DISAGREE),
    "against": _compile(_ARGUED_AGAINST),
    "unclear": _compile(_UNCLEAR),
}


def is_open_question(question: str) -> bool:
    """True for questions that ask for ideas rather than a view on a proposal."""
    return not _PROPOSAL_QUESTION.search(question) and bool(_ASKS_FOR_IDEAS.search(question))


def cue_counts(text: str) -> dict[str, int]:
    """How many cues of each kind ('agree', 'disagree', 'against', 'unclear') ``text`` has."""
    return {name: sum(bool(p.search(text)) for p in cues) for name, cues in _CUES.items()}


def likert_position(text: str) -> Position | None:
    """The position of a whole answer that is just a scale point ("Tend to disagree", "No")."""
    words = " ".join(_NOT_WORD.sub(" ", text.lower().replace("\u2019", "'")).split())
    return _LIKERT.get(words)


def classify_position(text: str, question: str = "") -> Position:
    """The response's position towards the question's proposal, from its wording."""
    scale = likert_position(text)
    if scale is not None:
        return scale
    cues = cue_counts(text)
    if is_open_question(question):
        return "disagree" if cues["disagree"] > cues["agree"] else "agree"
    if cues["disagree"] and not cues["agree"]:
        return "disagree"
    if cues["agree"] and not (cues["disagree"] or cues["against"]):
        return "agree"
    if cues["unclear"]:
        return "unclear"
    return "disagree" if cues["against"] + cues["disagree"] > cues["agree"] else "agree"


def classify_positions(texts: Sequence[str], question: str = "") -> list[Position]:
    """``classify_position`` for each text."""
    return [classify_position(t, question) for t in texts]
