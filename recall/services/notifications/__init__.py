"""Following deputies and petitions, and webhook endpoints: what a person asks to hear about."""
