"""Media in S3-compatible object storage when the environment names a bucket."""
