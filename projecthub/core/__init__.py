"""Settings, database engine, security primitives: the layer everything else stands on."""
