"""Site-independent library code for the news crawler: Arabic text, dates, URLs, extraction, storage."""
