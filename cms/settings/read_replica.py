"""A PostgreSQL read replica when DATABASE_REPLICA_URL names one."""
