"""The HTTP API and pages, and the command line that starts them."""
