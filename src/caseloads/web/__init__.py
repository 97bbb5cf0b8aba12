"""The web interface: server-rendered pages and the JSON API under ``/api/v1``, both over
:mod:`caseloads.services` (never their own queries). ``caseloads serve`` runs
:func:`caseloads.web.app.create_app` under uvicorn."""
