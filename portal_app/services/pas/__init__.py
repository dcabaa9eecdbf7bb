"""The Da Vinci PAS prior-authorization API on the portal's own services.

* `requests` (pure): validate a PAS request Bundle and map it to the wizard's inputs.
* `programs` (pure): which program a request is for; DTR answers as the program's details.
* `responses` (pure): an order's state as a PAS response Bundle (ClaimResponse first).
* `outcomes` (pure): OperationOutcome for refusals.
* `service`: `$submit` (new requests and updates) and `$inquire`, as the API client's Actor.

Subscriptions and their delivery are in `portal_app.services.subscriptions`, clients and tokens in
`portal_app.services.api_clients`, the HTTP routes in `portal_app.api.fhir`.
"""
