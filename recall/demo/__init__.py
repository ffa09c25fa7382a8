"""Demo data shaped like Kazakhstan after the 2023 elections; only the CLI (`flask demo load`) uses it."""
