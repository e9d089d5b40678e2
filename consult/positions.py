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

_JUDGEMENT = (r"(terrible|bad|awful|poor|dreadful|stupid|silly|wrong|foolish|ridiculous) "
              r"(idea|step|move|proposal|change|decision|policy|plan|thing)")
_DENIED = (r"\b(not|never|hardly|\w+n't (say|think|believe|feel|consider)"
           r"( (it|this|that)('s| is| was| would be)?)?) (a |an |such a |so )?(very |that |too )?")
# phrases whose negative words state the opposite position ("not a bad idea", "I couldn't agree
# more", "no objection", "I don't think it's a good idea"): counted first, then blanked so that
# no plain cue reads them again
_TURNED: dict[str, list[str]] = {
    "agree": [
        _DENIED + _JUDGEMENT + r"\b",
        r"\b(could not|couldn't|can't|cannot|can not) (agree|support)( (it|this|that|them))?"
        r"( any)? more\b",
        r"\bno (objections?|problems? with)\b|\b(not|never) (against|opposed)\b",
        r"\b(mistake|error) (not to|to (delay|wait|postpone|water down|weaken|drop|abandon|"
        r"scrap))\b",
    ],
    "disagree": [
        r"\b(not|never|\w+n't)( be)? in favour\b",
        _DENIED + r"(good|great|excellent|sensible|welcome) (idea|step|move|proposal|change)\b",
    ],
}
_EXPLICIT_AGREE = [
    r"^\W*(yes|yeah|agreed?|absolutely|definitely|certainly|of course)\b(?! not\b)",
    r"\b(i|we)( would)?( strongly| fully| completely| wholeheartedly| totally)? "
    r"(agree|support|welcome|back|endorse|favour)\b",
    r"\bin favour\b",
    r"\b(good|great|excellent|sensible|welcome) (idea|step|move|proposal|change)\b",
    r"\b(long )?overdue\b",
]
_EXPLICIT_DISAGREE = [
    r"^\W*(no|nope|not at all|(absolutely|definitely|certainly|of course) not)\b(?!-)"
    r"(?! (doubt|objections?|problems?|brainer|question|issues?|concerns?|sure)\b)",
    r"\b(i|we)( would)?( strongly| completely| totally| firmly)? "
    r"(disagree|oppose|object|reject)\b",
    r"\b(do not|don't|cannot|can't|won't|wouldn't|does not|doesn't|could not|couldn't|"
    r"would not|will not|did not|didn't)( really| fully)? (support|agree|endorse|welcome|back)\b",
    r"\bnot (supportive|convinced)\b",
    r"\b" + _JUDGEMENT + r"\b",
    r"\b(a|an|big|huge|serious|grave) (mistake|error)\b",
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
    r"\b(not (at all |really |entirely |quite )?sure|unsure|don't know|do not know|undecided|"
    r"no strong (view|opinion))\b",
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
                     "no not at all", "not at all", "not really", "absolutely not",
                     "certainly not", "of course not"], "disagree"),
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
    # cues are matched against lower-cased text: IGNORECASE makes each search much slower
    return [re.compile(p) for p in patterns]


_TURNED_CUES = {name: _compile(patterns) for name, patterns in _TURNED.items()}
_ANY_TURNED = re.compile("|".join(p for ps in _TURNED.values() for p in ps))
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
    counts = dict.fromkeys(_CUES, 0)
    text = text.lower().replace("\u2019", "'")
    if _ANY_TURNED.search(text):
        for name, cues in _TURNED_CUES.items():
            counts[name] += sum(bool(p.search(text)) for p in cues)
        text = _ANY_TURNED.sub(" ", text)
    for name, cues in _CUES.items():
        counts[name] += sum(bool(p.search(text)) for p in cues)
    return counts


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
