"""The nurse's desktop app (PySide6). The only package of Discharge Desk that imports Qt."""
