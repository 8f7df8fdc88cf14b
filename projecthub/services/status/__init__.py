"""Project status: summaries fetched from the tools, health rules, background sync, dashboard."""
