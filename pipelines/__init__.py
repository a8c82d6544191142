"""Scrapy item pipelines: validate → clean → deduplicate → store."""
