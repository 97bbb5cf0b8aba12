"""Code lists of the standard returns, with the shares the generator draws them in.

Each table is a tuple of ``(code, weight)`` (weights need not sum to 1) or of
``(code, description, weight)``. The source of each set of weights is given beside it; ``[A]``
marks a working assumption where no stored source gives the split.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Weighted = tuple[tuple[str, float], ...]
Described = tuple[tuple[str, str, float], ...]

#: DfE 18-category ethnicity codes, children aged 0-17. [A] Rounded from the 2021 Census shares
#: for children in England (no stored file holds them); children in need are a little more often
#: of white British, mixed and black heritage, which these weights lean towards.
CHILD_ETHNICITY: Weighted = (
    ("WBRI", 66.0),
    ("WIRI", 0.2),
    ("WOTH", 5.5),
    ("MWBC", 2.4),
    ("MWBA", 1.1),
    ("MWAS", 1.6),
    ("MOTH", 2.3),
    ("AIND", 2.8),
    ("APKN", 4.0),
    ("ABAN", 1.5),
    ("AOTH", 1.6),
    ("BCRB", 0.8),
    ("BAFR", 3.6),
    ("BOTH", 0.8),
    ("CHNE", 0.3),
    ("OOTH", 2.2),
    ("REFU", 1.3),
    ("NOBT", 2.0),
)

#: Ethnicity of children and family social workers: the five groups from
#: ``csww_workforce_role_by_ethnicity_2019_to_2022.csv`` (National 2022, all children and family
#: social workers: white 76.1%, mixed 3.8%, asian 5.9%, black 13.3%, other 0.9%), split into the
#: 18 codes [A], plus about 3% not known (REFU, NOBT).
WORKER_ETHNICITY: Weighted = (
    ("WBRI", 64.0),
    ("WIRI", 1.5),
    ("WOTH", 8.3),
    ("MWBC", 1.5),
    ("MWBA", 0.8),
    ("MWAS", 0.7),
    ("MOTH", 0.7),
    ("AIND", 2.2),
    ("APKN", 1.9),
    ("ABAN", 0.7),
    ("AOTH", 1.0),
    ("BCRB", 3.3),
    ("BAFR", 8.6),
    ("BOTH", 1.1),
    ("CHNE", 0.2),
    ("OOTH", 0.6),
    ("REFU", 1.5),
    ("NOBT", 1.5),
)

#: CIN census referral source codes and their descriptions, with shares of referrals. Shares [A],
#: rounded from the DfE "Characteristics of children in need" 2024-25 source breakdown (police
#: about 29%, schools about 20%, health about 15%, LA services about 13%, individuals about 8%).
REFERRAL_SOURCES: Described = (
    ("1A", "Individual: family member/relative/carer", 3.5),
    ("1B", "Individual: acquaintance", 0.8),
    ("1C", "Individual: self", 1.6),
    ("1D", "Individual: other", 1.6),
    ("2A", "Schools", 19.5),
    ("2B", "Education services", 1.4),
    ("3A", "Health services: GP", 1.8),
    ("3B", "Health services: health visitor", 2.2),
    ("3C", "Health services: school nurse", 0.3),
    ("3D", "Health services: other primary health services", 1.5),
    ("3E", "Health services: A&E", 2.6),
    ("3F", "Health services: other", 6.4),
    ("4", "Housing", 1.6),
    ("5A", "LA services: social care", 5.5),
    ("5B", "LA services: other internal", 3.0),
    ("5C", "LA services: external", 2.5),
    ("5D", "LA services: early help", 2.2),
    ("6", "Police", 29.0),
    ("7", "Other legal agency", 4.2),
    ("8", "Other", 4.4),
    ("9", "Anonymous", 1.1),
    ("10", "Unknown", 3.3),
)

#: CIN primary need codes for new referrals. Shares [A], from the DfE CIN census 2024-25 pattern
#: (abuse or neglect just over half; family dysfunction about 15%; disability about 9%).
PRIMARY_NEED: Weighted = (
    ("N1", 55.0),
    ("N2", 9.0),
    ("N3", 3.5),
    ("N4", 7.5),
    ("N5", 15.0),
    ("N6", 2.5),
    ("N7", 0.3),
    ("N8", 3.0),
    ("N9", 0.2),
    ("N0", 4.0),
)
#: Index of N2 (child's disability) in PRIMARY_NEED: these children's plans go to the disabled
#: children's team.
NEED_DISABILITY = 1
#: Index of N8 (absent parenting), the need recorded for unaccompanied asylum-seeking children.
NEED_ABSENT_PARENTING = 7

#: Category of abuse at the start of a child protection plan. Shares from the DfE CIN census
#: 2024-25 pattern [A]: neglect about half, emotional abuse over a third.
CP_CATEGORY: Weighted = (("NEG", 48.0), ("EMO", 37.0), ("PHY", 7.0), ("SAB", 4.0), ("MUL", 4.0))

#: CIN closure reasons (the SSD code set; RC9 is not used).
CLOSE_REASONS = ("RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8")

#: How a closed CIN plan or CP plan case ends when it is not an order: shares [A].
CLOSE_AFTER_PLAN: Weighted = (("RC7", 86.0), ("RC5", 8.0), ("RC3", 3.0), ("RC4", 2.0), ("RC2", 0.2))

#: Reason a period of care ends when the young person reaches 18 [A]: SSDA903 codes.
CEASED_AT_18: Weighted = (("E5", 42.0), ("E17", 30.0), ("E6", 13.0), ("E8", 10.0), ("E7", 5.0))

#: Care leaver codes (SSD ssd_care_leavers guidance), shares [A].
CARE_LEAVER_IN_TOUCH: Weighted = (("YES", 89.0), ("NO", 5.0), ("REFU", 3.0), ("NREQ", 3.0))
CARE_LEAVER_ACCOMMODATION: Weighted = (
    ("U", 30.0),
    ("D", 22.0),
    ("Z", 12.0),
    ("B", 12.0),
    ("E", 6.0),
    ("T", 5.0),
    ("K", 4.0),
    ("X", 3.0),
    ("S", 2.0),
    ("R", 2.0),
    ("W", 1.0),
    ("Y", 1.0),
)
CARE_LEAVER_ACTIVITY: Weighted = (
    ("F5", 20.0),
    ("F2", 17.0),
    ("F1", 7.0),
    ("P5", 6.0),
    ("F4", 4.0),
    ("P2", 3.0),
    ("G5", 30.0),
    ("G4", 8.0),
    ("G6", 5.0),
)

#: Countries of origin recorded for unaccompanied asylum-seeking children [A].
UASC_NATIONALITY: Weighted = (
    ("Afghanistan", 28.0),
    ("Eritrea", 18.0),
    ("Sudan", 17.0),
    ("Iran", 10.0),
    ("Iraq", 7.0),
    ("Syria", 6.0),
    ("Vietnam", 5.0),
    ("Albania", 4.0),
    ("Ethiopia", 5.0),
)

#: CSWW ReasonLeave codes of leavers, with shares [A] (resignation the great majority; no stored
#: source has the split by reason).
REASON_LEAVE: Weighted = (
    ("1", 72.0),
    ("5", 8.0),
    ("7", 10.0),
    ("2", 1.5),
    ("3", 0.5),
    ("4", 3.0),
    ("8", 5.0),
)

#: CSWW LeaverDestination codes given each ReasonLeave code [A]. The national attrition file
#: (``csww_attrition_national_2021_to_2025.csv``) has moves between authorities at about a quarter
#: of leavers and moves to agency work at about a tenth, which the resignation row follows.
LEAVER_DESTINATION: dict[str, Weighted] = {
    "1": (("1", 30.0), ("3", 12.0), ("4", 10.0), ("5", 8.0), ("6", 15.0), ("7", 5.0), ("8", 20.0)),
    "2": (("6", 60.0), ("8", 40.0)),
    "3": (("6", 60.0), ("8", 40.0)),
    "4": (("8", 70.0), ("6", 30.0)),
    "5": (("6", 100.0),),
    "7": (("5", 100.0),),
    "8": (("7", 50.0), ("8", 50.0)),
}

#: CSWW StartOrigin codes of experienced starters (newly qualified starters are always 1) [A].
START_ORIGIN: Weighted = (
    ("2", 40.0),
    ("4", 18.0),
    ("5", 10.0),
    ("6", 8.0),
    ("3", 4.0),
    ("9", 20.0),
)


def weights(table: Weighted | Described) -> npt.NDArray[np.float64]:
    """The table's weights as probabilities summing to 1."""
    raw = np.array([row[-1] for row in table], dtype=np.float64)
    return np.asarray(raw / raw.sum(), dtype=np.float64)


def codes(table: Weighted | Described) -> npt.NDArray[np.str_]:
    """The table's codes, in table order."""
    return np.array([row[0] for row in table])


def draw(rng: np.random.Generator, table: Weighted | Described, n: int) -> npt.NDArray[np.int64]:
    """``n`` indices into ``table`` drawn with its weights."""
    return rng.choice(len(table), size=n, p=weights(table)).astype(np.int64)
