"""Command-line programs over the `gan` library: gan-train, gan-generate, ... (absl flags; flag files in configs/)."""
