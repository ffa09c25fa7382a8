"""Recall petitions: opening, the initiative group, registration and the state machine."""
