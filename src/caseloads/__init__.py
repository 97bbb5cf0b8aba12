"""caseloads: workforce, caseload and demand planning for English children's social care.

The layers (see ``design.md``): ``domain`` (pure rules), ``ingest`` (files to validated frames and
findings), ``store`` (the only code that knows SQL), ``services`` (one function per user action),
and the interfaces over them (``cli``; later the web app and reports).
"""

import os

__version__ = "0.1.0"
__all__ = ["__version__"]

#: Polars' allocator (jemalloc) hands freed pages back to the operating system after 0.5-1 s
#: by default. An import or a caseload history allocates and frees frames of millions of rows
#: over and over, so those pages were faulted in and zeroed again and again: on the national
#: synthetic data a reader process spent 0.67 s of 4.1 CPU seconds an authority in the kernel.
#: Keeping freed pages for 10 s halved that and cut the readers' CPU by 7% (benchmarks/README.md);
#: memory still goes back to the system 10-20 s after a burst. It must be set before Polars is
#: first imported, which appends it to its own defaults; a value the user set is left alone.
ALLOCATOR_SETTINGS = "dirty_decay_ms:10000,muzzy_decay_ms:10000"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_SETTINGS)
