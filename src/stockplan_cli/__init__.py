"""The stockplan command and the embedded local AWS."""
