"""The admin API's routes, one module per family."""
