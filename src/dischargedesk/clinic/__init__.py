"""The clinic folder: its profile (clinic.toml, logo), clinical parameters, editing,
the starter folder and checks, and the network share source."""
