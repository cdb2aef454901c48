"""What each ``inv`` task does; ``tasks.py`` only parses arguments and calls these."""
