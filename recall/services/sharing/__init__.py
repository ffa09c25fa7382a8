"""Sharing a petition or a deputy: the Open Graph card image and the messengers' share links."""
