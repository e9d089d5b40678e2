"""The project's small exception hierarchy. Every message says what happened and what to do."""


class GuidanceError(Exception):
    """Base class: pages catch this and show its message as plain-English advice."""


class ConfigError(GuidanceError, ValueError):
    """A setting is missing or invalid."""


class StoreError(GuidanceError):
    """The index could not be opened, read or written."""


class StoreLockedError(StoreError):
    """Another ingestion run holds the store's lock."""


class StoreSharedError(StoreLockedError):
    """Another app process uses the embedded store, so this one must not write to it."""


class EmbedderError(GuidanceError):
    """The embedding model could not be loaded or run."""


class LoadError(GuidanceError):
    """A document could not be read; the message is the per-file reason shown to admins."""


class ModelError(GuidanceError):
    """The language model endpoint failed; the message carries advice."""
