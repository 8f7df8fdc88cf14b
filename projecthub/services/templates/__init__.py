"""Templates: the questionnaire format, answering it, and an organization's template library."""
