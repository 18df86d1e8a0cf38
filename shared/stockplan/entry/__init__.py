"""One module per Lambda function: each imports only its own use case (cold start)."""
