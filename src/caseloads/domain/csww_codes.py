"""The CSWW census code lists used in workforce figures, with their DfE labels.

Source: the CSWW census XML schema, 2022 (``social_work_workforce_2022.xsd`` in GitHub
``SocialFinanceDigitalLabs/liia-tools``, commit ``71633c8f``; definitions.md §1.4 and §1.6 [S6]).
The labels are the schema's ``xs:documentation`` texts, spelling corrected.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

#: ``OrgRole`` 1-6 (definitions.md §1.4). A lower code is a more senior role: a person who holds two
#: posts is counted once in headcounts, under the more senior one (EES methodology [S1]).
ORG_ROLES: Final = MappingProxyType(
    {
        1: "Senior Manager",
        2: "Middle Manager",
        3: "First Line Manager",
        4: "Senior Practitioner",
        5: "Case Holder",
        6: "Qualified Without Cases",
    }
)

#: ``ReasonLeave`` 1-10 (definitions.md §1.6).
REASON_LEAVE: Final = MappingProxyType(
    {
        1: "Resignation",
        2: "Voluntary redundancy",
        3: "Compulsory redundancy",
        4: "Dismissed",
        5: "Retired",
        6: "Deceased",
        7: "Moved to a non-child and family social work role within the LA",
        8: "Other",
        9: "Not known",
        10: "Not yet collected",
    }
)

#: ``LeaverDestination`` 1-9 (definitions.md §1.6).
LEAVER_DESTINATION: Final = MappingProxyType(
    {
        1: "Social worker role in a different local authority in England",
        2: "Social worker role outside England",
        3: "Agency or consultancy in social work (in England)",
        4: "Other social work role, non-local authority (in England)",
        5: "Other social care role, local authority or not (in England)",
        6: "Non-social care role / any role outside England / no employment / career break",
        7: "Other",
        8: "Not known",
        9: "Not yet collected",
    }
)

#: ``StartOrigin`` 1-10 (definitions.md §1.6).
START_ORIGIN: Final = MappingProxyType(
    {
        1: "Newly qualified social worker",
        2: "Social worker role in a different local authority in England",
        3: "Social worker role outside England",
        4: "Agency or consultancy in social work (in England)",
        5: "Other social work role, non-local authority (in England)",
        6: "Other social care role, local authority or not (in England)",
        7: "Non-social care role / any role outside England / no employment / career break",
        8: "Other",
        9: "Not known",
        10: "Not yet collected",
    }
)

#: Voluntary leaving, as the workforce issue defines it: resignations only (``ReasonLeave`` 1).
#: Voluntary redundancy (2) is left out: it is a redundancy the authority initiated.
VOLUNTARY_REASONS: Final = frozenset({1})

#: The DfE's attrition groups of ``LeaverDestination`` (definitions.md §1.5, the EES data set
#: "5. Attrition (leavers) – national only" [S4]): ``leavers = movers between authorities +
#: total attrition`` and ``total attrition = agency attrition + full attrition``, checked on the
#: published 2021-2025 national rows. A mover goes to another English authority (1); agency
#: attrition is a move to agency work (3); every other destination is full attrition. The DfE's
#: treatment of destinations 8-9 (not known) was not retrieved: they are full attrition here.
MOVER_DESTINATIONS: Final = frozenset({1})
AGENCY_DESTINATIONS: Final = frozenset({3})


def attrition_group(destination: int | None) -> str | None:
    """``mover``, ``agency_attrition`` or ``full_attrition`` for a ``LeaverDestination`` code
    (``None`` when the destination was not given)."""
    if destination is None:
        return None
    if destination in MOVER_DESTINATIONS:
        return "mover"
    if destination in AGENCY_DESTINATIONS:
        return "agency_attrition"
    return "full_attrition"
