"""Data access: the only code that touches boto3."""
