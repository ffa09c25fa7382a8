"""Deputies, districts and bodies: the public directory and imports."""
