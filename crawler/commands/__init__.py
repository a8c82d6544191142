"""Project commands for `scrapy` (found through the COMMANDS_MODULE setting)."""
