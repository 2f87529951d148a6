"""find_blame: sentences that pin the incident on a person, and the ones that must not be noted."""

from __future__ import annotations

import pytest

from bot.domain.blame import BlameNote, find_blame


@pytest.mark.parametrize(
    ("text", "phrase", "person"),
    [
        ("<@U123> should have known", "should have known", "<@U123>"),
        ("<@U123|dana> screwed up the rollback.", "screwed up", "<@U123|dana>"),
        ("Honestly @dana messed up the deploy", "messed up", "@dana"),
        ("It was Bob's fault.", "fault", "Bob"),
        ("Dana was the one to blame!", "to blame", "Dana"),
        ("A careless change by Priya deleted the stack", "careless", "Priya"),
        ("That was his mistake", "his mistake", "his"),
        ("Kofi is incompetent", "incompetent", "Kofi"),
        ("We blame Amara for the outage", "blame", "Amara"),
    ],
)
def test_blame_on_a_person_is_noted(text: str, phrase: str, person: str) -> None:
    assert find_blame([("timeline 1", text)]) == [
        BlameNote(source="timeline 1", sentence=text, phrase=phrase, person=person)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "the fault was in the deploy script",
        "The fault was in the deploy script.",
        "A faulty disk controller in us-east-1",
        "No one is to blame, Bob did great work.",
        "It was not <@U1>'s fault.",
        "AWS screwed up the rollback",
        "The rollback messed up the stack state",
        "@here who is to blame?",
        "Dana restored the tables from the backup",
        "We should have known the tables had no point-in-time recovery",
        "",
    ],
)
def test_blame_on_systems_or_nobody_is_not_noted(text: str) -> None:
    assert find_blame([("timeline 1", text)]) == []


def test_only_the_blaming_sentence_is_quoted_and_sources_are_kept() -> None:
    notes = find_blame(
        [
            ("title", "Production environment deleted"),
            ("timeline 2", "Deleted the stack. <@U0DEV1> should have known! Tables gone."),
            ("follow-up 1", "Enable PITR.\nCarlos was careless with the console"),
        ]
    )
    assert [(n.source, n.sentence, n.person) for n in notes] == [
        ("timeline 2", "<@U0DEV1> should have known!", "<@U0DEV1>"),
        ("follow-up 1", "Carlos was careless with the console", "Carlos"),
    ]


def test_the_text_is_never_changed() -> None:
    text = "  <@U9> SCREWED   UP the deploy.  "
    [note] = find_blame([("t", text)])
    assert note.sentence == "<@U9> SCREWED   UP the deploy."
    assert note.phrase == "screwed up"
