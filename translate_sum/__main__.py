"""``python -m translate_sum`` runs the CLI."""

from translate_sum.cli import main

if __name__ == "__main__":
    main()
