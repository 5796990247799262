"""The shipped German NER model loads from the package and finds people, organizations, places.

The sentences below were written for this test; none is in the training material.
Load time is measured by `python -m pipeline.extract.training.benchmark`, not here.
"""

from __future__ import annotations

import json

import pytest

from pipeline.extract.models import DE_MODEL_DIR, packaged_de_model

# (sentence, entities a German reader finds in it)
SENTENCES = [
    (
        "Der Autozulieferer Schaeffler aus Herzogenaurach übernimmt den Konkurrenten Vitesco.",
        {("Schaeffler", "ORG"), ("Herzogenaurach", "LOC"), ("Vitesco", "ORG")},
    ),
    (
        "Bundesfinanzminister Lars Klingbeil stellte den Haushalt am Mittwoch in Berlin vor.",
        {("Lars Klingbeil", "PER"), ("Berlin", "LOC")},
    ),
    (
        "Die Deutsche Post erhöht das Porto, teilte der Konzern in Bonn mit.",
        {("Deutsche Post", "ORG"), ("Bonn", "LOC")},
    ),
    (
        "Die Commerzbank lehnt das Angebot der Mailänder Unicredit weiterhin ab.",
        {("Commerzbank", "ORG"), ("Unicredit", "ORG")},
    ),
    (
        "Google investiert in den kommenden zwei Jahren fünf Milliarden Euro in Deutschland.",
        {("Google", "ORG"), ("Deutschland", "LOC")},
    ),
    (
        "Nach Angaben von Konzernchefin Bettina Orlopp sinkt die Zahl der Filialen in Hamburg.",
        {("Bettina Orlopp", "PER"), ("Hamburg", "LOC")},
    ),
    (
        "Der Softwarekonzern Oracle schließt einen Cloud-Vertrag mit OpenAI über 30 Milliarden Dollar.",
        {("Oracle", "ORG"), ("OpenAI", "ORG")},
    ),
    (
        "Die Europäische Kommission verhängt gegen Microsoft eine Strafe.",
        {("Europäische Kommission", "ORG"), ("Microsoft", "ORG")},
    ),
    (
        "Der Chemiekonzern Lanxess aus Köln verkauft seine Sparte an den Finanzinvestor Advent.",
        {("Lanxess", "ORG"), ("Köln", "LOC"), ("Advent", "ORG")},
    ),
    (
        "Volkswagen-Markenchef Thomas Schäfer kündigte in Wolfsburg neue Sparrunden an.",
        {("Thomas Schäfer", "PER"), ("Wolfsburg", "LOC")},
    ),
    (
        "Die Lufthansa streicht wegen des Streiks der Gewerkschaft Verdi Hunderte Flüge in Frankfurt.",
        {("Lufthansa", "ORG"), ("Verdi", "ORG"), ("Frankfurt", "LOC")},
    ),
    (
        "Angela Merkel traf sich in Paris mit Emmanuel Macron.",
        {("Angela Merkel", "PER"), ("Paris", "LOC"), ("Emmanuel Macron", "PER")},
    ),
]


@pytest.fixture(scope="module")
def nlp():
    import spacy

    path = packaged_de_model()
    assert path is not None, f"no German model shipped in {DE_MODEL_DIR}; run `make train-de`"
    return spacy.load(path)


def test_the_model_is_shipped_inside_the_package_and_small():
    path = packaged_de_model()
    assert path is not None and path.is_relative_to(DE_MODEL_DIR.parent)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    assert size < 10 * 1024 * 1024, f"shipped model is {size / 1e6:.1f} MB; keep it a few MB"


def test_the_model_labels_people_organizations_and_places(nlp):
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PER", "ORG", "LOC"}


def test_the_model_credits_its_training_corpora():
    meta = json.loads((DE_MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    names = " ".join(s["name"] for s in meta["sources"])
    assert "GermEval 2014" in names and "LER" in names
    assert all(s["license"] == "CC BY 4.0" for s in meta["sources"])


def test_the_model_finds_entities_in_german_news_sentences(nlp):
    expected = {(i, text, label) for i, (_, ents) in enumerate(SENTENCES) for text, label in ents}
    found = {
        (i, ent.text, ent.label_)
        for i, doc in enumerate(nlp.pipe(s for s, _ in SENTENCES))
        for ent in doc.ents
    }
    hits = expected & found
    recall = len(hits) / len(expected)
    precision = len(hits) / len(found) if found else 0.0
    missed = sorted(expected - found)
    wrong = sorted(found - expected)
    assert recall >= 0.8, f"recall {recall:.2f}; missed {missed}"
    assert precision >= 0.8, f"precision {precision:.2f}; spurious {wrong}"


def test_organizations_are_found_across_the_sentences(nlp):
    orgs = {(t, lab) for _, ents in SENTENCES for t, lab in ents if lab == "ORG"}
    found = {(e.text, e.label_) for d in nlp.pipe(s for s, _ in SENTENCES) for e in d.ents}
    assert len(orgs & found) / len(orgs) >= 0.8, f"missed {sorted(orgs - found)}"


def test_money_and_market_words_are_not_entities(nlp):
    # the English model calls "Milliarden US-Dollar" an ORG; the German one must not
    docs = nlp.pipe(
        [
            "Der Dax schloss 0,5 Prozent höher bei 24.000 Punkten.",
            "Die Firma sammelt 120 Millionen US-Dollar bei Investoren ein.",
            "Die Übernahme kostet rund 4,5 Milliarden Euro.",
        ]
    )
    ents = [(e.text, e.label_) for d in docs for e in d.ents]
    assert not [e for e in ents if any(w in e[0] for w in ("Dollar", "Euro", "Milliarden"))], ents
