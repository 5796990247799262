"""Article language: the feed's declared language, checked against the text.

Policy (what wins when they disagree):
- the declared language (from config/feeds.yaml, else the document's own <language>) is the
  default, and always wins for short text (fewer than MIN_WORDS words), where detectors guess;
- a cheap function-word vote confirms it for most articles without running a detector
  (without a declared language, a clear vote for English or German decides);
- otherwise langdetect (seeded, so the answer is reproducible) decides: a different language
  wins only with probability >= MIN_PROBABILITY. A detected language outside the supported set
  wins too (only with MIN_WORDS_OTHER words), so extraction does not run a German pipeline on
  French text and the quality gate can see it.
"""

from __future__ import annotations

import re
from functools import cache

MIN_WORDS = 6
MIN_WORDS_OTHER = 12
MIN_PROBABILITY = 0.90
SEED = 0

# Frequent function words that are rare in the other language.
_FUNCTION_WORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "is",
            "are",
            "was",
            "were",
            "for",
            "with",
            "that",
            "this",
            "from",
            "has",
            "have",
            "will",
            "its",
            "on",
            "by",
            "as",
            "at",
            "after",
            "over",
            "into",
            "about",
            "their",
            "be",
            "been",
            "it",
            "says",
            "said",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "sind",
            "war",
            "für",
            "mit",
            "ein",
            "eine",
            "einen",
            "dem",
            "den",
            "des",
            "von",
            "zu",
            "auf",
            "bei",
            "nicht",
            "auch",
            "sich",
            "nach",
            "über",
            "wie",
            "wird",
            "werden",
            "hat",
            "haben",
            "aus",
            "um",
            "im",
            "vom",
            "zum",
            "zur",
        ]
    ),
}
_WORDS = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")


@cache
def _detector_factory():
    """langdetect's profiles, loaded once per process into our own factory (not its global)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = SEED
    return factory


def primary(code: str | None) -> str | None:
    """'de-DE' -> 'de'; None or '' stays None."""
    if not code:
        return None
    return code.strip().lower().replace("_", "-").split("-")[0] or None


def function_word_vote(words: list[str]) -> dict[str, int]:
    lowered = [w.lower() for w in words]
    return {lang: sum(w in vocab for w in lowered) for lang, vocab in _FUNCTION_WORDS.items()}


def detect(text: str) -> tuple[str, float] | None:
    """(language, probability) from langdetect, or None when it finds no features."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _detector_factory().create()
    detector.append(text[:2000])
    try:
        best = detector.get_probabilities()
    except LangDetectException:
        return None
    return (best[0].lang, best[0].prob) if best else None


def decide_language(
    text: str, declared: str | None, supported: tuple[str, ...] = ("en", "de")
) -> tuple[str, str | None]:
    """(language, note) for an article's text; note says why the declared one was overridden."""
    declared = primary(declared)
    words = _WORDS.findall(text)
    if declared and len(words) < MIN_WORDS:
        return declared, None
    votes = function_word_vote(words)
    for lang in [declared] if declared else list(votes):
        if lang in votes:
            mine = votes[lang]
            other = max(v for other_lang, v in votes.items() if other_lang != lang)
            if mine >= 2 and mine >= 2 * other:
                return lang, None
    found = detect(text)
    if found is None:
        return declared or "und", None
    lang, probability = found
    lang = primary(lang) or "und"
    if declared is None:
        return lang, None
    if lang == declared or probability < MIN_PROBABILITY:
        return declared, None
    if lang not in supported and len(words) < MIN_WORDS_OTHER:
        return declared, None
    return lang, f"declared {declared}, text detected as {lang} (p={probability:.2f})"
