namespace Tempora.Persistence;

/// <summary>
/// The database cannot be served: another process holds it, it is corrupt, or it cannot be written. Raised at start,
/// before anything is served; the message says what is wrong and what to do, so the CLI prints it without a stack.
/// </summary>
public sealed class DatabaseUnusableException(string message, Exception? inner = null) : Exception(message, inner);
