"""Pure business rules of Perisai Agent: no Qt, no database, no network.

The only I/O here is reading the versioned reference data (``reference.load_reference``).
"""
