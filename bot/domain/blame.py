"""Spot sentences that pin an incident on a person, so the postmortem's author can reword them.

A blameless review asks what in the system let a mistake through, not who made it. People
under stress still write "<@U123> should have known"; warroom never rewrites what anyone said,
but the export lists such sentences in "Review notes (for the author)".

The rule is deliberately narrow, to keep false alarms rare: a sentence is noted only when a
blaming phrase stands next to a *person*:

- a Slack mention (`<@U123>` or `<@U123|dana>`),
- an @name (`@dana`; `@here`, `@channel` and `@everyone` are not people),
- a capitalised name (`Dana`, `Dana's`) that is not a common word, a month or a product,
- or the phrase itself names a person by pronoun ("his mistake", "her fault").

"Next to" means within `WINDOW` words before or after the phrase. "The fault was in the deploy
script" names no one and is not noted; "it was not <@U1>'s fault" is negated and is not noted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Phrases that assign fault. Matched case-insensitively on word boundaries ("faulty disk" is
# not "fault"). Longer phrases first, so the note quotes the most specific one.
BLAME_PHRASES: tuple[str, ...] = (
    "should have known",
    "should've known",
    "should have checked",
    "should have caught",
    "dropped the ball",
    "his mistake",
    "her mistake",
    "their mistake",
    "his fault",
    "her fault",
    "screwed up",
    "messed up",
    "incompetent",
    "negligent",
    "careless",
    "carelessly",
    "sloppy",
    "stupid",
    "to blame",
    "blamed",
    "blame",
    "at fault",
    "fault",
)

# Phrases whose pronoun already points at a person: no name needs to stand nearby.
PERSONAL_PHRASES: frozenset[str] = frozenset(
    {"his mistake", "her mistake", "his fault", "her fault"}
)

# How many words either side of the phrase count as "next to" it.
WINDOW = 4

# Words just before a phrase that turn it into the opposite of blame ("not his fault",
# "no one is to blame").
_NEGATIONS = frozenset({"not", "no", "nobody", "never", "isn't", "wasn't", "nobody's"})

# Capitalised words that are not people: sentence starters, pronouns, time words, products.
# fmt: off
_NOT_NAMES = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "it's", "there", "here",
    "then", "when", "while", "after", "before", "we", "our", "us", "they", "their", "them", "he",
    "his", "she", "her", "you", "your", "i", "my", "me", "someone", "somebody", "nobody",
    "everyone", "anyone", "no", "not", "nothing", "one", "if", "but", "and", "or", "so",
    "because", "also", "maybe", "perhaps", "what", "who", "why", "how", "which", "where", "yes",
    "ok", "okay", "please", "thanks", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "today", "yesterday", "tomorrow", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "aws", "amazon", "cloudformation", "dynamodb", "slack", "github", "google", "microsoft",
    "linux", "production", "prod", "staging", "support", "business", "enterprise", "developer",
    "basic", "incident", "sev", "root", "cause",
))
# fmt: on

_TOKEN = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>|<![a-z]+(?:\|[^>]*)?>|@[\w.-]+|[\w'’]+")
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_AT_NAME = re.compile(r"@[A-Za-z][\w.-]*")
_NOT_PEOPLE_AT = frozenset({"@here", "@channel", "@everyone"})
_CAPITALISED = re.compile(r"[A-Z][a-z]+(?:['’]s)?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_PHRASE = re.compile(
    r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in BLAME_PHRASES) + r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class BlameNote:
    """One sentence that blames a person, with where it was written and why it was noted."""

    source: str
    sentence: str
    phrase: str
    person: str


def find_blame(texts: Iterable[tuple[str, str]]) -> list[BlameNote]:
    """List the sentences in `texts` that assign blame to a person.

    `texts` are `(source, text)` pairs; `source` says where the text came from (for example
    `"timeline 4"` or `"follow-up 2"`) and is copied into each note. At most one note per
    sentence, in the order given.
    """
    notes: list[BlameNote] = []
    for source, text in texts:
        if _PHRASE.search(text) is None:  # most entries blame nobody: skip the sentence work
            continue
        for sentence in _sentences(text):
            note = _blame_in(source, sentence)
            if note is not None:
                notes.append(note)
    return notes


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _blame_in(source: str, sentence: str) -> BlameNote | None:
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(sentence)]
    for match in _PHRASE.finditer(sentence):
        phrase = " ".join(match.group().lower().split())
        before = [t for s, _, t in tokens if s < match.start()]
        after = [t for s, _, t in tokens if s >= match.end()]
        window_before = before[-WINDOW:]
        if _negated(window_before):
            continue
        if phrase in PERSONAL_PHRASES:
            return BlameNote(source, sentence, phrase, person=phrase.split()[0])
        for token in [*reversed(window_before), *after[:WINDOW]]:
            if _is_person(token):
                return BlameNote(source, sentence, phrase, person=_person_label(token))
    return None


def _negated(words_before: list[str]) -> bool:
    return any(w.lower().replace("’", "'") in _NEGATIONS for w in words_before)


def _is_person(token: str) -> bool:
    if _MENTION.fullmatch(token):
        return True
    if _AT_NAME.fullmatch(token):
        return token.lower() not in _NOT_PEOPLE_AT
    if _CAPITALISED.fullmatch(token):
        # A capitalised first word is usually just grammar ("The fault was..."): common
        # words are listed in _NOT_NAMES so that only names remain.
        return _person_label(token).lower() not in _NOT_NAMES
    return False


def _person_label(token: str) -> str:
    return re.sub(r"['’]s$", "", token)
