"""The fixture course holds an nbgrader config file, not a test module."""

collect_ignore = ["fixtures"]
