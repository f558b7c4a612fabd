"""The import's exceptions that carry a Vietnamese message for the person importing."""


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet; the message says why, in Vietnamese."""
