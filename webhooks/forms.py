from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Site

from .addresses import refusal
from .models import WebhookEndpoint


class WebhookEndpointForm(WagtailAdminModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which changes to a page of this clinic are sent."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the clinics whose webhooks this user manages.
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(WebhookEndpoint)
        self.fields["site"].queryset = Site.objects.filter(
            pk__in=policy.sites(self.for_user)
        )

    def clean_url(self):
        url = self.cleaned_data["url"]
        refused = refusal(url)
        if refused:
            raise forms.ValidationError(refused)
        return url
