using Microsoft.Extensions.Logging;

namespace Tempora.Cli;

/// <summary>Log messages of the CLI; event ids 9000-9999.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Critical, Message = "Tempora failed to start")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information,
        Message = "{Signal} received, stopping gracefully; send it again to exit at once")]
    public static partial void Stopping(ILogger logger, string signal);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "Tempora stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Critical, Message = "Tempora stopped with an error")]
    public static partial void StoppedWithError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Critical, Message = "Tempora cannot start: {Reason}")]
    public static partial void CannotStart(ILogger logger, string reason);
}
