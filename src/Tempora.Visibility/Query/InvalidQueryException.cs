namespace Tempora.Visibility.Query;

/// <summary>A list filter that cannot be compiled; the message names the problem and where it is (1-based position).</summary>
internal sealed class InvalidQueryException(string message) : Exception(message);
