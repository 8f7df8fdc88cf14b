"""Reflex user interface: the app shell (layout, theme, styles) and the pages built on it."""
