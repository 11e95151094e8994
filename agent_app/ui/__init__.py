"""PySide6 user interface: asks services (through ui.tasks.TaskRunner), shows results."""
