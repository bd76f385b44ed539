"""API input, parsed before it reaches the database: one mechanism for every
parameter of both API versions.

Wagtail's v2 API hands some values straight to the ORM (a date that does not
parse, ``find/?id=abc``) and its search parser recurses once per word, so
malformed input ended as a 500. Here, before any view runs, every query
parameter is checked against what it filters:

- the parameters both versions share (``PARAMETERS``): counts, page ids, the
  clinic (``site``, a hostname and port), search text (length, words,
  nesting) and the fixed choices;
- any other parameter that names a field of the endpoint's model (a field
  filter such as ``last_reviewed=2026-01-31``): parsed by the model field's
  own ``to_python``, as a form would, so dates, integers, booleans and
  foreign keys are checked the way the database will read them;
- everywhere: no NUL character, no whole number beyond what the database
  stores.

A failure is a ``BadRequest`` naming the parameter and what it expects; the
API wrapper (``clinics.api``) answers it as a 400 in JSON.
"""

import re

from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db import models

from .boundary import parse_site_address

# Largest value a database integer column holds (PostgreSQL bigint).
MAX_INTEGER = 2**63 - 1
DIGITS = re.compile(r"[+-]?\d+")
# A visitor's search is a few words; Wagtail's query parser recurses once per
# word and fails with RecursionError somewhere past a hundred.
MAX_SEARCH_LENGTH = 255
MAX_SEARCH_WORDS = 32
MAX_SEARCH_NESTING = 4
BOOLEANS = {"true", "false", "1", "0", "yes", "no", "on", "off"}


def invalid(name, expected, value):
    return BadRequest(f"{name} must be {expected} (got {value[:60]!r}).")


def whole_number(minimum):
    def parse(name, value):
        if not (value.isascii() and value.isdigit()) or not (
            minimum <= int(value) <= MAX_INTEGER
        ):
            raise invalid(name, f"a whole number from {minimum}", value)

    return parse


def page_reference(name, value):
    """A page id, or "root" for the clinic's home page (v3)."""
    if value != "root":
        whole_number(1)(name, value)


def clinic_address(name, value):
    parse_site_address(value)


def search_text(name, value):
    if len(value) > MAX_SEARCH_LENGTH:
        raise BadRequest(f"{name} may be at most {MAX_SEARCH_LENGTH} characters long.")
    if len(value.split()) > MAX_SEARCH_WORDS:
        raise BadRequest(f"{name} may have at most {MAX_SEARCH_WORDS} words.")
    depth = deepest = 0
    for character in value:
        depth += {"(": 1, ")": -1}.get(character, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_SEARCH_NESTING:
        raise BadRequest(
            f"{name} may nest parentheses at most {MAX_SEARCH_NESTING} deep."
        )


def one_of(*choices):
    def parse(name, value):
        if value not in choices:
            raise invalid(name, " or ".join(repr(c) for c in choices), value)

    return parse


PARAMETERS = {
    "limit": whole_number(1),
    "offset": whole_number(0),
    "id": whole_number(1),
    "child_of": page_reference,
    "descendant_of": page_reference,
    "translation_of": page_reference,
    "ancestor_of": whole_number(1),
    "site": clinic_address,
    "search": search_text,
    "search_operator": one_of("and", "or"),
    "version": one_of("live", "draft"),
}

FIELD_KINDS = {
    models.BooleanField: "true or false",
    models.DateTimeField: "a date and time, e.g. 2026-01-31T09:30:00",
    models.DateField: "a date, e.g. 2026-01-31",
    models.IntegerField: "a whole number",
    models.DecimalField: "a number",
    models.FloatField: "a number",
}


def model_field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def field_value(name, field, value):
    """Parse a field filter the way the field itself reads input."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.BooleanField):
        if value.lower() not in BOOLEANS:
            raise invalid(name, "true or false", value)
        return
    try:
        parsed = field.to_python(value)
    except (ValidationError, ValueError, TypeError, OverflowError):
        expected = next(
            (text for kind, text in FIELD_KINDS.items() if isinstance(field, kind)),
            f"a valid {field.get_internal_type()}",
        )
        raise invalid(name, expected, value) from None
    if isinstance(parsed, int) and abs(parsed) > MAX_INTEGER:
        raise invalid(name, "a smaller number", value)


def check_query(request, model=None):
    """Raise BadRequest for the first parameter of this API request that is
    not what it filters; ``model`` is the endpoint's model, if known."""
    for value in (request.path, *request.GET.keys()):
        if "\x00" in value:
            raise BadRequest("Requests may not contain NUL characters.")
    for part in request.path.split("/"):
        if DIGITS.fullmatch(part) and abs(int(part)) > MAX_INTEGER:
            raise BadRequest(f"The number {part[:30]}… is too large.")
    for name, values in request.GET.lists():
        for value in values:
            if "\x00" in value:
                raise BadRequest(f"{name} may not contain NUL characters.")
            parse = PARAMETERS.get(name)
            if parse is None and name.endswith("_id"):
                parse = whole_number(1)  # an object's id, e.g. revisions' user_id
            if parse is not None:
                parse(name, value)
                continue
            field = model_field(model, name)
            if field is not None:
                field_value(name, field, value)
            elif DIGITS.fullmatch(value) and abs(int(value)) > MAX_INTEGER:
                raise BadRequest(f"The number {value[:30]}… in {name} is too large.")


# Request bodies (v3 writes): no field the API does not know


def _resolve(schema, components):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _meta_type(member, components):
    meta = _resolve(member, components).get("properties", {}).get("meta")
    if not meta:
        return None
    return _resolve(meta, components).get("properties", {}).get("type", {}).get("const")


def body_properties(schema, body, components, default_type=None):
    """The property names the request-body ``schema`` of an operation accepts
    for this ``body``, or None if it accepts anything. A union (``oneOf``,
    discriminated by ``meta.type``) is narrowed to the member for the body's
    type, or ``default_type`` (the existing page's, on an update)."""
    schema = _resolve(schema, components)
    if "allOf" in schema:
        found = set()
        for part in schema["allOf"]:
            names = body_properties(part, body, components, default_type)
            if names is None:
                return None
            found |= names
        return found
    if "oneOf" in schema:
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        wanted = meta.get("type") or default_type
        members = [
            m for m in schema["oneOf"] if _meta_type(m, components) == wanted
        ] or schema["oneOf"]
        found = set()
        for member in members:
            found |= body_properties(member, body, components, default_type) or set()
        return found
    if "properties" not in schema or schema.get("additionalProperties"):
        return None
    return set(schema["properties"])


def unknown_body_fields(schema, body, components, default_type=None):
    """Names in a JSON body (and its ``meta``) that ``schema`` does not know."""
    if not isinstance(body, dict):
        return []
    allowed = body_properties(schema, body, components, default_type)
    if allowed is None:
        return []
    unknown = [name for name in body if name not in allowed]
    meta = body.get("meta")
    if isinstance(meta, dict) and "meta" in allowed:
        resolved = _resolve(schema, components)
        members = resolved.get("oneOf") or resolved.get("allOf") or [resolved]
        meta_names = set()
        for member in members:
            meta_schema = _resolve(member, components).get("properties", {}).get("meta")
            if meta_schema:
                meta_names |= _property_names(meta_schema, components)
        unknown += [f"meta.{name}" for name in meta if name not in meta_names]
    return unknown


def _property_names(schema, components):
    """Property names of an object schema, through $ref and its unions."""
    schema = _resolve(schema, components)
    names = set(schema.get("properties", {}))
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []):
            names |= _property_names(member, components)
    return names
