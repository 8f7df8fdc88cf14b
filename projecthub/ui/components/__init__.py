"""Building blocks shared by the pages: the signed-in shell, form fields, dialogs."""
