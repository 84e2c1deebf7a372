"""A platform simulator: one HTTP server that imitates each platform API the connectors use."""
