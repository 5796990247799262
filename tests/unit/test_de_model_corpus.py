"""The corpus converter: labels collapse as the corpora READMEs describe, splits keep sources whole.

The corpus snippets below are written for this test in the two published formats.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.extract.training import corpus, news

GERMEVAL = """\
#\thttp://www.beispiel-zeitung.de/wirtschaft/artikel1.html\t[2010-01-05]
1\tDer\tO\tO
2\tSiemens-Chef\tB-ORGpart\tO
3\tsprach\tO\tO
4\tmit\tO\tO
5\tder\tO\tO
6\tDeutschen\tB-ORG\tB-LOCderiv
7\tBank\tI-ORG\tO
8\tin\tO\tO
9\tFrankfurt\tB-LOC\tO
10\tüber\tO\tO
11\t"\tO\tO
12\tProjekt\tB-OTH\tO
13\tNord\tI-OTH\tB-LOC
14\t"\tO\tO
15\t.\tO\tO

#\thttp://de.wikipedia.org/wiki/Beispielstadt\t[2009-08-13]
1\tAnna\tB-PER\tO
2\tMeier\tI-PER\tO
3\tlebt\tO\tO
4\tin\tO\tO
5\tder\tO\tO
6\tdeutschen\tB-LOCderiv\tO
7\tStadt\tO\tO
8\t.\tO\tO

#\tbeispiel-zeitung.de vom 07.04.2005\t[2005-04-07]
1\tDie\tO\tO
2\tPost\tB-ORG\tO
3\twächst\tO\tO
4\t.\tO\tO
"""

LER = (
    "Das O\r\nBundesverfassungsgericht B-GRT\r\nhat O\r\nder O\r\nBeispiel B-UN\r\nGmbH I-UN\r\n"
    "nach O\r\n§ B-GS\r\n3 I-GS\r\nBGB I-GS\r\nRecht O\r\ngegeben O\r\n. O\r\n\r\n"
    "Richter B-RR\r\nMüller I-RR\r\nwohnt O\r\nin O\r\nKassel B-ST\r\n. O\r\n\r\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def entities(sent: corpus.Sentence) -> list[tuple[str, str]]:
    """(text, label) pairs read back from the BIO tags."""
    out: list[tuple[str, str]] = []
    for word, tag in zip(sent.words, sent.tags, strict=True):
        if tag.startswith("B-"):
            out.append((word, tag[2:]))
        elif tag.startswith("I-"):
            out[-1] = (f"{out[-1][0]} {word}", out[-1][1])
    return out


def test_germeval_keeps_per_org_loc_and_drops_oth_deriv_part(tmp_path):
    sents = list(corpus.read_germeval(write(tmp_path, "g.tsv", GERMEVAL)))
    assert [entities(s) for s in sents] == [
        [("Deutschen Bank", "ORG"), ("Frankfurt", "LOC")],
        [("Anna Meier", "PER")],
        [("Post", "ORG")],
    ]


def test_germeval_sentences_are_grouped_by_outlet_or_wikipedia_article(tmp_path):
    sents = list(corpus.read_germeval(write(tmp_path, "g.tsv", GERMEVAL)))
    # the URL and the "outlet vom date" form of the same outlet are one source
    assert [s.source for s in sents] == [
        "beispiel-zeitung.de",
        "de.wikipedia.org/wiki/Beispielstadt",
        "beispiel-zeitung.de",
    ]


def test_ler_fine_labels_collapse_to_per_org_loc(tmp_path):
    sents = list(corpus.read_ler(write(tmp_path, "ler.conll", LER)))
    assert [entities(s) for s in sents] == [
        [("Bundesverfassungsgericht", "ORG"), ("Beispiel GmbH", "ORG")],  # court, company
        [("Richter Müller", "PER"), ("Kassel", "LOC")],  # judge, city; the law is dropped
    ]


def test_a_dropped_label_never_leaves_a_dangling_inside_tag():
    tags = corpus._repair_bio(["O", "I-ORG", "I-ORG", "B-PER", "I-LOC"])
    assert tags == ["O", "B-ORG", "I-ORG", "B-PER", "B-LOC"]


def test_split_is_stable_and_never_divides_a_source():
    groups = [f"outlet{i}.de" for i in range(400)]
    first = {g: corpus.split_of(g) for g in groups}
    assert first == {g: corpus.split_of(g) for g in groups}
    shares = {
        part: list(first.values()).count(part) / len(groups) for part in ("train", "dev", "test")
    }
    assert 0.12 < shares["test"] < 0.28 and 0.05 < shares["dev"] < 0.16, shares


def test_running_text_is_rebuilt_with_ordinary_spacing():
    words, spaces = corpus.detokenize(
        ["Er", "sagte", '"', "Ja", '"', "(", "heute", ")", ",", "nicht", "mehr", "."]
    )
    text = "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True))
    assert text == 'Er sagte "Ja" (heute), nicht mehr.'


def test_a_missing_corpus_file_names_the_path_and_the_option(tmp_path):
    with pytest.raises(ConfigError, match=r"ler_dev\.conll.*--data"):
        list(corpus.read_ler(tmp_path / "ler_dev.conll"))


def test_a_malformed_germeval_line_names_file_and_line(tmp_path):
    path = write(tmp_path, "g.tsv", "#\thttp://x.de/a\t[2010-01-01]\n1 Token O O\n")
    with pytest.raises(ConfigError, match=r"g\.tsv:2"):
        list(corpus.read_germeval(path))


def test_news_markup_gives_exact_spans_and_swaps_keep_labels():
    sent = news.parse_marked("[Siemens](ORG) kauft in [Darmstadt](LOC) ein.")
    assert sent.text == "Siemens kauft in Darmstadt ein."
    assert [(sent.text[s:e], lab) for s, e, lab in sent.spans] == [
        ("Siemens", "ORG"),
        ("Darmstadt", "LOC"),
    ]
    import random

    swapped = news.swap_entities(sent, random.Random(1))
    assert [lab for _, _, lab in swapped.spans] == ["ORG", "LOC"]
    assert " kauft in " in swapped.text and swapped.text.endswith(" ein.")


def test_every_hand_written_news_sentence_parses():
    sents = news.read_news()
    assert len(sents) >= 150
    assert all("[" not in s.text and "](" not in s.text for s in sents)
