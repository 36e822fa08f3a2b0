"""logistics: freight templates and freight quotes (first slice)."""
