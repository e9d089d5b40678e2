"""Positions offline: agree / disagree / unclear towards a question's proposal, from wording cues.

No training data and no topic-specific words: generic phrases of agreement, disagreement and
hedging ("I object", "should not go ahead"), plus arguments against an intervention (its cost:
"too expensive", "cannot afford"; its harmful consequences; "let people choose"; "that is not the
real problem") and proposals of a middle way ("rather than", "a compromise").
Open questions ("What alternatives ...?") have no proposal to oppose: their answers are read as
agreeing unless they say outright that they disagree or reject the question's premise ("Nothing
will make them safe. Ban them."). Answers that engage with a proposal's aims without stating a
position are read as agreeing, as consultation analysts usually code them; non-answers ("No idea",
"Not my area") are unclear.

Which way a proposal points matters for some cues. A proposal that restricts something ("Should
adverts be banned ...?") is argued against by appeals to freedom ("let people choose") and by
what would be lost without the thing; one that enables or keeps something ("Should the schemes be
made permanent?") is argued against by calls to remove it ("Ban them", "Scrap the lot"), and
those same appeals to freedom support it. A proposal that lifts a rule ("Should the ban be
lifted?", "Should the limit be scrapped?") is supported by appeals to freedom and by calls to
scrap the rule, and opposed by calls to ban and by what would be lost without the rule. The
question's own proposal ("be made permanent") said with one negation in its clause ("please do
not make them permanent") is disagreement, unless the question itself negates it ("should cars
no longer be allowed"). Each position also says whether the wording decided it
(``read_position``): an answer with no stance word is "agree" only by default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from consult.proposals import (
    is_catch_all_question,
    is_open_question,
    proposal_direction,
    proposed_word,
    proposes_no_longer,
)
from consult.scale import gives_no_reason, opening_scale_word, says_stance_word, spell_scale_words

Position = Literal["agree", "disagree", "unclear"]
POSITIONS: tuple[Position, ...] = ("agree", "disagree", "unclear")

_JUDGEMENT = (r"(terrible|bad|awful|poor|dreadful|stupid|silly|wrong|foolish|ridiculous) "
              r"(idea|step|move|proposal|change|decision|policy|plan|thing)")
_DENIED = (r"\b(not|never|hardly|isn't|wasn't|aren't|(won't|wouldn't) be|"
           r"\w+n't (say|think|believe|feel|consider)"
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
        r"\b(don't|do not|doesn't|does not|wouldn't|would not) think\b[^.]{0,60}\bwould be "
        r"(a |an )?(mistake|error|wrong)\b",
    ],
    "disagree": [
        r"\b(not|never|\w+n't)( be)? in favour\b",
        _DENIED + r"(good|great|excellent|sensible|welcome) (idea|step|move|proposal|change)\b",
    ],
}
_EXPLICIT_AGREE = [
    r"^\W*(yes|yeah|agreed?|absolutely|definitely|certainly|of course)\b(?! not\b)",
    r"^\W*(strongly|tend to|somewhat|mostly) agree\b",
    r"\b(i|we)( would)?( strongly| fully| completely| wholeheartedly| totally)? "
    r"(agree|support|welcome|back|endorse|favour)\b",
    r"\bin favour\b",
    r"\b(good|great|excellent|sensible|welcome) (idea|step|move|proposal|change)\b",
    r"\b(long )?overdue\b",
]
_EXPLICIT_DISAGREE = [
    r"^\W*(no|nope|not at all|(absolutely|definitely|certainly|of course) not)\b(?!-)"
    r"(?! (doubt|objections?|problems?|brainer|question|issues?|concerns?|sure|idea|comment)\b)",
    r"^\W*((strongly|tend to|somewhat|mostly) )?disagree\b|^\W*not (until|yet)\b",
    r"\bof course (they|it|we|you) (shouldn't|should not|mustn't|must not)\b",
    r"\b(i|we)( would)?( strongly| completely| totally| firmly)? "
    r"(disagree|oppose|object|reject)\b",
    r"\b(do not|don't|cannot|can't|won't|wouldn't|does not|doesn't|could not|couldn't|"
    r"would not|will not|did not|didn't)( really| fully)? (support|agree|endorse|welcome|back)\b",
    r"\bnot (supportive|convinced)\b",
    r"\b" + _JUDGEMENT + r"\b",
    r"\b(a|an|big|huge|serious|grave) (mistake|error)\b",
    r"\b(i'm|i am|we are|we're)( strongly| firmly| completely| totally)? (against|opposed)\b",
    r"\b(should|must)( not|n't) (go ahead|proceed)\b",
    # the proposal itself thrown out: "Scrap the idea", "Drop the plans"
    r"\b(scrap|drop|abandon|ditch|bin|shelve) (the|this|that|these) (idea|plans?|proposals?|"
    r"charge|levy|fee|tax)\b",
]
# arguments against intervening (restricting, banning): against a proposal that restricts,
# for one that enables or keeps
_AGAINST_INTERVENING = [
    r"\b(overreach|heavy[- ]handed|nanny state|draconian)\b|\b(goes|go|going|gone) too far\b",
    r"\b(free market|market decide|personal (choice|responsibility|freedom)|own choices?|"
    r"their choice|freedom of|choose for themselves|let (people|adults|consumers|drivers))\b",
    r"\b(don't|do not) (punish|penalise|penalize)\b|\bwhere does it end\b|\bbad precedent\b",
    r"\bwhy single out\b|\balready (face|faces|heavily|strictly|tightly) (heavy )?regulat",
]
# what would be lost without the thing the question is about: against restricting it, for
# keeping it, and against lifting a rule ("without it there would be more accidents")
_LOSS = [
    r"\bwithout (it|them|this|that|their|these|those|the|such)\b.{0,200}\b(would|could|will)\b",
    r"\bwithout (it|them|this|their money)\b|\bwould (disappear|fold|die|suffer|collapse)\b",
    r"\b(lifeline|only thing keeping)\b",
]
# calls to remove the thing a proposal is about: for a proposal that restricts it, against one
# that enables or keeps it
_REMOVE_IT = [
    r"\bscrap (them|it|the (?!idea|plan|proposal|charge|levy|fee|tax)\w+)\b"
    r"|\bget rid( of (them|it|the))?\b|\babolish (them|it|the)\b",
    r"\bdo away with\b|\b(should|must) (all )?be (scrapped|abolished|removed)\b",
]
# calls to ban the thing: like removing it, except when the proposal is to lift a ban
_BAN_IT = [
    r"\bban (them|it|the lot|these|those|the (things|scheme|schemes))\b",
    r"\b(should|must) (all )?be (banned|outlawed)\b",
]
_ARGUED_AGAINST = [
    r"\b(excessive|disproportionate|unnecessary|"
    r"unjustified|counterproductive|pointless|misguided|unworkable|overkill)\b",
    r"\b(can't|cannot|don't|do not) see the point\b|\bwhat's the point\b",
    r"\bwaste of (\w+ )?money\b",
    r"\b(won't|will not|wouldn't|would not|doesn't|does not|can't|cannot) "
    r"(work|help|solve|stop|prevent|change)\b",
    r"\b(isn't|aren't|is not|are not|not) the (real )?(problem|cause|issue|answer|solution)\b",
    r"\bthe real (problem|issue|cause)\b|\ba symptom\b",
    r"\bwould (literally |simply |just |only )?(kill|hurt|harm|devastate|destroy|damage|reduce|"
    r"cost|lose|end|punish|undermine|disproportionately)\b",
    r"\b(cannot|can't|could not|couldn't|can not|unable to) afford\b|\bunaffordable\b",
    r"\btoo (expensive|costly|much of a burden)\b|\bcosts? too much\b",
]
_UNCLEAR = [
    r"\b(not (at all |really |entirely |quite )?sure|unsure|don't know|do not know|undecided|"
    r"no (strong |real )?(view|opinion)|either way|on the fence|not bothered|"
    r"(don't|do not) (really )?have (a|an|much of an?) (view|opinion)|pros and cons|"
    r"swings and roundabouts)\b",
    # said of oneself only: "I'm torn", but "they've torn up the verges"; "I don't mind", but
    # "riders don't care about pedestrians"
    r"\b(i'm|i am|i feel|feeling|i'd say i'm)( a bit| quite| really| pretty| fairly)? "
    r"(neutral|torn)\b|\b(i|we)( really)? (don't|do not)( really)? (mind|care)\b",
    # ... or opening the answer, the subject left out: "Torn on this one.", "Don't care."
    r"^\W*(\w+\W+)?(torn|neutral)\b(?=\W*$|\s*[.,;!]|\s+(on|either|really|about))"
    r"|^\W*(really |honestly )?(don't|do not)( really)? (mind|care)\b"
    r"(?=\W*$|\s*[.,;!]|\s+(either|really|much|which))",
    # one thing liked and disliked in a breath: "Love the idea, hate the execution.", "Good for
    # getting to the station, bad for everyone else"
    r"\b(love|like)\b[^.;]{0,40}\b(hate|dislike)\b|\bgood for\b[^.;]{0,60}\bbad for\b"
    r"|\b(good|great|nice) (idea|in theory|in principle)\b[^.;]{0,40}\b(but|bad|awful|poor)\b",
    r"\b(only if|as long as|provided (that|they|it))\b",
    r"\b(it|that) depends\b|\bdepends on\b",
    r"\b(on the other hand|both sides|mixed feelings|difficult to say|hard to say|in two minds)\b",
    r"\b(rather than|instead of|better than an?|compromise|middle ground|maybe|perhaps)\b",
    r"(\bnot|n't) just about\b|\b(too extreme|more concerning than)\b",
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
# answers that give no view at all ("No idea, sorry.", "Not my area", "Can't think of anything")
_NON_ANSWER = re.compile(
    r"^\W*(no idea|idk|dunno|no comment|nothing (more |further |else )?to (add|say)|"
    r"nothing (more|further)\b|not my area|n/?a\b|not applicable|"
    r"(can't|cannot|can not) think of anything|(i )?(don't|do not) know|not sure)\b")
# an open question's premise rejected: "Nothing will make them safe", "They can't be made safe"
_REJECTS_PREMISE = re.compile(
    # "Nothing." or "Nothing will make them safe", not "nothing would help more", "nothing
    # can beat proper lanes"
    r"^\W*nothing\W*(?:$|[.!])|\bnothing (else )?(will|would|can|could)\b"
    r"(?![^.]*\b(more|better|than|beats?)\b)"
    r"|\b(can't|cannot|can not) be made\b|\b(don't|do not) think (anything|they can|it can)\b"
    r"|\binstead of whether\b")
_CLAUSES = re.compile(r"[.,;:?!()]|\bbut\b")
_NEGATIONS = re.compile(r"\bnot\b|\bnever\b|n't\b|\bno\b|\bnobody\b|\bno one\b|\bnone\b")
# words that turn a negation round ("can't see why anyone would be against banning them",
# "wouldn't be sad to see them banned"): counted as a second negation
_TURNING = re.compile(r"\b(against|sad|sorry|mind|object|opposed|oppose|miss)\b")
# "not just about banning ads", "why not make them permanent", "can't fault them"
_NOT_A_DENIAL = re.compile(r"(\bnot|n't) (just|only|simply|merely)\b|\bwhy not\b|"
                           r"\bno (brainer|reason|doubt|question)\b|(can't|cannot) fault\b")
_ASKS_FOR = re.compile(r"\b(make|made|be|should|must|keep|stay|remain)\b")
_NOT_WORD = re.compile(r"[^a-z' ]+")
# "No", "Nothing", "None", "Not really" (or a bare "Yes") as the whole answer to a catch-all
# question: nothing to add, not disagreement
_NOTHING_TO_ADD = re.compile(
    r"^\W*(no|nope|nah|none|nil|nothing|not really|yes|yeah|yep|ok|okay|no thanks?|"
    r"no,? thank you|nothing (else|more|further)|no (more|other|further)( comments?)?|"
    r"not at the moment|all covered)\W*$")
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
    "against_intervening": _compile(_AGAINST_INTERVENING),
    "loss": _compile(_LOSS),
    "remove_it": _compile(_REMOVE_IT),
    "ban_it": _compile(_BAN_IT),
}
def cue_counts(text: str, question: str = "") -> dict[str, int]:
    """How many cues of each kind ('agree', 'disagree', 'against', 'unclear') ``text`` has,
    towards the proposal of ``question`` (see the module notes on a proposal's direction)."""
    counts = dict.fromkeys(("agree", "disagree", "against", "unclear"), 0)
    text = spell_scale_words(text.lower().replace("\u2019", "'"))
    if _ANY_TURNED.search(text):
        for name, cues in _TURNED_CUES.items():
            counts[name] += sum(bool(p.search(text)) for p in cues)
        text = _ANY_TURNED.sub(" ", text)
    direction = proposal_direction(question)
    for name, cues in _CUES.items():
        found = sum(bool(p.search(text)) for p in cues)
        if name == "against_intervening":
            counts["agree" if direction in ("enables", "lifts") else "against"] += found
        elif name == "loss":
            counts["agree" if direction == "enables" else "against"] += found
        elif name in ("remove_it", "ban_it"):
            # removing the thing is against a proposal that keeps it and is what one that
            # restricts or lifts it asks for; banning it is against lifting a ban too
            against = direction == "enables" or (direction == "lifts" and name == "ban_it")
            if direction != "unknown":
                counts["disagree" if against else "agree"] += found
        else:
            counts[name] += found
    word = proposed_word(question)
    if word and direction != "unknown":
        said = _proposal_said(text, _stem(word))
        if proposes_no_longer(question):  # "should cars no longer be allowed": the
            if said == "negated":                 # answer "they should not be allowed" agrees
                counts["agree"] += 1
        elif said == "negated":
            counts["disagree"] += 1
        elif said == "asked" and direction in ("enables", "lifts"):
            # "make them permanent"; a restriction's word is as often named by its opponents
            # ("a ban would ...") as asked for, so only its negation counts
            counts["agree"] += 1
    return counts


def _proposal_said(text: str, stem: str) -> str:
    """"negated" when a clause says the proposed word with one negation before it ("please do
    not make them permanent", "I don't think they should be made permanent"); "asked" when a
    clause asks for it ("make them permanent"); "" otherwise. A clause ends at punctuation or
    "but" ("It's not perfect but make them permanent"); two negations cancel out or confuse
    ("there is no reason they shouldn't be banned"), and "why not ..." asks for it."""
    word = rf"\b{stem}[a-z]{{0,4}}\b"  # "ban", "banned", "banning", not "bankroll"
    found = ""
    for clause in _CLAUSES.split(text):
        at = re.search(word, clause)
        if not at:
            continue
        before = clause[: at.start()]
        first = _NEGATIONS.search(before)
        # a turning word counts only after a negation: "can't see why anyone would be against"
        negations = _NEGATIONS.findall(before) + (
            _TURNING.findall(before[first.end():]) if first else [])
        if len(negations) == 1 and not _NOT_A_DENIAL.search(before):
            return "negated"
        if not negations and _ASKS_FOR.search(before):
            found = "asked"
    return found


def _stem(word: str) -> str:
    """"banned" -> "ban", "permanent" -> "permanent": enough to find the word's other forms."""
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return re.escape(word)


def likert_position(text: str) -> Position | None:
    """The position of a whole answer that is just a scale point ("Tend to disagree", "No")."""
    words = " ".join(_NOT_WORD.sub(" ", spell_scale_words(
        text.lower().replace("\u2019", "'"))).split())
    return _LIKERT.get(words)


def classify_position(text: str, question: str = "") -> Position:
    """The response's position towards the question's proposal, from its wording."""
    return read_position(text, question)[0]


def read_position(text: str, question: str = "") -> tuple[Position, bool]:
    """The position and whether the wording decided it (False: nothing the reading looks at
    was said, so it is the default: "agree", or "unclear" for an answer with nothing in it
    beyond filler, "ok" or "?")."""
    said = said_outright(text, question)
    if said is not None:
        return said, True
    position, worded = _read_cues(text, question)
    if not worded and gives_no_reason(text) and not says_stance_word(text):
        return "unclear", False  # "ok", "?", "+1": nothing to read as agreeing
    return position, worded


def _read_cues(text: str, question: str) -> tuple[Position, bool]:
    lowered = text.lower().replace("\u2019", "'")
    if is_open_question(question):
        cues = cue_counts(text)
        rejects = bool(_REJECTS_PREMISE.search(lowered))
        worded = rejects or bool(cues["disagree"] or cues["agree"])
        return ("disagree" if rejects or cues["disagree"] > cues["agree"] else "agree"), worded
    cues = cue_counts(text, question)
    worded = any(cues.values())
    if cues["disagree"] and not cues["agree"]:
        return "disagree", worded
    if cues["agree"] and not (cues["disagree"] or cues["against"]):
        return "agree", worded
    if cues["unclear"]:
        return "unclear", worded
    return ("disagree" if cues["against"] + cues["disagree"] > cues["agree"] else "agree"), worded


def said_outright(text: str, question: str = "") -> Position | None:
    """The position an answer states in so many words, before any cue is weighed: nothing to
    add to a catch-all question, a whole answer on a scale, a non-answer, or a scale point
    opening the answer ("Disagree, ... Then ban it." stays disagreement). None otherwise."""
    lowered = spell_scale_words(text.lower().replace("\u2019", "'"))
    if is_catch_all_question(question) and _NOTHING_TO_ADD.match(lowered):
        return "unclear"
    scale = likert_position(text)
    if scale is not None:
        return scale
    if _NON_ANSWER.search(lowered):
        return "unclear"
    opening = opening_scale_word(lowered)
    return None if opening is None else "disagree" if opening == "disagree" else "agree"


def stance_worded(text: str, question: str = "") -> bool:
    """Whether ``text`` says anything ``classify_position`` reads as a position (a scale word, a
    non-answer, a cue, a rejected premise). False means its position is only the default,
    "agree": a reviewer should check those (consultation analysts code an answer that engages
    with the aims as agreeing, but a complaint with no stance word may well be disagreement)."""
    return read_position(text, question)[1]


def position_basis(text: str, question: str, position: Position, corrected: bool) -> str:
    """What a position rests on, for exports and the page: "reviewer", "wording", or
    "no stance words (read as agree)"."""
    return describe_basis(stance_worded(text, question), position, corrected)


def describe_basis(worded: bool, position: Position, corrected: bool) -> str:
    """``position_basis`` from an already known reading (``read_position``'s second value)."""
    if corrected:
        return "reviewer"
    return "wording" if worded else f"no stance words (read as {position})"


def read_positions(texts: Sequence[str], question: str = "") -> list[tuple[Position, bool]]:
    """``read_position`` for each text."""
    return [read_position(t, question) for t in texts]
