"""Errors a user can cause and fix; the CLI prints them as one line and exits with code 2."""


class NewsflowError(Exception):
    """A problem the user can fix, described in one sentence naming what to change."""


class ConfigError(NewsflowError):
    """A configuration file or setting is invalid."""


class DatabaseUnavailable(NewsflowError):
    """The PostgreSQL server cannot be reached."""


class MigrationError(NewsflowError):
    """The migrations on disk disagree with what the database recorded."""
