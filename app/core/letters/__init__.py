"""連絡文 (letters): ready-to-send Japanese letters for the people who can fix a bounce.

How the pieces fit (see docs/letters.md):

- ``templates``: one TOML file per letter in ``resources/letters/``; a file of the same name in
  the user's folder overrides it (a broken override falls back, with a Japanese warning).
- ``chooser``: which letter fits an entry (recipient domain group + classifier reason), and
  grouping of several entries that share a recipient side into one letter.
- ``compose``: the variables of a group (sender facts from settings, evidence quoted from the
  bounce) rendered into a plain-text ``Letter``.
- ``render``: single-pass substitution; values are never re-read as template text.
- ``typos``: ``gmial.com`` → ``gmail.com`` by edit distance over well-known domains.
- ``polish``: optional LLM wording pass, accepted only if it adds no fact.
"""

from app.core.letters.chooser import Choice, LetterGroup, choose_letter, group_for_letters
from app.core.letters.compose import Letter, SenderFacts, compose_letter, compose_letters
from app.core.letters.templates import LetterKind, LetterTemplate, TemplateSet, load_templates

__all__ = [
    "Choice",
    "Letter",
    "LetterGroup",
    "LetterKind",
    "LetterTemplate",
    "SenderFacts",
    "TemplateSet",
    "choose_letter",
    "compose_letter",
    "compose_letters",
    "group_for_letters",
    "load_templates",
]
