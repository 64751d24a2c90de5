namespace Tempora.Visibility.Retention;

/// <summary>Some runs of a namespace could not be deleted (the others were); the message says how many of each.</summary>
internal sealed class RetentionFailedException(string message, int deleted, Exception first) : Exception(message, first)
{
    public int Deleted { get; } = deleted;
}
