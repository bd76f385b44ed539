"""Sentences for the health-advertising check, written for these tests.

RISKY: (sentence, rule family it must raise, provinces it applies to).
CLEAN: sentences that must raise nothing in any province: hedged clinical
language, negated claims, ordinary words in non-claim uses and correctly
stated certifications. None of this is demo content: the numbers and names
are made up for the test and never shown to visitors.
"""

BOTH = ("ON", "BC")

# The original phrasing of the two clinics' pages (../shared/seeds/), which
# the check must flag.
SEED_PHRASES = [
    (
        "At the Toronto Integrative and Functional Medicine Clinic, our skilled and "
        "experienced board-certified healthcare providers offer Prolotherapy as "
        "part of a comprehensive approach to pain management and tissue healing.",
        "title",
        BOTH,
    ),
    (
        "State-of-the-Art Facility: Our clinic is fully equipped with the latest "
        "technology and equipment in a comfortable, supportive setting.",
        "superlative",
        BOTH,
    ),
    (
        "Chronic Joint Pain: Effective for osteoarthritis in the knees, shoulders, "
        "hips, and other joints.",
        "efficacy",
        BOTH,
    ),
    (
        "Fortunately, prolotherapy has no serious side effects.",
        "safety",
        BOTH,
    ),
    ("Begin Your Journey to Pain-Free Living", "guarantee", BOTH),
    ("Useful for stabilizing spinal ligaments.", "efficacy", BOTH),
]

RISKY = [
    *SEED_PHRASES,
    # Testimonials and patient quotes
    (
        "“After three sessions my knee stopped aching,” says Maria T.",
        "testimonial",
        BOTH,
    ),
    ("Read what our patients say about their treatment.", "testimonial", BOTH),
    ("Our patients rave about the care they receive here.", "testimonial", BOTH),
    ("Rated 4.9 out of 5 by the people we treat.", "testimonial", BOTH),
    ("See our five-star reviews on the clinic's page.", "testimonial", BOTH),
    ("“I can finally play tennis again!” — Laura M.", "testimonial", BOTH),
    ("Here is a testimonial from one of the people we treated.", "testimonial", BOTH),
    # Superlatives and comparisons
    ("We are the best prolotherapy clinic in Toronto.", "superlative", BOTH),
    ("Our team offers world-class regenerative care.", "superlative", BOTH),
    ("Kelowna's leading clinic for joint pain.", "superlative", BOTH),
    ("Our results are better than those of other clinics.", "superlative", BOTH),
    ("We use cutting-edge injection techniques.", "superlative", BOTH),
    (
        "Dr. Patel is the most experienced practitioner in the region.",
        "superlative",
        BOTH,
    ),
    ("Our clinic stands out from the rest.", "superlative", BOTH),
    ("Unlike other clinics, we look for the root cause.", "superlative", BOTH),
    ("Top doctors in the valley offer this therapy.", "superlative", BOTH),
    # Guarantees and cure claims
    ("We guarantee lasting relief from back pain.", "guarantee", BOTH),
    ("Prolotherapy cures tennis elbow.", "guarantee", BOTH),
    ("Get rid of your pain once and for all.", "guarantee", BOTH),
    (
        "This treatment offers permanent relief for damaged ligaments.",
        "guarantee",
        BOTH,
    ),
    ("You will never feel pain again after your last session.", "guarantee", BOTH),
    # Unqualified efficacy claims
    ("Prolotherapy is effective for chronic low back pain.", "efficacy", BOTH),
    ("Prolotherapy is clinically proven to heal torn ligaments.", "efficacy", BOTH),
    ("The injections relieve joint pain and restore mobility.", "efficacy", BOTH),
    ("This treatment works for every kind of sports injury.", "efficacy", BOTH),
    ("Ideal for athletes with chronic tendon strains.", "efficacy", BOTH),
    (
        "Over time the new collagen strengthens the joint, reducing pain and "
        "improving mobility.",
        "efficacy",
        BOTH,
    ),
    # Absolute safety claims
    ("Prolotherapy is completely safe.", "safety", BOTH),
    ("A risk-free alternative to surgery.", "safety", BOTH),
    ("The procedure is harmless and quick.", "safety", BOTH),
    ("Enjoy relief without any side effects.", "safety", BOTH),
    # Unverifiable statistics about outcomes
    ("92% of our patients report less pain after treatment.", "statistic", BOTH),
    ("9 out of 10 patients feel better within a month.", "statistic", BOTH),
    ("Thousands of satisfied patients have chosen our clinic.", "statistic", BOTH),
    ("Our success rate of 95 percent speaks for itself.", "statistic", BOTH),
    # Restricted titles and credentials
    ("Dr. Chen is a prolotherapy specialist.", "title", BOTH),
    ("Our specialists will assess your joints.", "title", BOTH),
    ("Our board certified team has years of experience.", "title", BOTH),
    ("Meet our experts in regenerative medicine.", "title", BOTH),
    # Inducements (British Columbia)
    ("Book a free consultation this month.", "inducement", ("BC",)),
    ("Get 20% off your first treatment.", "inducement", ("BC",)),
    ("Refer a friend and receive a gift card.", "inducement", ("BC",)),
    ("Ask about our discounted injection packages.", "inducement", ("BC",)),
]

CLEAN = [
    "Prolotherapy may help some people with chronic knee pain.",
    "In some studies, patients reported less pain after several sessions.",
    "We cannot promise that there are no side effects.",
    "The best time to call is between 9 and 11 in the morning.",
    "Our clinic is in a free-standing building with free parking.",
    "Prolotherapy is not a cure for arthritis.",
    "There is no guarantee that the injections will reduce your pain.",
    "Dr. Lee is a specialist in physical medicine and rehabilitation, certified by "
    "the Royal College of Physicians and Surgeons of Canada.",
    "Research on prolotherapy has found mixed results.",
    "Some patients report a reduction in chronic pain after treatment.",
    "Prolotherapy is not risk-free: you may have soreness, bruising or, rarely, "
    "irritation of a nerve.",
    "Experts have not proven how well prolotherapy works.",
    "The treatment aims to stimulate the body's natural healing processes.",
    "Your first visit includes a review of your medical history.",
    "We do not offer discounts or promotional pricing.",
    "Soreness at the injection site is common and usually settles within a few days.",
    "Prolotherapy may be considered for joint instability caused by loose ligaments.",
    "Most people have no side effects beyond soreness at the injection site.",
    "Talk to your doctor before starting any new treatment.",
    "Our team includes physicians and nurse practitioners licensed in Ontario.",
    "The dextrose solution is injected into the weakened ligament.",
    "We will explain the possible risks before you decide.",
    "Bruising is rare, and infection is very rare.",
    "The evidence for prolotherapy is limited and the studies have been small.",
    "Ask your family doctor whether a referral to a specialist is right for you.",
    "Recovery usually takes a day or two.",
    "We never publish patient testimonials or reviews.",
    "Prolotherapy does not work for everyone.",
    "The price of a session is listed on our fees page.",
    "Leading up to your appointment, write down any questions you have.",
    "A fine needle is used, and a local anaesthetic may be offered.",
    "Studies suggest prolotherapy can reduce pain for some people with knee "
    "osteoarthritis [1].",
    "According to the review listed below [2], some participants reported improvement.",
    "Our physicians hold certification from the College of Family Physicians of "
    "Canada (CCFP).",
    "Free-standing signs mark the entrance to the clinic.",
    "The healing process can take several weeks.",
    "It is best to wear loose clothing to your appointment.",
    "We cannot guarantee results.",
    "No treatment is right for everyone.",
    "Prolotherapy is an elective treatment that people choose to receive.",
    "If pain gets worse after an injection, call the clinic.",
    "Injections are given in an outpatient setting.",
    "How prolotherapy works",
    "It is not only about the injection: we look at your whole health history.",
]
