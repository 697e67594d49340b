"""Scrapy commands of the project (registered through COMMANDS_MODULE)."""
