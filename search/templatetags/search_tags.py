import re

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight(text, query):
    """Escape ``text`` (unless already safe) and wrap each word of ``query`` found in it in <mark>."""
    escaped = conditional_escape(text or "")
    words = sorted(
        {w for w in (query or "").split() if len(w) > 1}, key=len, reverse=True
    )
    if not words:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(escape(w)) for w in words) + r")", re.IGNORECASE
    )
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))  # noqa: S308
