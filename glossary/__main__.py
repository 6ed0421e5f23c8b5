"""`python -m glossary` is the `glossary` command."""

from glossary.prefetch import launch

launch()
