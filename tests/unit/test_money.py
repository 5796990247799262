"""Money patterns: the forms headlines use in English and German, normalized to units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.extract.money import amount_text, find_money, to_usd

D = Decimal


@pytest.mark.parametrize(
    ("language", "text", "surface", "amount", "currency"),
    [
        ("en", "Amazon weighs a $50 billion bet", "$50 billion", "50000000000", "USD"),
        ("en", "a US$50bn facility", "US$50bn", "50000000000", "USD"),
        ("en", "bonds worth USD 50 bn were sold", "USD 50 bn", "50000000000", "USD"),
        ("en", "a €1.5bn plant", "€1.5bn", "1500000000", "EUR"),
        ("en", "a £300m write-down", "£300m", "300000000", "GBP"),
        ("en", "revenue of $5B", "$5B", "5000000000", "USD"),
        ("en", "a $750k seed cheque", "$750k", "750000", "USD"),
        ("en", "a 10 billion euro package", "10 billion euro", "10000000000", "EUR"),
        ("en", "fined 2 million Swiss francs", "2 million Swiss francs", "2000000", "CHF"),
        ("en", "a $1,250,000 settlement", "$1,250,000", "1250000", "USD"),
        ("en", "a $50-billion buyout", "$50-billion", "50000000000", "USD"),
        ("en", "HK$12.5 billion in loans", "HK$12.5 billion", "12500000000", "HKD"),
        ("en", "profit of 3.2 trillion won", "3.2 trillion won", "3200000000000", "KRW"),
        ("en", "earnings of 41 cents a share", "41 cents", "0.41", "USD"),
        ("en", "half a billion dollars in aid", "half a billion dollars", "500000000", "USD"),
        ("de", "Investition von 50 Milliarden US-Dollar", "50 Milliarden US-Dollar", "50000000000", "USD"),
        ("de", "ein Paket über 50 Mrd. Dollar", "50 Mrd. Dollar", "50000000000", "USD"),
        ("de", "Kosten von 1,5 Mrd. Euro", "1,5 Mrd. Euro", "1500000000", "EUR"),
        ("de", "eine Strafe von 2 Millionen Franken", "2 Millionen Franken", "2000000", "CHF"),
        ("de", "Schulden von 830 Milliarden Dollar", "830 Milliarden Dollar", "830000000000", "USD"),
        ("de", "Bußgeld von 1.250.000 Euro", "1.250.000 Euro", "1250000", "EUR"),
        ("de", "der Kurs liegt bei 1.650 Euro", "1.650 Euro", "1650", "EUR"),
        ("de", "Umsatz von 3,75 Mio. €", "3,75 Mio. €", "3750000", "EUR"),
        ("de", "eine Milliarde Euro für Chips", "eine Milliarde Euro", "1000000000", "EUR"),
        ("de", "zahlt fünf Milliarden Euro", "fünf Milliarden Euro", "5000000000", "EUR"),
        ("de", "Staatsschulden von 1,2 Billionen Euro", "1,2 Billionen Euro", "1200000000000", "EUR"),
        ("de", "ein 50-Milliarden-Dollar-Deal", "50-Milliarden-Dollar", "50000000000", "USD"),
        ("de", "Dividende von 40 Cent", "40 Cent", "0.4", "EUR"),
        ("de", "Gewinn je Aktie von 27 US-Cent", "27 US-Cent", "0.27", "USD"),
    ],
)  # fmt: skip
def test_single_amounts(language: str, text: str, surface: str, amount: str, currency: str) -> None:
    [money] = find_money(text, language)
    assert (money.surface, money.amount, money.currency) == (surface, D(amount), currency)
    assert text[money.start : money.end] == surface
    assert money.qualifier is None and money.amount_min is None and money.amount_max is None


@pytest.mark.parametrize(
    ("language", "text", "surface", "qualifier", "amount"),
    [
        ("en", "talks to invest up to $50 billion", "up to $50 billion", "up_to", "50000000000"),
        ("en", "as much as $10bn could flow", "as much as $10bn", "up_to", "10000000000"),
        ("en", "a deal worth about $4 billion", "about $4 billion", "about", "4000000000"),
        ("en", "valued at roughly €20bn", "roughly €20bn", "about", "20000000000"),
        ("en", "raised more than $1 billion", "more than $1 billion", "more_than", "1000000000"),
        ("en", "losses of nearly £2bn", "nearly £2bn", "nearly", "2000000000"),
        ("en", "at least $300 million in cuts", "at least $300 million", "at_least", "300000000"),
        ("en", "for less than $100 million", "less than $100 million", "less_than", "100000000"),
        ("de", "Investition von bis zu 50 Milliarden Dollar", "bis zu 50 Milliarden Dollar", "up_to", "50000000000"),
        ("de", "ein Umsatz von rund 3 Mrd. Euro", "rund 3 Mrd. Euro", "about", "3000000000"),
        ("de", "Kosten von etwa 700 Mio. Euro", "etwa 700 Mio. Euro", "about", "700000000"),
        ("de", "Gewinn von mehr als 2 Milliarden Euro", "mehr als 2 Milliarden Euro", "more_than", "2000000000"),
        ("de", "ein Minus von knapp 1,5 Mrd. Euro", "knapp 1,5 Mrd. Euro", "nearly", "1500000000"),
        ("de", "Einsparungen von mindestens 400 Millionen Euro", "mindestens 400 Millionen Euro", "at_least", "400000000"),
        ("de", "Kredite mit über 2 Mrd. Euro", "über 2 Mrd. Euro", "more_than", "2000000000"),
    ],
)  # fmt: skip
def test_qualifiers(language: str, text: str, surface: str, qualifier: str, amount: str) -> None:
    [money] = find_money(text, language)
    assert (money.surface, money.qualifier, money.amount) == (surface, qualifier, D(amount))


def test_ueber_after_a_noun_means_worth_not_more_than() -> None:
    # "ein Auftrag über 2 Mrd. Euro" is an order worth 2 bn, not more than 2 bn.
    [money] = find_money("Siemens erhält einen Auftrag über 2 Mrd. Euro.", "de")
    assert money.surface == "2 Mrd. Euro" and money.qualifier is None


@pytest.mark.parametrize(
    ("language", "text", "surface", "low", "high", "currency"),
    [
        ("en", "a $40–50 billion package", "$40–50 billion", "40000000000", "50000000000", "USD"),
        ("en", "a $40-50bn package", "$40-50bn", "40000000000", "50000000000", "USD"),
        ("en", "$40 billion to $50 billion", "$40 billion to $50 billion", "40000000000", "50000000000", "USD"),
        ("en", "priced between $16 and $18 a share", "between $16 and $18", "16", "18", "USD"),
        ("en", "€500 million to €1 billion", "€500 million to €1 billion", "500000000", "1000000000", "EUR"),
        ("de", "40 bis 50 Milliarden Dollar", "40 bis 50 Milliarden Dollar", "40000000000", "50000000000", "USD"),
        ("de", "eine Spanne von 16,50 bis 19,50 Euro", "16,50 bis 19,50 Euro", "16.5", "19.5", "EUR"),
        ("de", "zwischen 2 und 3 Mrd. Euro", "zwischen 2 und 3 Mrd. Euro", "2000000000", "3000000000", "EUR"),
        ("de", "40 Milliarden bis 50 Milliarden Euro", "40 Milliarden bis 50 Milliarden Euro", "40000000000", "50000000000", "EUR"),
    ],
)  # fmt: skip
def test_ranges(language: str, text: str, surface: str, low: str, high: str, currency: str) -> None:
    [money] = find_money(text, language)
    assert money.surface == surface and money.qualifier == "range" and money.currency == currency
    assert (money.amount_min, money.amount_max, money.amount) == (D(low), D(high), D(high))


@pytest.mark.parametrize(
    ("language", "text", "amounts"),
    [
        ("en", "Capex rose from $40 billion to $50 billion.", ["40000000000", "50000000000"]),
        ("de", "Der Umsatz stieg von 40 auf 50 Milliarden Euro.", ["40000000000", "50000000000"]),
        ("de", "2024 stieg der Umsatz auf 3 Mrd. Euro.", ["3000000000"]),
    ],
)
def test_a_change_between_two_amounts_is_not_a_range(language: str, text: str, amounts) -> None:
    found = find_money(text, language)
    assert [m.amount for m in found] == [D(a) for a in amounts]
    assert all(m.qualifier is None for m in found)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Shares rose 5% to a record in 2024."),
        ("en", "The company will cut 12,000 jobs by 2026."),
        ("en", "It sold 50 million shares and 3 billion units."),
        ("en", "Revenue grew 12.5 percent; margins hit 40 per cent."),
        ("en", "The team won 3 games; the A380 flew 1,500 miles."),
        ("de", "Der Kurs stieg um 5 Prozent, der DAX um 1,2 %."),
        ("de", "Im Jahr 2024 Euro-Anleihen zu kaufen lohnte sich."),
        ("de", "Der Konzern streicht 3.500 Stellen und verkauft 2 Millionen Aktien."),
        ("de", "Milliarden Dollar flossen in KI, Hunderte Millionen Euro in Chips."),
        ("en", ""),
    ],
)
def test_numbers_without_a_currency_are_not_money(language: str, text: str) -> None:
    assert find_money(text, language) == []


def test_decimal_separators_follow_the_language() -> None:
    assert find_money("$1.500 billion", "en")[0].amount == D("1500000000")
    assert find_money("1.500 Mrd. Euro", "de")[0].amount == D("1500000000000")
    assert find_money("1,5 Mrd. Euro", "de")[0].amount == D("1500000000")
    assert find_money("$1,500 million", "en")[0].amount == D("1500000000")
    # German text that writes an English decimal point still means 2.5
    assert find_money("2.5 Milliarden Euro", "de")[0].amount == D("2500000000")


def test_several_amounts_in_order_and_never_overlapping() -> None:
    text = "Nvidia paid $113 per share, or about $10.6 billion, and €300m more."
    found = find_money(text, "en")
    assert [m.surface for m in found] == ["$113", "about $10.6 billion", "€300m"]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))


def test_usd_value_uses_reference_rates() -> None:
    [euro] = find_money("€1bn", "en")
    assert euro.amount_usd == to_usd(D("1000000000"), "EUR") and euro.amount_usd > euro.amount
    assert find_money("$2bn", "en")[0].amount_usd == D("2000000000")
    assert to_usd(D("100"), "XYZ") is None


def test_amount_text_is_plain_units() -> None:
    assert amount_text(D("1.5E+9")) == "1500000000"
    assert amount_text(D("0.270")) == "0.27"
    assert amount_text(None) is None
