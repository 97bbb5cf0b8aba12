"""caseloads: workforce, caseload and demand planning for English children's social care.

The layers (see ``design.md``): ``domain`` (pure rules), ``ingest`` (files to validated frames and
findings), ``store`` (the only code that knows SQL), ``services`` (one function per user action),
and the interfaces over them (``cli``; later the web app and reports).
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
