"""Who may sign: one age rule for signing (refused at the form) and verification (``under_age``).

Pure: no database, no Flask. The SQL check in ``recall.services.verification.checks`` uses
``ADULT_AGE`` with the same birthday convention as ``recall.rules.iin.age_on``.
"""

from datetime import date
from typing import Final

from recall.rules.iin import age_on

#: Full years of age a signer must have on the day of signing (the voting age).
ADULT_AGE: Final = 18


def is_adult(birth_date: date, on_day: date) -> bool:
    """True when someone born on ``birth_date`` is ``ADULT_AGE`` or older on ``on_day``.

    Someone not yet born on ``on_day`` is not an adult (no error). Born on 29 February: a year
    older on 1 March in common years, as ``age_on`` counts.
    """
    return on_day >= birth_date and age_on(birth_date, on_day) >= ADULT_AGE
