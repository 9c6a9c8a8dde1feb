"""Storage: the metadata with its naming convention, column types, the unit of work, migrations."""
