"""The corpus of hostile inputs and faults (issue 14): see ``table.py`` and ``test_corpus.py``."""
