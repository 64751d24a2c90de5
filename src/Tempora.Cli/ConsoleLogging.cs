using Microsoft.Extensions.Logging;

namespace Tempora.Cli;

/// <summary>The console log format of every command: one line per entry, with a timestamp.</summary>
internal static class ConsoleLogging
{
    public static void Configure(ILoggingBuilder builder, LogLevel level)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(level);

        // ASP.NET Core and gRPC log every request at Information or Debug, and each worker long poll is a request:
        // at those levels they would drown Tempora's own lines. Their warnings and errors still come through.
        var frameworkLevel = level > LogLevel.Warning ? level : LogLevel.Warning;
        builder.AddFilter("Microsoft", frameworkLevel);
        builder.AddFilter("Grpc", frameworkLevel);

        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
    }
}
