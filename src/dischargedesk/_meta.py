"""Name and version of the application: imported by every layer, imports nothing of ours."""

__version__ = "0.1.0"
APP_NAME = "Discharge Desk"
