"""Signing: online and paper signatures, identity confirmation and the sharded count."""
