"""The `hague` command line: each command is one library call plus error translation."""
