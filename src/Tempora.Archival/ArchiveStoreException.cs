namespace Tempora.Archival;

/// <summary>An archive store refused or failed a request; the message names the store and its error code.</summary>
public sealed class ArchiveStoreException(string message, Exception inner) : Exception(message, inner);
