"""Scrapy spiders: where to go on each site."""
