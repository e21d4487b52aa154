"""Read models: folds of the event log, rebuildable from it alone."""
