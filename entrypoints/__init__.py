"""The `warroom` command line and the demo: the top layer, above every other."""
