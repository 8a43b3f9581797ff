"""The reader of replies: sentences, lemmas (Voikko for Finnish, Snowball for Swedish and English),
negation scope, mood, hedges, questions and the people named. Pure: text in, a Reading out."""

from automation.parse.reading.answers import Companion, Reading
from automation.parse.reading.reader import read_answer
from automation.parse.reading.words import INSTALL_VOIKKO, available

__all__ = ["INSTALL_VOIKKO", "Companion", "Reading", "available", "read_answer"]
