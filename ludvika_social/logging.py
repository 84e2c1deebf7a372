"""Log redaction: personal identity numbers and obvious secrets never reach the logs."""

import logging
import re

# 10 or 12 digit personnummer/samordningsnummer with optional -, + or no separator.
_PNR = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
_SECRET = re.compile(r"(?i)\b(access_token|token|password|secret|api_key|key)=([^&\s]+)")


def redact(text: str) -> str:
    text = _PNR.sub("[personnummer]", text)
    return _SECRET.sub(lambda m: f"{m.group(1)}=[dolt]", text)


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
