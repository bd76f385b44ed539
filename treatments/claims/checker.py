"""The health-advertising check: a text, or a treatment page, against its
province's rules (rules.py).

A keyword list cannot tell "has no serious side effects" (a claim) from "we
cannot promise that there are no side effects" (an honest caution), so a
trigger is read in its sentence and clause:

- a **negation** before it in the same clause takes it back ("is not a cure",
  "there is no guarantee", "we do not offer discounts");
- **hedged clinical language** anywhere in the clause takes back an efficacy
  claim ("may help", "in some studies", "some patients report"), but never a
  guarantee ("may cure" is still a cure claim);
- a **quantifier** takes back an absolute safety claim ("most people have no
  side effects beyond soreness" is not "no side effects");
- a **citation** in the sentence takes back an efficacy claim or a statistic
  ("[2]", "(Smith et al., 2019)", "according to");
- a superlative only counts when it is about the clinic, its staff or a
  treatment ("the best clinic", not "the best time to call");
- a title only counts unless the sentence names the body that certified it.
"""

import re
from dataclasses import asdict, dataclass

from django.utils.html import strip_tags

from .rules import (
    CITATION,
    ERROR,
    FAMILIES,
    HEDGE,
    NEGATION,
    PROVINCES,
    QUANTIFIER,
    STRUCTURE_FAMILIES,
)

# Sentences end at . ! ? (and a closing quote or bracket) before a capital or
# a digit, or at a line break; these abbreviations do not end one.
SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)\]]*\s+(?=[“\"‘(\[]?[A-Z0-9])|\s*\n+\s*")
ABBREVIATIONS = re.compile(
    r"\b(?:Dr|Drs|Mr|Mrs|Ms|St|vs|etc|approx|e\.g|i\.e|No|Jr|Sr)\.$", re.IGNORECASE
)
# A negation scopes over its clause; these separate clauses.
CLAUSE_BREAK = re.compile(
    r";|:|\s[–—-]\s|,?\s+\bbut\b\s+|,?\s+\bhowever\b,?\s+|,\s+(?:although|though|whereas|"
    r"yet|while)\b\s+",
    re.IGNORECASE,
)
NEGATION_CUE = re.compile(
    r"\b(?:not|no|never|cannot|can't|can’t|won't|won’t|don't|don’t|doesn't|doesn’t|"
    r"didn't|didn’t|isn't|isn’t|aren't|aren’t|wasn't|weren't|nor|neither|without|"
    r"unable|refrain|avoid|none)\b",
    re.IGNORECASE,
)
NOT_A_NEGATION = re.compile(r"\bnot only\b|\bno doubt\b|\bnot just\b", re.IGNORECASE)
# How far before a trigger a negation still reaches, in words.
NEGATION_REACH = 5
HEDGE_CUE = re.compile(
    r"\b(?:may|might|could|can help|can reduce|can improve|can relieve|"
    r"some (?:studies|research|trials|evidence|patients|people)|in some|for some|"
    r"(?:studies|research|evidence|trials) (?:suggests?|indicates?|shows? mixed)|"
    r"is thought|are thought|believed|aims? to|the aim is|designed to|intended to|"
    r"meant to|(?:say|says|said|claim|claims|report|reports) (?:that )?it|"
    r"potential(?:ly)?|possibl[ey]|likely|in certain|proponents|often|sometimes|"
    r"usually|can be considered|may be considered|it is hoped|hope to)\b",
    re.IGNORECASE,
)
QUANTIFIER_CUE = re.compile(
    r"\b(?:most|many|some|few|usually|generally|typically|rarely)\b", re.IGNORECASE
)
CITATION_CUE = re.compile(
    r"\[\d+(?:[,–-]\s*\d+)*\]|\(\w+(?: et al\.?)?,? (?:19|20)\d\d\)|\baccording to\b|"
    r"\bdoi:|\bsource:|\bsee reference\b|\breferences? \d",
    re.IGNORECASE,
)
WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    excerpt: str
    message: str
    matched: str = ""
    where: str = ""

    def as_dict(self):
        return asdict(self)


def sentences(text):
    """The sentences of a plain text, abbreviations kept whole."""
    pieces = [piece for piece in SENTENCE_END.split(text or "") if piece.strip()]
    merged = []
    for piece in pieces:
        if merged and ABBREVIATIONS.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece.strip())
    return merged


def clauses(sentence):
    return [part for part in CLAUSE_BREAK.split(sentence) if part and part.strip()]


def negated(clause, start):
    """Is there a negation within reach before ``start`` in the clause?"""
    before = clause[:start]
    if NOT_A_NEGATION.search(before[-20:]):
        return False
    words = WORD.findall(before)[-NEGATION_REACH:]
    return any(NEGATION_CUE.fullmatch(word) for word in words)


def about_the_clinic(clause, end, target):
    following = " ".join(WORD.findall(clause[end:])[:3])
    return re.search(rf"\b(?:{target})\b", following, re.IGNORECASE) is not None


def family_findings(family, province, sentence):
    """The first finding of ``family`` in ``sentence``, or None."""
    if family.unless and re.search(family.unless, sentence):
        return None
    for clause in clauses(sentence):
        for trigger in family.triggers:
            for match in re.finditer(trigger, clause, re.IGNORECASE):
                if family.needs_target and not any(
                    about_the_clinic(clause, match.end(), target)
                    for target in family.needs_target
                ):
                    continue
                if NEGATION in family.cancelled_by and negated(clause, match.start()):
                    continue
                if HEDGE in family.cancelled_by and HEDGE_CUE.search(clause):
                    continue
                if QUANTIFIER in family.cancelled_by and QUANTIFIER_CUE.search(
                    clause[: match.start()]
                ):
                    continue
                if CITATION in family.cancelled_by and CITATION_CUE.search(sentence):
                    continue
                return match.group(0)
    return None


def province_of(code):
    province = PROVINCES.get((code or "").upper())
    if province is None:
        known = ", ".join(PROVINCES)
        raise ValueError(f"Unknown province {code!r}; the rules cover {known}.")
    return province


def finding(province, family_name, severity, message, excerpt, matched="", where=""):
    source = province.sources[family_name]
    return Finding(
        rule=province.rule_id(family_name),
        severity=severity,
        excerpt=excerpt,
        message=f"{message} ({source})",
        matched=matched,
        where=where,
    )


def check_text(text, province_code, where=""):
    """Findings in a plain text, for the rules of ``province_code``."""
    province = province_of(province_code)
    findings = []
    for sentence in sentences(text):
        seen = set()
        for family in FAMILIES.values():
            if family.rule not in province.sources or family.rule in seen:
                continue
            matched = family_findings(family, province, sentence)
            if matched is not None:
                seen.add(family.rule)
                findings.append(
                    finding(
                        province,
                        family.rule,
                        family.severity,
                        family.message,
                        sentence[:300],
                        matched,
                        where,
                    )
                )
    return findings


def has_errors(findings):
    return any(f.severity == ERROR for f in findings)


# Pages


def page_texts(page):
    """(where, plain text) of everything a visitor reads on a treatment page."""
    yield "title", page.title
    yield "summary", getattr(page, "summary", "")
    if getattr(page, "search_description", ""):
        yield "search description", page.search_description
    body = getattr(page, "body", None)
    if body is None:
        return
    for position, child in enumerate(body, start=1):
        label = str(child.block.meta.label or child.block_type)
        yield from block_texts(child.block, child.value, f"{label} (block {position})")


def block_texts(block, value, where):
    from wagtail import blocks

    if value is None:
        return
    if isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            yield from block_texts(child, value.get(name), f"{where} › {name}")
    elif isinstance(block, blocks.ListBlock):
        for number, item in enumerate(value, start=1):
            yield from block_texts(block.child_block, item, f"{where} › {number}")
    elif isinstance(block, blocks.RichTextBlock):
        html = value.source if hasattr(value, "source") else str(value)
        spaced = re.sub(r"</(p|li|h[1-6])>|<br\s*/?>", "\n", html)
        yield where, strip_tags(spaced)
    elif isinstance(block, (blocks.CharBlock, blocks.TextBlock)):
        yield where, str(value)


BEFORE_AFTER = re.compile(r"\bbefore\W+(?:and\W+|&\W+|/\W*)?after\b", re.IGNORECASE)


def structure_findings(page, province):
    body = getattr(page, "body", None)
    if body is None:
        return []
    findings = []

    def add(family_name, excerpt, where=""):
        severity, message = STRUCTURE_FAMILIES[family_name]
        findings.append(
            finding(province, family_name, severity, message, excerpt, where=where)
        )

    types = [child.block_type for child in body]
    risks = [child.value for child in body if child.block_type == "risks"]
    if "risks" not in types:
        add("no-risks", str(page.title))
    if "benefits" in types and not any(
        (value.get("evidence_note") or "").strip() for value in risks
    ):
        add("benefits-without-evidence", str(page.title))
    for position, child in enumerate(body, start=1):
        if child.block_type != "image":
            continue
        value = child.value
        image = value.get("image")
        text = " ".join(
            [
                value.get("alt_text") or "",
                value.get("caption") or "",
                getattr(image, "title", "") or "",
            ]
        )
        if BEFORE_AFTER.search(text) and not value.get("consent_recorded"):
            add("before-after-consent", text.strip(), where=f"image (block {position})")
    return findings


def check_page(page, province_code):
    """Every finding of a treatment page: its text, then its structure."""
    province = province_of(province_code)
    findings = []
    for where, text in page_texts(page):
        findings += check_text(text, province.code, where=where)
    return findings + structure_findings(page, province)
