from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "bench.stock"
    # The product's label, so that ?type=treatments.TreatmentPage and the
    # template names are the same on both sides of the comparison.
    label = "treatments"
    default_auto_field = "django.db.models.BigAutoField"
