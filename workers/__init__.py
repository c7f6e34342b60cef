"""Background processes, one module per worker, each with a main()."""
