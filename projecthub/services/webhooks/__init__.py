"""Webhooks in: endpoints per connection, verification per vendor, replay refusal and the
mapping of a delivery to the projects it changed (docs/architecture.md §15)."""
