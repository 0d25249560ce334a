"""SQL files: splitting, parsing and linting statements."""
