"""Positions on topics other than the gold set's: a proposal's direction, its own words, scale
words at the start, hedges, non-answers, and open questions whose premise is rejected."""

from __future__ import annotations

import pytest

from assistant.testing import FakeEmbedder
from consult.analysis import analyse_question
from consult.export import MAPPING_COLUMNS, mapping_rows
from consult.importing import build_question
from consult.positions import (
    classify_position,
    position_basis,
    proposal_direction,
    proposed_word,
    stance_worded,
)
from consult.report import positions_by_default, positions_line
from consult.review import set_position

ENABLES = "Do you agree that e-scooter rental schemes should be made permanent in towns and cities?"
RESTRICTS = "Should gambling advertisements be completely banned during televised sporting events?"
OPEN = "What changes would make e-scooters safer?"


@pytest.mark.parametrize(("question", "direction", "word"), [
    (ENABLES, "enables", "permanent"),
    (RESTRICTS, "restricts", "banned"),
    ("Should the council introduce a tourist levy?", "restricts", ""),
    ("Should the library be kept open on Sundays?", "enables", "kept"),
    ("Do you agree that the proposal should go ahead?", "unknown", ""),
])
def test_a_proposal_points_one_way_or_the_other(question: str, direction: str, word: str) -> None:
    assert proposal_direction(question) == direction
    assert proposed_word(question) == word


@pytest.mark.parametrize(("answer", "enables", "restricts"), [
    # calls to remove the thing: against keeping it, for banning it
    ("Ban them.", "disagree", "agree"),
    ("Scrap the lot, they are a menace.", "disagree", "agree"),
    # appeals to freedom: against a restriction, for keeping the thing
    ("It's a nanny state thing to ban them. Let people choose.", "agree", "disagree"),
    ("Without them my daughter would have to give up her job.", "agree", "disagree"),
    # the proposal's own words, negated
    ("Please do not make them permanent.", "disagree", "agree"),
    ("They should not be banned, it goes too far.", "agree", "disagree"),
    ("Make them permanent, they cut my commute in half.", "agree", "agree"),
    ("It's not just about banning ads, we need education too.", "unclear", "unclear"),
    ("I don't think making them permanent would be a mistake.", "agree", "agree"),
])
def test_cues_read_by_the_direction_of_the_proposal(answer: str, enables: str,
                                                     restricts: str) -> None:
    assert classify_position(answer, ENABLES) == enables
    assert classify_position(answer, RESTRICTS) == restricts


@pytest.mark.parametrize(("answer", "expected"), [
    ("Disagree. Pavements are for pedestrians.", "disagree"),
    ("Strongly disagree - it is unfair.", "disagree"),
    ("Strongly agree, long overdue.", "agree"),
    ("Not until the council can deal with the dumped ones.", "disagree"),
    ("What a stupid question. Of course they shouldn't.", "disagree"),
    ("Can't see the point of them. Walk or get the bus.", "disagree"),
    ("I'm neutral really.", "unclear"),
    ("I'm a bit torn.", "unclear"),
    ("Don't care either way.", "unclear"),
    ("Don't really have a view, I've never used one.", "unclear"),
    ("Love the idea, hate the execution.", "unclear"),
    ("Permanent? Only if they're made a lot safer.", "unclear"),
    ("No idea, sorry.", "unclear"),
    ("Not my area.", "unclear"),
    ("We need more buses on Sundays.", "agree"),  # no cue: engages with the aims
])
def test_scale_words_hedges_and_non_answers(answer: str, expected: str) -> None:
    assert classify_position(answer, ENABLES) == expected


@pytest.mark.parametrize(("answer", "expected"), [
    ("Nothing. Get rid of them.", "disagree"),
    ("Nothing else will make them safe.", "disagree"),
    ("I don't think they can be made safe.", "disagree"),
    ("Can't think of anything, sorry.", "unclear"),
    ("Don't know, never used one.", "unclear"),
    ("Lower speed limits and better lights.", "agree"),
    ("Maybe a helmet rule, not sure it would work though.", "agree"),
])
def test_open_questions_read_a_rejected_premise_and_non_answers(answer: str,
                                                               expected: str) -> None:
    assert classify_position(answer, OPEN) == expected


def test_views_on_a_proposal_is_not_an_open_question() -> None:
    question = "What are your views on making the schemes permanent?"
    assert classify_position("Ban them.", question) == "disagree"
    assert classify_position("Ban them.", "What would make them safer?") == "agree"


def test_a_position_with_no_stance_word_is_marked_as_read_by_default() -> None:
    assert stance_worded("Ban them.", ENABLES)
    assert stance_worded("Not my area.", ENABLES)
    assert stance_worded("Disagree", ENABLES)
    assert not stance_worded("Fly-tipping will go up and the verges will be full of bags.", ENABLES)
    assert position_basis("Fly-tipping will go up.", ENABLES, "agree", False) == \
        "no stance words (read as agree)"
    assert position_basis("I strongly agree.", ENABLES, "agree", False) == "wording"
    assert position_basis("Fly-tipping will go up.", ENABLES, "disagree", True) == "reviewer"


def test_exports_the_cli_and_the_summary_say_which_positions_are_defaults() -> None:
    question = build_question("q1", ENABLES, [
        ("r1", "I strongly agree, they are brilliant."),
        ("r2", "Fly-tipping will go up and the verges will be full of bags."),
        ("r3", "Scooters left on every pavement and nobody moves them."),
    ])
    result = analyse_question(question, FakeEmbedder(), k=1)
    assert positions_by_default(result) == [1, 2]
    assert positions_line(result) == ("Positions: agree 3, disagree 0, unclear 0; 2 with no "
                                      "stance words were read as agree: check them.")
    basis = MAPPING_COLUMNS.index("position_basis")
    assert [row[basis] for row in mapping_rows([result])] == [
        "wording", "no stance words (read as agree)", "no stance words (read as agree)"]
    set_position(result, "r3", "disagree")
    assert positions_by_default(result) == [1]
    assert mapping_rows([result])[2][basis] == "reviewer"


FIRST_REVIEW: list[tuple[str, str, str]] = [
    # a review's misreads of the first version of these rules
    ("I can't understand why they haven't been banned already.", RESTRICTS, "agree"),
    ("There is no reason they shouldn't be banned.", RESTRICTS, "agree"),
    ("Don't let the bookies bankroll football any more.", RESTRICTS, "agree"),
    ("Why not make them permanent? They work.", ENABLES, "agree"),
    ("No brainer, make them permanent.", ENABLES, "agree"),
    ("Can't fault them, make them permanent.", ENABLES, "agree"),
    ("It's not perfect but make them permanent.", ENABLES, "agree"),
    ("I don't think they should be made permanent.", ENABLES, "disagree"),
    ("I like them, the old bus service was bad.", ENABLES, "agree"),
    ("Great for commuters, the buses round here are awful.", ENABLES, "agree"),
    ("The schemes should be carbon neutral and they are.", ENABLES, "agree"),
    ("They've torn up the grass verges everywhere.", ENABLES, "agree"),
    ("Riders don't care about pedestrians and ride on the pavement.", ENABLES, "agree"),
    ("Better lights. Nothing would help more.", OPEN, "agree"),
    ("Nothing can beat proper segregated lanes.", OPEN, "agree"),
    ("Nothing more to add.", OPEN, "unclear"),
    ("Nothing further, thanks.", OPEN, "unclear"),
    # proposals turned round
    ("Ban them.", "Should e-scooters no longer be allowed on pavements?", "agree"),
    ("Let people choose, it's their own choice.", "Should the ban on pavement riding be lifted?",
     "agree"),
    ("Ban them.", "Should the ban on pavement riding be lifted?", "disagree"),
]


ENDORSE = "Do you endorse plans to ban smoking in parks?"
SCRAPPED = "Should the 20mph limit be scrapped?"
LIFTED = "Should the ban on barbecues in council parks be lifted?"
NO_LONGER = "Should cars no longer be allowed in the city centre at weekends?"


SECOND_REVIEW: list[tuple[str, str, str]] = [
    # a second review's misreads
    ("Ban it, smoking is disgusting.", ENDORSE, "agree"),
    ("It is their choice, let adults decide.", ENDORSE, "disagree"),
    ("Scrap it.", SCRAPPED, "agree"),
    ("Get rid of the ban.", LIFTED, "agree"),
    ("Let people enjoy themselves, it's their choice.", LIFTED, "agree"),
    ("Ban them.", LIFTED, "disagree"),
    ("Cars should not be allowed in the centre at all, not just at weekends.", NO_LONGER,
     "agree"),
    ("They should never be allowed in the centre.", NO_LONGER, "agree"),
    ("I can't see why anyone would be against banning them.", RESTRICTS, "agree"),
    ("I wouldn't be sad to see them banned.", RESTRICTS, "agree"),
    ("It isn't just about banning ads, we need education too.", RESTRICTS, "unclear"),
    ("Torn on this one.", ENABLES, "unclear"),
    ("Don't care.", ENABLES, "unclear"),
    ("Quite neutral.", ENABLES, "unclear"),
]


def test_an_open_questions_default_is_named_as_a_default() -> None:
    question = "What could be done to limit litter in parks?"
    assert classify_position("Maybe more bins.", question) == "agree"
    assert not stance_worded("Maybe more bins.", question)  # a hedge the open path ignores
    assert stance_worded("Nothing will work, close the parks.", question)


def test_a_denied_good_idea_is_disagreement() -> None:
    assert classify_position("Making them permanent isn't a good idea.", ENABLES) == "disagree"
    assert classify_position("It isn't a bad idea at all.", ENABLES) == "agree"


PERM = "Should the low traffic neighbourhoods be made permanent?"
GARDEN = "Should a charge for garden waste be introduced now the government grant has ended?"
REMOVAL = "Do you support the removal of the cap on parking permits?"
EXTEND = "Do you support plans to extend the scheme so that more people can be helped?"
SPEED = "Should the speed limit be scrapped?"


THIRD_REVIEW: list[tuple[str, str, str]] = [
    # a third review's misreads
    ("Sorry I don't think they should be made permanent.", PERM, "disagree"),
    ("Against my better judgement I think they should be made permanent.", PERM, "agree"),
    ("Mind you I'd make them permanent tomorrow.", PERM, "agree"),
    ("Scrap the idea.", GARDEN, "disagree"),  # "ended" is no lifting; the idea is the proposal
    ("Draconian rules, let people choose.", REMOVAL, "agree"),
    ("More people can't be helped without more money.", EXTEND, "agree"),
    ("Don't care what it costs, extend it.", EXTEND, "agree"),
    ("Neutral toilets are a waste of money.",
     "Should gender neutral toilets be introduced in the library?", "disagree"),
    ("Without it there would be more accidents.", SPEED, "disagree"),
    ("It should be scrapped.", SPEED, "agree"),
]


@pytest.mark.parametrize(("answer", "question", "expected"),
                         [*FIRST_REVIEW, *SECOND_REVIEW, *THIRD_REVIEW])
def test_reviewed_misreads(answer: str, question: str, expected: str) -> None:
    assert classify_position(answer, question) == expected
