"""The pure masking of e-mail addresses shown to administrators (issue 13)."""

from __future__ import annotations

import pytest

from recall.rules.masking import mask_email, mask_emails_in


@pytest.mark.parametrize(
    "address, masked",
    [
        ("aigerim.n@example.kz", "a•••@e•••.kz"),
        ("A@b.org", "A•••@b•••.org"),
        ("voter@mail.example.com", "v•••@m•••.com"),
        ("root@localhost", "r•••@l•••"),
        ("@example.kz", "•••@e•••.kz"),
        ("not-an-address", "n•••"),
        ("", "•••"),
        ("  x@y.kz ", "x•••@y•••.kz"),
    ],
)
def test_mask_email_keeps_only_first_letters_and_the_top_level_domain(address, masked):
    assert mask_email(address) == masked


def test_a_masked_address_never_contains_the_local_part_or_the_domain_name():
    masked = mask_email("aigerim.nurlanovna@halyk-mail.kz")
    assert "aigerim" not in masked and "halyk" not in masked and "nurlanovna" not in masked


def test_mask_emails_in_text_masks_every_address_and_keeps_the_rest():
    error = "550 5.1.1 <aigerim.n@example.kz>: mailbox unavailable; cc bolat@mail.kz"
    assert mask_emails_in(error) == (
        "550 5.1.1 <a•••@e•••.kz>: mailbox unavailable; cc b•••@m•••.kz"
    )
    assert mask_emails_in("timed out") == "timed out"
    assert mask_emails_in(None) is None
