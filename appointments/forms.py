"""The appointment request form: as little as is needed to call back, an
explicit consent, and spam defence with no third party (a honeypot field and
a per-address rate limit)."""

import hashlib

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from clinics.client_address import client_address

# Requests one address may send one clinic per hour.
RATE_LIMIT = getattr(settings, "APPOINTMENT_REQUESTS_PER_HOUR", 5)


class RateLimited(Exception):
    pass


def check_rate(request, site):
    """Refuse more than RATE_LIMIT accepted requests an hour from one address
    to one clinic (the address is kept only as a hash, for an hour). Called
    once a request is valid, so a visitor's typos never use up the limit."""
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{client_address(request)}".encode()
    ).hexdigest()[:32]
    key = f"appointments:rate:{site.pk}:{digest}"
    count = 1
    if not cache.add(key, 1, timeout=3600):
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a fresh hour
            cache.add(key, 1, timeout=3600)
    if count > RATE_LIMIT:
        raise RateLimited(
            _(
                "Too many requests from your connection in the last hour. Please "
                "call the clinic instead, or try again later."
            )
        )


class AppointmentRequestForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Email"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    preferred_times = forms.CharField(
        label=_("When suits you"),
        max_length=300,
        help_text=_("Days and times you could come in, e.g. weekday mornings."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("What is it about? (optional)"),
        required=False,
        max_length=300,
        help_text=_(
            "A few words are enough, e.g. “knee pain”. Please do not include "
            "detailed health history: we will ask what we need when we call."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the clinic may store these details to contact me about "
            "an appointment, as its privacy notice describes."
        ),
        error_messages={
            "required": _("Please agree, so that we may keep your details to call you.")
        },
    )
    # Hidden from people (and from assistive technology); bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def full_clean(self):
        super().full_clean()
        # Each field with an error names it to assistive technology, beside
        # its help text (the template gives both these ids).
        for name in self.errors:
            if name not in self.fields:
                continue
            field = self.fields[name]
            auto_id = self.auto_id % name
            described = [f"{auto_id}_helptext"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join(
                [*described, f"{auto_id}_error"]
            )
            field.widget.attrs["aria-invalid"] = "true"

    def clean(self):
        data = super().clean()
        if not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(
                _("Give an email address or a phone number, so we can reach you."),
                code="no_contact",
            )
        return data

    def is_spam(self):
        """Filled the honeypot: answered as if received, stored nowhere."""
        return bool(self.cleaned_data.get("website"))
