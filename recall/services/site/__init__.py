"""What the operator of a site says about it: the privacy notice and "how it works"."""
