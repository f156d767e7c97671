"""Generation: distil a keyword into topics, and the runner that writes
illustrated, grounded articles from a task's items. No Textual here: the TUI
runs these in thread workers and listens to their events."""
