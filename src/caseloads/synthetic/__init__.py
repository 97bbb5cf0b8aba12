"""Synthetic data: a council's standard extracts, generated deterministically from a seed.

:func:`caseloads.synthetic.council.generate_council` writes the Standard Safeguarding Dataset
tables, the CSWW census returns and the HR extracts (staff, absences, establishment, recruitment
pipeline) of one made-up authority, as its own systems would export them. Nothing is read from, or
resembles, any real person. The modules, in the order they run:

- ``profile``: the parameters of a council (sizes, rates, hazards) and where each comes from;
- ``rng``, ``dates``, ``seasonal``, ``codes``, ``teams``: named random streams, day arithmetic,
  school-term seasonality, the standard code lists, team types and names;
- ``demand``: referrals of sibling groups and the pathway each case takes;
- ``casework``: each child's episodes, plans, periods of care, care leavers and the stretches of
  time a team must hold them;
- ``establishment``, ``workforce``, ``absence``: budgeted posts, who fills them, who leaves, agency
  cover, sickness and other leave;
- ``allocation``: which worker holds each child on each day (the involvements);
- ``model``: runs the above in order;
- ``contacts``, ``people``, ``registry``: contacts, children's details and identifiers;
- ``ssd``, ``csww``, ``hr``, ``writers``: the files;
- ``council``: the public entry point.
"""
