"""The ground floor: settings, the user-error type, project paths and progress reporting.

Every other package may import `core`; `core` imports nothing of ours (the suite's import
contracts enforce it).
"""
