namespace Tempora.Persistence;

/// <summary>
/// Stored bytes that no longer read back as what was written (a damaged row). Not transient, so never answered
/// Unavailable: the frontend answers DataLoss, as Temporal does for corrupt history.
/// </summary>
public sealed class CorruptDataException(string message, Exception? inner = null) : Exception(message, inner);
