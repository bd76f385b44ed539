"""Demo content for the two launch clinics, as plain data.

Each clinic's prolotherapy page carries the facts and the structure of that
clinic's current page (shared/seeds/), rewritten in our own words. Nothing here
may add a clinical claim, a dose or a statistic the clinic's own page does not
make, and the cautions (limited evidence, soreness) stay in.

Contact details are placeholders (555 numbers, example.com booking links) until
each clinic enters its own in the admin.
"""

BOOK_CTA_TEXT = (
    "Schedule an initial assessment and we will talk through whether it suits you."
)

CLINICS = [
    {
        "name": "Toronto Integrative and Functional Medicine Clinic",
        "hostname": "toronto.localhost",
        "is_default": True,
        "home_intro": (
            "Integrative and functional medicine in Toronto: we look for the root "
            "cause of pain and support the body's own healing."
        ),
        "settings": {
            "tagline": "Integrative and functional medicine in Toronto",
            "address": "100 Example Street, Suite 200\nToronto, ON M5V 0A1",
            "phone": "+1 416-555-0100",
            "email": "hello@toronto-clinic.example.com",
            "opening_hours": "Monday–Friday: 9:00–18:00\nSaturday: 10:00–14:00",
            "booking_url": "https://booking.example.com/toronto-clinic",
            "brand_colour": "#1d4e89",
        },
        "treatments": [
            {
                "title": "Prolotherapy",
                "slug": "prolotherapy",
                "summary": (
                    "Prolotherapy, sometimes called “sweet injections”, is a "
                    "regenerative injection treatment for chronic musculoskeletal "
                    "pain that aims to stimulate the body's own healing."
                ),
                "body": [
                    {
                        "type": "rich_text",
                        "value": {
                            "heading": "What is prolotherapy?",
                            "body": (
                                "<p>Prolotherapy (short for proliferative therapy, "
                                "and sometimes called “sweet injections”) is an "
                                "injection treatment for chronic pain. It aims to "
                                "set off the body's natural healing processes.</p>"
                                "<p>Patients often ask about it when they want to "
                                "avoid surgery for a musculoskeletal problem, or "
                                "when other treatments have not given lasting "
                                "relief. At our clinic it is offered as one part of "
                                "a wider plan for managing pain and helping tissue "
                                "heal.</p>"
                            ),
                        },
                    },
                    {
                        "type": "mechanism",
                        "value": {
                            "heading": "How prolotherapy works",
                            "intro": (
                                "A natural irritant, usually a dextrose or saline "
                                "solution, is injected into weakened or damaged "
                                "ligaments, tendons or joint spaces. It causes a "
                                "mild, local inflammatory response, which is meant "
                                "to work in three stages."
                            ),
                            "steps": [
                                {
                                    "title": "Starting the healing cascade",
                                    "explanation": (
                                        "The controlled inflammation at the "
                                        "injection site signals the body to send "
                                        "more blood to the treated area."
                                    ),
                                },
                                {
                                    "title": "Encouraging collagen production",
                                    "explanation": (
                                        "The extra blood flow brings nutrients and "
                                        "growth factors, which encourage "
                                        "fibroblasts to lay down collagen and "
                                        "strengthen weakened structures."
                                    ),
                                },
                                {
                                    "title": "Regenerating and stabilising tissue",
                                    "explanation": (
                                        "Over time the new collagen is meant to "
                                        "restore stability, strength and function "
                                        "to the ligament, tendon or joint, easing "
                                        "pain and helping movement."
                                    ),
                                },
                            ],
                        },
                    },
                    {
                        "type": "indications",
                        "value": {
                            "heading": "Conditions we treat with prolotherapy",
                            "intro": (
                                "We usually suggest prolotherapy for chronic pain "
                                "or instability in muscles, joints, ligaments or "
                                "tendons that has not responded well to the usual "
                                "therapies."
                            ),
                            "conditions": [
                                {
                                    "name": "Chronic joint pain",
                                    "description": (
                                        "Including osteoarthritis of the knees, "
                                        "shoulders, hips and other joints."
                                    ),
                                },
                                {
                                    "name": "Ligament and tendon injuries",
                                    "description": (
                                        "Long-standing strains or tears, such as "
                                        "rotator cuff injuries, Achilles "
                                        "tendinitis or tennis elbow."
                                    ),
                                },
                                {
                                    "name": "Back and neck pain",
                                    "description": (
                                        "To help stabilise spinal ligaments, for "
                                        "example in facet joint syndrome or "
                                        "degenerative disc disease."
                                    ),
                                },
                                {
                                    "name": "Sports injuries",
                                    "description": (
                                        "For athletes whose ligaments, tendons or "
                                        "joints need support to recover and return "
                                        "to their sport."
                                    ),
                                },
                            ],
                        },
                    },
                    {
                        "type": "rich_text",
                        "value": {
                            "heading": "Why patients choose our clinic",
                            "body": (
                                "<ul>"
                                "<li><b>Experienced providers:</b> our "
                                "physicians and nurse practitioners have years of "
                                "experience with musculoskeletal injections.</li>"
                                "<li><b>A plan made for you:</b> every patient has "
                                "a full assessment first. We look at your whole "
                                "health picture to decide whether prolotherapy is "
                                "right for you, and suggest other therapies where "
                                "they may help.</li>"
                                "<li><b>Functional medicine:</b> we look past the "
                                "symptom for the root cause of your pain.</li>"
                                "<li><b>A modern, comfortable clinic</b> with "
                                "up-to-date equipment.</li>"
                                "</ul>"
                            ),
                        },
                    },
                    {
                        "type": "risks",
                        "value": {
                            "heading": "Risks and side effects",
                            "intro": (
                                "Like any injection, prolotherapy carries some risk. "
                                "Your provider will talk it through with you first."
                            ),
                            "items": [
                                {
                                    "title": "Soreness where the needle went in",
                                    "text": (
                                        "The injection site may be sore for a while "
                                        "afterwards. Bruising can happen but is "
                                        "uncommon."
                                    ),
                                },
                                {
                                    "title": "Harm to nearby tissue",
                                    "text": (
                                        "The chance is very low, but an injection "
                                        "can damage a nerve, a joint or other tissue "
                                        "close to where it is given."
                                    ),
                                },
                            ],
                            "evidence_note": (
                                "Research on prolotherapy has found mixed results. "
                                "Some studies report less pain, but its benefit has "
                                "not been shown in a scientifically significant way: "
                                "it may not ease your pain at all, and any relief "
                                "may not last."
                            ),
                        },
                    },
                    {
                        "type": "call_to_action",
                        "value": {
                            "heading": "Start your path to living with less pain",
                            "text": (
                                "If chronic pain or instability is holding you "
                                "back, prolotherapy may be worth exploring. "
                                + BOOK_CTA_TEXT
                            ),
                            "button_label": "Book an appointment",
                            "link_page": None,
                            "link_url": "",
                        },
                    },
                ],
            }
        ],
    },
    {
        "name": "Kelowna Family and Holistic Health Clinic",
        "hostname": "kelowna.localhost",
        "is_default": False,
        "home_intro": (
            "Long-term family health care, preventive care and holistic nutrition "
            "in Kelowna."
        ),
        "settings": {
            "tagline": "Your path to holistic health starts from within",
            "address": "200 Example Avenue\nKelowna, BC V1Y 0A1",
            "phone": "+1 250-555-0100",
            "email": "hello@kelowna-clinic.example.com",
            "opening_hours": "Monday–Thursday: 8:30–17:00\nFriday: 8:30–15:00",
            "booking_url": "https://booking.example.com/kelowna-clinic",
            "brand_colour": "#2f6b3a",
            "province": "BC",
            "time_zone": "America/Vancouver",
        },
        "treatments": [
            {
                "title": "Prolotherapy",
                "slug": "prolotherapy",
                "summary": (
                    "An injection treatment that aims to relieve musculoskeletal "
                    "pain by prompting the body's natural healing. Some studies "
                    "find it helps; the evidence is still inconclusive."
                ),
                "body": [
                    {
                        "type": "rich_text",
                        "value": {
                            "heading": "What is prolotherapy?",
                            "body": (
                                "<p>Prolotherapy (“proliferation therapy”) is a "
                                "regenerative, minimally invasive treatment for "
                                "musculoskeletal pain: problems with bones, "
                                "muscles, tendons, ligaments and other soft "
                                "tissues. A small amount of an irritant solution, "
                                "most often dextrose (a sugar), is injected into "
                                "damaged or weakened ligaments, tendons or "
                                "joints.</p>"
                                "<p>Those who practise it say it relieves pain by "
                                "jump-starting the body's own healing. Experts "
                                "agree it can help some people in some situations, "
                                "and some studies have found less pain afterwards. "
                                "It is not yet universally accepted, because "
                                "research results so far are inconclusive.</p>"
                            ),
                        },
                    },
                    {
                        "type": "mechanism",
                        "value": {
                            "heading": "How prolotherapy works",
                            "intro": (
                                "The aim is to stimulate natural healing and the "
                                "repair of damaged tissue, especially ligaments "
                                "and tendons."
                            ),
                            "steps": [
                                {
                                    "title": "A controlled inflammatory response",
                                    "explanation": (
                                        "The injected solution causes a small, "
                                        "deliberate inflammation where it is "
                                        "placed."
                                    ),
                                },
                                {
                                    "title": "Repair and regeneration",
                                    "explanation": (
                                        "That response is meant to prompt the body "
                                        "to repair and regenerate the damaged "
                                        "ligaments and tendons."
                                    ),
                                },
                            ],
                        },
                    },
                    {
                        "type": "indications",
                        "value": {
                            "heading": "Reasons to consider prolotherapy",
                            "intro": (
                                "It may be an option for some musculoskeletal "
                                "conditions and injuries."
                            ),
                            "conditions": [
                                {
                                    "name": "Chronic musculoskeletal pain",
                                    "description": (
                                        "Lasting pain in the back, knees, "
                                        "shoulders or other joints where "
                                        "ligaments or tendons have been injured "
                                        "or weakened."
                                    ),
                                },
                                {
                                    "name": "Joint instability",
                                    "description": (
                                        "When the ligaments that support a joint "
                                        "are loose or weakened (ligament laxity)."
                                    ),
                                },
                                {
                                    "name": "Osteoarthritis",
                                    "description": (
                                        "It may be considered for some joints, "
                                        "such as the knee."
                                    ),
                                },
                                {
                                    "name": "Sports injuries",
                                    "description": (
                                        "Athletes with ligament or tendon injuries "
                                        "such as sprains or strains sometimes "
                                        "choose it to support healing and a return "
                                        "to activity."
                                    ),
                                },
                                {
                                    "name": "Back pain",
                                    "description": (
                                        "Chronic back pain, especially when "
                                        "ligaments or other connective tissues are "
                                        "involved."
                                    ),
                                },
                            ],
                        },
                    },
                    {
                        "type": "benefits",
                        "value": {
                            "heading": "Possible benefits",
                            "intro": (
                                "Prolotherapy may offer several benefits for "
                                "chronic musculoskeletal conditions."
                            ),
                            "items": [
                                {
                                    "title": "Supports tissue repair",
                                    "text": (
                                        "The controlled inflammation is meant to "
                                        "encourage damaged ligaments and tendons "
                                        "to repair and regenerate."
                                    ),
                                },
                                {
                                    "title": "Less pain for some patients",
                                    "text": (
                                        "Some patients report less chronic pain "
                                        "afterwards, notably with musculoskeletal "
                                        "conditions, joint instability or "
                                        "osteoarthritis."
                                    ),
                                },
                                {
                                    "title": "Minimally invasive",
                                    "text": (
                                        "It is done as an outpatient procedure, "
                                        "which may appeal to people looking for an "
                                        "alternative to more invasive treatment or "
                                        "surgery."
                                    ),
                                },
                            ],
                        },
                    },
                    {
                        "type": "risks",
                        "value": {
                            "heading": "Risks and complications",
                            "intro": (
                                "Like any injection, prolotherapy carries some risk, "
                                "though no more than other injections do."
                            ),
                            "items": [
                                {
                                    "title": "Pain at the injection site",
                                    "text": (
                                        "You may be sore where the injection was "
                                        "given. Bruising is rare."
                                    ),
                                },
                                {
                                    "title": "Damage near the injection site",
                                    "text": (
                                        "There is a very low risk that an "
                                        "injection damages nerves, joints or other "
                                        "tissue nearby."
                                    ),
                                },
                            ],
                            "evidence_note": (
                                "Its success rate has not been shown in a "
                                "scientifically significant way: it may not reduce "
                                "your pain at all, and any relief may be temporary. "
                                "Many studies that report a benefit followed people "
                                "for only a few months, so nobody yet knows how "
                                "long an improvement lasts."
                            ),
                        },
                    },
                    {
                        "type": "faq",
                        "value": {
                            "heading": "Frequently asked questions",
                            "items": [
                                {
                                    "question": "Why is prolotherapy used?",
                                    "answer": (
                                        "<p>To treat pain. It is usually elective: "
                                        "people choose it, rather than needing it "
                                        "because a provider prescribed it.</p>"
                                    ),
                                },
                                {
                                    "question": "How common is prolotherapy?",
                                    "answer": (
                                        "<p>Not very common yet. It is a relatively "
                                        "new technique; its use is growing, and "
                                        "studies of whether it works are still "
                                        "going on.</p>"
                                    ),
                                },
                                {
                                    "question": "How should I prepare?",
                                    "answer": (
                                        "<p>Talk to your healthcare provider first. "
                                        "They will tell you whether any medication "
                                        "you take, or any other pain treatment you "
                                        "use, could cause complications during or "
                                        "after the injections.</p>"
                                    ),
                                },
                                {
                                    "question": "What is the recovery time?",
                                    "answer": (
                                        "<p>Little or none: most people go back to "
                                        "their usual activities straight away, "
                                        "though the injection site may be a little "
                                        "sore.</p><p>Ask your provider before "
                                        "returning to intense exercise or sport "
                                        "after an injection.</p>"
                                    ),
                                },
                            ],
                        },
                    },
                    {
                        "type": "call_to_action",
                        "value": {
                            "heading": "Talk to us about prolotherapy",
                            "text": BOOK_CTA_TEXT,
                            "button_label": "Book an appointment",
                            "link_page": None,
                            "link_url": "",
                        },
                    },
                ],
            }
        ],
    },
]

# Demo admin accounts. Passwords come from these environment variables, with
# the demo default when unset (see seed_demo).
DEMO_EDITORS = {
    "toronto.localhost": {
        "username": "toronto-editor",
        "name": "Tara Editor",
        "email": "editor@toronto-clinic.example.com",
        "password_env": "DEMO_TORONTO_EDITOR_PASSWORD",
    },
    "kelowna.localhost": {
        "username": "kelowna-editor",
        "name": "Kyle Editor",
        "email": "editor@kelowna-clinic.example.com",
        "password_env": "DEMO_KELOWNA_EDITOR_PASSWORD",
    },
}
DEMO_REVIEWER = {
    "username": "reviewer",
    "name": "Riley Reviewer",
    "credentials": "ND (demo clinician)",
    "email": "reviewer@clinic.example.com",
    "password_env": "DEMO_REVIEWER_PASSWORD",
}
DEMO_PASSWORD = "changeme"  # noqa: S105 (the demo default, as for the admin)

# Every clinic's other pages, as plain data ({clinic} is its name). Examples
# only: each clinic replaces them with its own words in the admin.
DEMO_SITE_PAGES = {
    "about": {
        "title": "About us",
        "intro": "Who we are and how we work.",
        "body": [
            {
                "type": "rich_text",
                "value": {
                    "heading": "Our clinic",
                    "body": (
                        "<p>{clinic} is the demo clinic of this website. Replace this "
                        "page with your own story: who you are, how you work with "
                        "patients and what to expect at a first visit.</p>"
                    ),
                },
            }
        ],
    },
    "privacy": {
        "title": "Privacy notice",
        "intro": "How we handle the details you send us.",
        "body": [
            {
                "type": "rich_text",
                "value": {
                    "heading": "Appointment requests",
                    "body": (
                        "<p>When you ask for an appointment, we keep your name, how "
                        "to reach you, the times that suit you and, if you give it, "
                        "a few words on what it is about. We use them only to "
                        "contact you about an appointment.</p>"
                        "<ul><li>They are stored encrypted, and only our front-desk "
                        "staff can read them; each time they do, it is recorded.</li>"
                        "<li>We delete a request after {retention} days.</li>"
                        "<li>Please do not send detailed health history through the "
                        "form: we will ask what we need when we call.</li></ul>"
                        "<p>To ask what we hold about you, or to have it deleted "
                        "sooner, contact the clinic.</p>"
                    ),
                },
            }
        ],
    },
}

DEMO_CLINICIAN = {
    "languages": "English, French",
    "biography": (
        "Riley is this demo's medical reviewer, a made-up person who shows how a "
        "clinician's profile looks. A real profile names the clinician's "
        "training, their registration with their college and the treatments "
        "they provide."
    ),
}

DEMO_VISIT = {
    "transit_notes": (
        "Example text: how to reach the clinic by transit, where to park and "
        "which entrance to use."
    ),
    "accessibility_notes": (
        "Example text: whether the entrance is step-free, where the lift and the "
        "accessible washroom are, and whom to call for help on arrival."
    ),
}
