"""The packet's output formats and languages, apart from the packet itself.

Light on purpose: the command line names them in its options, and importing the
packet (pandas, matplotlib, WeasyPrint) for that would slow every `chorus` start.
"""

from __future__ import annotations

FORMATS = ("html", "pdf", "md", "xlsx", "csv")
BILINGUAL = "en+es"
"""`--language en+es`: every page in English and Spanish, side by side."""
