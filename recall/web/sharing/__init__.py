"""Share cards, share links and the embeddable petition widget (issue 14)."""
