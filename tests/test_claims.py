"""The health-advertising check reads sentences, not keywords: the corpus of
risky and clean sentences (claims_corpus.py) for each province's rules."""

import pytest

from treatments.claims.checker import check_text, sentences
from treatments.claims.rules import FAMILIES, PROVINCES

from .claims_corpus import CLEAN, RISKY, SEED_PHRASES


def families(findings):
    return {finding.rule.split("-", 1)[1] for finding in findings}


def test_the_corpus_is_big_enough():
    assert len(RISKY) >= 40
    assert len(CLEAN) >= 40
    # Every family of claim is exercised.
    assert {family.rule for family in FAMILIES.values()} <= {f for _, f, _ in RISKY}


@pytest.mark.parametrize(("sentence", "family", "provinces"), RISKY)
def test_risky_sentences_are_flagged(sentence, family, provinces):
    for province in provinces:
        findings = check_text(sentence, province)
        assert family in families(findings), (province, sentence, findings)
        found = next(f for f in findings if f.rule == f"{province}-{family}")
        assert found.excerpt and found.matched and found.message
        assert found.severity in ("error", "warning")


@pytest.mark.parametrize("sentence", CLEAN)
@pytest.mark.parametrize("province", list(PROVINCES))
def test_clean_sentences_are_not(sentence, province):
    assert check_text(sentence, province) == [], sentence


def test_inducements_are_a_british_columbia_rule():
    assert families(check_text("Book a free consultation this month.", "ON")) == set()
    assert "inducement" in families(
        check_text("Book a free consultation this month.", "BC")
    )


def test_each_finding_cites_its_source_for_the_province():
    ontario = check_text(SEED_PHRASES[3][0], "ON")[0]
    british_columbia = check_text(SEED_PHRASES[3][0], "BC")[0]
    assert ontario.rule == "ON-safety" and "O. Reg. 114/94" in ontario.message
    assert british_columbia.rule == "BC-safety" and "CPSBC" in british_columbia.message


def test_sentences_keep_abbreviations_whole():
    assert sentences("Dr. Lee sees patients. We are open e.g. on Saturdays.") == [
        "Dr. Lee sees patients.",
        "We are open e.g. on Saturdays.",
    ]


def test_an_unknown_province_is_a_clear_error():
    with pytest.raises(ValueError, match="ON, BC"):
        check_text("Anything.", "QC")
