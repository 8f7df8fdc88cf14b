"""Caps on a template and on its answers. Any owner can write a template (sign-up is open), so
every size an attacker could choose is bounded here; the built-in template uses a fraction."""

MAX_SOURCE_CHARS = 100_000  # the YAML or JSON as typed; the built-in one is about 7,000
MAX_DEPTH = 12  # YAML nesting; the format itself needs 8
MAX_STEPS = 30
MAX_FIELDS = 200  # in the whole template; the built-in one has 40
MAX_OPTIONS = 200  # choices of a field, and values of a condition's ``in``
MAX_TEXT_CHARS = 2_000  # descriptions, help texts, default and condition values
MAX_PATTERN_CHARS = 500
MAX_ANSWER_CHARS = 20_000  # any text answer, whatever the field's own max_length
MAX_ANSWER_ITEMS = 200  # entries of a list answer (emails, members, names, choices)
MAX_ITEM_CHARS = 320  # one entry: the longest valid email address
