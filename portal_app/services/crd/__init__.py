"""Coverage Requirements Discovery (Da Vinci CRD 2.0): a CDS Hooks service answering, inside the EHR,
whether an order needs prior authorization, on the same engine and program definitions as the wizard.

* ``clients``: registering EHR organisations (JWKS URL, NPIs), and the JWT each hook call carries;
* ``ehr_data``: the resources a call needs, from its prefetch or fetched from the EHR's FHIR server;
* ``decisions``: each order to the program that manages it, and the order CRD authorizes when met;
* ``cards``: the coverage-information system actions and the cards;
* ``service``: discovery and one service per hook, every call and answer in ``crd_hook_calls``.
"""
