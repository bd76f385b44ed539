"""Health-advertising checks of treatment content (rules.py: the rules as
data per province; checker.py: how a sentence is read)."""
