"""check_claims: the health-advertising check for batch runs and other tools.

    python manage.py check_claims --province ON|BC [--json] < text
    python manage.py check_claims --province BC --jsonl < items.jsonl
    python manage.py check_claims --page ID [--json]

``--jsonl`` reads one JSON object per line, ``{"id": ..., "text": ...}``, and
prints one line per input, ``{"id": ..., "findings": [{"rule", "severity",
"excerpt", "message"}, ...]}``. ``--page`` checks a page's text and structure
with its clinic's province. Exit status: 1 when any finding is an error, 0
otherwise, 2 when the command was used wrongly.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Page

from treatments.claims.checker import check_page, check_text, has_errors, province_of
from treatments.claims.pages import page_province

FIELDS = ("rule", "severity", "excerpt", "message")


def public(finding):
    return {name: getattr(finding, name) for name in FIELDS}


class Command(BaseCommand):
    help = (
        "Check text (standard input) or a page against a province's "
        "health-advertising rules. Exit status 1 when an error is found."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", help="ON or BC (a page's own by default).")
        output = parser.add_mutually_exclusive_group()
        output.add_argument(
            "--json", action="store_true", dest="as_json", help="Print JSON."
        )
        output.add_argument(
            "--jsonl",
            action="store_true",
            help='Read {"id", "text"} per line; print {"id", "findings"} per line.',
        )
        parser.add_argument("--page", type=int, help="Check this page instead.")

    def handle(self, *args, province, as_json, jsonl, page, **options):
        try:
            if page is not None:
                findings = self.check_page(page, province)
            elif province is None:
                raise CommandError(
                    "Give --province ON or BC (or --page ID).", returncode=2
                )
            elif jsonl:
                return self.check_lines(province)
            else:
                findings = check_text(sys.stdin.read(), province_of(province).code)
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        self.report(findings, as_json=as_json)
        if has_errors(findings):
            sys.exit(1)

    def check_page(self, page_id, province):
        page = Page.objects.filter(pk=page_id).first()
        if page is None:
            raise CommandError(f"No page has id {page_id}.", returncode=2)
        page = page.get_latest_revision_as_object()
        return check_page(page, province or page_province(page))

    def check_lines(self, province):
        code = province_of(province).code
        errors = False
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["text"]
            except (ValueError, KeyError, TypeError):
                raise CommandError(
                    f'Line {number} is not a JSON object with "id" and "text".',
                    returncode=2,
                ) from None
            findings = check_text(str(text), code)
            errors = errors or has_errors(findings)
            output = {"id": item.get("id"), "findings": [public(f) for f in findings]}
            self.stdout.write(json.dumps(output, ensure_ascii=False))
        if errors:
            sys.exit(1)

    def report(self, findings, as_json):
        if as_json:
            output = {"findings": [public(f) for f in findings]}
            self.stdout.write(json.dumps(output, ensure_ascii=False))
            return
        if not findings:
            self.stdout.write("No findings.")
        for finding in findings:
            where = f" [{finding.where}]" if finding.where else ""
            self.stdout.write(
                f"{finding.severity} {finding.rule}{where}: {finding.message}\n"
                f"    “{finding.excerpt}”"
            )
