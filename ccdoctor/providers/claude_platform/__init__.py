"""Claude Platform on AWS and on Google Cloud."""
