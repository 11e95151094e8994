"""Sync between the Perisai Agent desktop app and the central server (no Qt here).

protocol.py: wire schemas shared by both ends; server/: the reference central server.
"""
