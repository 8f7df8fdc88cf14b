"""Provisioning: answers → plan → a persisted run of idempotent steps, resumable after a crash."""
