"""The FHIR prior-authorization API (Da Vinci PAS): routes mounted on the app's backend."""

from portal_app.api.fhir.routes import FHIR_ROUTES

__all__ = ["FHIR_ROUTES"]
