"""Health-advertising rules, as data: one set per province.

Each family of claim (testimonials, superlatives, guarantees ...) is described
once: what triggers it, what takes it back (a negation, hedged clinical
language, a citation, a named certifying body) and how serious it is. Each
province then names the rule that forbids it there, with its id and the
source a clinic can look up. A province is added by adding its sources (and
any family only it forbids) below.

Sources, in plain words:
- Ontario: O. Reg. 114/94 under the Medicine Act, 1991, s. 6 (information must
  be factual, accurate and verifiable, s. 6(1); not false, misleading or
  deceptive, s. 6(2)(a); no testimonial, comparative or superlative
  statement, s. 6(2)(b)), and the CPSO policy "Advertising" (testimonials,
  before-and-after images, use of titles).
- British Columbia: the CPSBC practice standard "Advertising and
  Communication with the Public" (accurate and not misleading; no
  testimonials, superlatives or comparisons; no inducements; use of the term
  "specialist", with CPSBC Bylaws s. 7-4).
- Both: the Competition Act, s. 74.01(1)(b): a claim of a product's
  performance or efficacy needs an adequate and proper test behind it.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

ERROR = "error"
WARNING = "warning"

# What takes a match back (see checker.py).
NEGATION = "negation"  # "we cannot promise", "is not a cure"
HEDGE = "hedge"  # "may help", "in some studies"
QUANTIFIER = "quantifier"  # "most people have no side effects beyond..."
CITATION = "citation"  # "[2]", "(Smith et al., 2019)", "according to"

# Nouns that make a superlative or a title a claim about the clinic, its
# staff or a treatment ("the best clinic"), not an ordinary phrase ("the
# best time to call").
ABOUT_THE_CLINIC = (
    r"clinics?|centres?|centers?|team|staff|doctors?|physicians?|practitioners?|"
    r"providers?|specialists?|experts?|professionals?|nurses?|care|treatments?|"
    r"therap(?:y|ies)|injections?|results?|outcomes?|facilit(?:y|ies)|"
    r"equipment|technology|services?|options?|choice|approach|prolotherapy"
)
RECOGNISED_CERTIFICATION = (
    r"Royal College of Physicians and Surgeons of Canada|"
    r"College of Family Physicians of Canada|\bFRCPC\b|\bFRCSC\b|\bCCFP\b|"
    r"American Board of [A-Z]\w+|certified by the [A-Z]\w+"
)
PAIN_AND_TISSUE = (
    r"pain|injur\w*|tendon\w*|ligament\w*|joints?|arthritis|osteoarthritis|"
    r"damage|function|mobility|stability|tissues?|conditions?|symptoms?"
)


@dataclass(frozen=True)
class Family:
    """A kind of claim, wherever it is forbidden."""

    name: str
    severity: str
    message: str
    triggers: tuple
    cancelled_by: tuple = (NEGATION,)
    # A trigger only counts with one of these nouns within three words after it.
    needs_target: tuple = ()
    # A sentence matching this is never a finding of the family.
    unless: str = ""
    # The rule it is reported as, when two families share one rule.
    rule_name: str = ""

    @property
    def rule(self):
        return self.rule_name or self.name


FAMILIES = {
    family.name: family
    for family in [
        Family(
            "testimonial",
            ERROR,
            _(
                "Patient testimonials, quotes and reviews are not allowed in a "
                "clinic's advertising."
            ),
            triggers=(
                r"[“\"][^”\"]*\b(?:I|I'm|I’m|I've|I’ve|I'd|my|me|mine)\b[^”\"]*[”\"]",
                r"\btestimonials?\b",
                r"\bpatient (?:stories|reviews?|says?|said)\b",
                r"\b(?:our )?patients (?:say|said|rave|love us|tell us|agree|"
                r"trust us|recommend us|swear by)\b",
                r"\bwhat (?:our )?(?:patients|clients) (?:say|are saying)\b",
                r"\b(?:5|five)[- ]star\b",
                r"★",
                r"\brated \d(?:\.\d)? (?:out of|/)",
                r"—\s?[A-Z][a-z]+,? [A-Z]\.",
            ),
        ),
        Family(
            "superlative",
            ERROR,
            _(
                "Superlatives and comparisons about the clinic, its staff or a "
                "treatment (best, leading, state-of-the-art, better than) are not "
                "allowed; say what you offer in plain, verifiable terms."
            ),
            triggers=(
                r"\bstate[- ]of[- ]the[- ]art\b",
                r"\bworld[- ]class\b",
                r"\bcutting[- ]edge\b",
                r"\bbest[- ]in[- ]class\b",
                r"\bunrivall?ed\b",
                r"\bunmatched\b",
                r"\bunparall?eled\b",
                r"\bsecond to none\b",
                r"\bnumber one\b|\bno\. ?1\b|#1\b",
                r"\bpremier\b",
                r"\bleading\b(?! to\b| cause\b| up\b)",
                r"\bstands? out\b",
                r"\bbetter than\b",
                r"\bsuperior to\b",
                r"\bmore effective than\b",
                r"\bunlike (?:other|most|many) (?:clinics?|practitioners?|providers?|"
                r"doctors?)\b",
                r"\bthe only (?:clinic|provider|practitioner|team|doctor)\b",
            ),
        ),
        Family(
            "superlative-about",
            ERROR,
            _(
                "Superlatives and comparisons about the clinic, its staff or a "
                "treatment (best, leading, state-of-the-art, better than) are not "
                "allowed; say what you offer in plain, verifiable terms."
            ),
            triggers=(
                r"\b(?:best|top|finest|greatest|foremost|most (?:experienced|advanced|"
                r"skilled|trusted|qualified|effective|respected))\b",
            ),
            needs_target=(ABOUT_THE_CLINIC,),
            rule_name="superlative",
        ),
        Family(
            "guarantee",
            ERROR,
            _(
                "Promises of a result or a cure (guaranteed, permanent relief, "
                "pain-free) are not allowed: no treatment works for everyone."
            ),
            triggers=(
                r"\bguarantee[sd]?\b",
                r"\bwarrant(?:y|ies)\b",
                r"\b100 ?(?:%|percent)\b",
                r"\bpermanent(?:ly)? (?:relief|results?|cure|fix|solution|recovery)\b",
                r"\bcure[sd]?\b",
                r"\bpain[- ]free\b",
                r"\bnever (?:feel|have|experience|suffer) (?:pain|it) again\b",
                r"\b(?:eliminates?|get rid of|banish(?:es)?) (?:your |all |the )?"
                r"(?:pain|arthritis)\b",
                r"\bonce and for all\b",
                r"\bmiracle\b",
                r"\bno more pain\b",
            ),
        ),
        Family(
            "efficacy",
            WARNING,
            _(
                "An efficacy claim needs an adequate and proper test behind it: "
                "qualify it (“may help”, “in some studies”) or point to a "
                "reference."
            ),
            triggers=(
                r"(?<!cost-)\beffective\b",
                r"\b(?:clinically |scientifically )?proven\b",
                r"\bworks (?:for|on|wonders|well|every time)\b",
                r"\b(?:relieves?|eliminates?|heals?|repairs?|restores?|reverses?|"
                r"fix(?:es)?|resolves?)\b(?:\s+\w+){0,3}?\s+(?:"
                + PAIN_AND_TISSUE
                + r")\b",
                r"\b(?:reduces|reducing|improves|improving|relieving)\s+(?:\w+\s+){0,2}"
                r"(?:pain|mobility|function|stability)\b",
                r"\b(?:will|does|do) (?:relieve|reduce|eliminate|heal|fix|restore|"
                r"repair|improve|end|stop|resolve)\b",
                r"\bideal (?:for|solution|treatment|choice)\b",
                r"\buseful (?:for|in)\b",
                r"\bthe (?:solution|answer) (?:you need|for you|to your)\b",
                r"\bsuccessfully (?:treats?|heals?|resolves?)\b",
            ),
            cancelled_by=(NEGATION, HEDGE, CITATION),
        ),
        Family(
            "safety",
            ERROR,
            _(
                "Every treatment has risks: “no side effects” or “risk-free” is "
                "misleading. Describe the known risks instead."
            ),
            triggers=(
                r"\bno (?:(?:serious|known|major|significant|real|lasting)\s+){0,2}"
                r"(?:side[- ]effects?|risks?|complications?|adverse effects?)\b",
                r"\brisk[- ]free\b",
                r"\bzero risk\b",
                r"\b(?:completely|totally|perfectly|100 ?%|entirely|absolutely) safe\b",
                r"\bharmless\b",
                r"\bwithout (?:any )?(?:side[- ]effects?|risks?)\b",
                r"\bsafe for everyone\b",
            ),
            cancelled_by=(NEGATION, QUANTIFIER),
        ),
        Family(
            "statistic",
            WARNING,
            _(
                "An outcome statistic must be verifiable: point to its source (a "
                "reference) or remove it."
            ),
            triggers=(
                r"\b\d{1,3}(?:\.\d+)? ?(?:%|percent)(?= (?:of )?(?:\w+ ){0,3}"
                r"(?:patients|people|clients|success|improve\w*|reduc\w*|relief|"
                r"satisf\w*|recover\w*|better|results?)\b)",
                r"\b(?:patients|people|clients)[^.]{0,40}\b\d{1,3} ?(?:%|percent)",
                r"\b\d+ (?:out of|in) \d+ (?:patients|people|clients)\b",
                r"\b(?:thousands|hundreds|millions) of (?:satisfied |happy )?"
                r"(?:patients|clients|people)\b",
                r"\b\d[\d,]* (?:satisfied|happy|successful) (?:patients|clients|"
                r"treatments)\b",
                r"\bsuccess rate of \d",
            ),
            cancelled_by=(NEGATION, CITATION),
        ),
        Family(
            "title",
            ERROR,
            _(
                "“Board-certified”, “specialist” and similar titles are "
                "restricted to recognised certification: name the certifying "
                "body (such as the Royal College of Physicians and Surgeons of "
                "Canada) or leave the title out."
            ),
            triggers=(
                r"\bboard[- ]certified\b",
                r"\bour (?:\w+ )?(?:specialists?|experts?)\b",
                r"\b(?:specialist|expert) (?:physicians?|doctors?|team|clinic|care|"
                r"practitioners?|providers?|staff)\b",
                r"\b(?:is|are|am) (?:a |an |our |the )?(?:\w+ )?(?:specialists?|"
                r"experts?)\b",
            ),
            unless=RECOGNISED_CERTIFICATION,
        ),
        Family(
            "inducement",
            ERROR,
            _(
                "Offers such as free consultations, discounts or gifts are "
                "inducements, which are not allowed in a clinic's advertising."
            ),
            triggers=(
                r"\bfree(?!-)\s+(?:initial |first |introductory )?"
                r"(?:consultations?|consults?|assessments?|sessions?|treatments?|"
                r"injections?|trials?|gifts?|exams?|evaluations?)\b",
                r"\b(?:complimentary|bonus) (?:consultations?|sessions?|treatments?|"
                r"gifts?|injections?)\b",
                r"\b\d+ ?% off\b",
                r"\bdiscount(?:s|ed)?\b",
                r"\bcoupons?\b",
                r"\bpromo(?:tional)? (?:codes?|offers?|prices?)\b",
                r"\bspecial (?:offer|price|pricing|deal)s?\b",
                r"\blimited[- ]time\b",
                r"\bgift (?:cards?|certificates?)\b",
                r"\brefer a friend\b",
            ),
        ),
    ]
}

# Checks of a page's structure rather than its sentences (checker.py).
STRUCTURE_FAMILIES = {
    "no-risks": (
        ERROR,
        _(
            "A treatment page must describe the treatment's risks (add a Risks "
            "block): leaving them out is misleading by omission."
        ),
    ),
    "benefits-without-evidence": (
        ERROR,
        _(
            "The page claims benefits but no evidence note says how strong the "
            "evidence is: add one to the Risks block."
        ),
    ),
    "before-after-consent": (
        ERROR,
        _(
            "A before-and-after image needs the patient's express consent, "
            "given after their treatment: record it on the image block, or "
            "remove the image."
        ),
    ),
}

ONTARIO_ADVERTISING = "O. Reg. 114/94 (Medicine Act, 1991)"
CPSO_POLICY = "CPSO policy “Advertising”"
CPSBC_STANDARD = (
    "CPSBC practice standard “Advertising and Communication with the Public”"
)
COMPETITION_ACT = "Competition Act, s. 74.01(1)(b)"


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    # family -> source, for each family the province's rules forbid
    sources: dict = field(default_factory=dict)

    def rule_id(self, family):
        return f"{self.code}-{family}"


PROVINCES = {
    "ON": Province(
        "ON",
        "Ontario",
        {
            "testimonial": f"{ONTARIO_ADVERTISING}, s. 6(2)(b); {CPSO_POLICY}, testimonials",
            "superlative": f"{ONTARIO_ADVERTISING}, s. 6(2)(b)",
            "guarantee": f"{ONTARIO_ADVERTISING}, s. 6(2)(a); {COMPETITION_ACT}",
            "efficacy": f"{COMPETITION_ACT}; {ONTARIO_ADVERTISING}, s. 6(1)",
            "safety": f"{ONTARIO_ADVERTISING}, s. 6(2)(a)",
            "statistic": f"{ONTARIO_ADVERTISING}, s. 6(1)",
            "title": f"{CPSO_POLICY}, use of titles",
            "no-risks": f"{ONTARIO_ADVERTISING}, s. 6(2)(a)",
            "benefits-without-evidence": f"{COMPETITION_ACT}; {ONTARIO_ADVERTISING}, s. 6(1)",
            "before-after-consent": f"{CPSO_POLICY}, before-and-after images",
        },
    ),
    "BC": Province(
        "BC",
        "British Columbia",
        {
            "testimonial": f"{CPSBC_STANDARD}, testimonials",
            "superlative": f"{CPSBC_STANDARD}, comparative and superlative statements",
            "guarantee": f"{CPSBC_STANDARD}, accuracy; {COMPETITION_ACT}",
            "efficacy": f"{COMPETITION_ACT}; {CPSBC_STANDARD}, accuracy",
            "safety": f"{CPSBC_STANDARD}, accuracy",
            "statistic": f"{CPSBC_STANDARD}, accuracy",
            "title": f"{CPSBC_STANDARD}, use of the term specialist; CPSBC Bylaws, s. 7-4",
            "inducement": f"{CPSBC_STANDARD}, inducements",
            "no-risks": f"{CPSBC_STANDARD}, accuracy",
            "benefits-without-evidence": f"{COMPETITION_ACT}; {CPSBC_STANDARD}, accuracy",
            "before-after-consent": f"{CPSBC_STANDARD}, before-and-after images",
        },
    ),
}
