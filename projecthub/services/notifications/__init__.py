"""Notifications (issue 15): events become bell entries and deliveries by mail and Teams.

- ``events``: ``emit`` and one function per event, called where the event happens, in the
  caller's transaction (services never commit).
- ``preferences``: a person's choice per event and channel over the organization's defaults.
- ``inbox``: the bell (list, unread count, mark read).
- ``delivery``: ``deliver_pending``, the background job that mails and posts to Teams.
See docs/architecture.md §14.
"""
